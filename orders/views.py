"""The partner's phone workspace: home, new order, order list and detail, villagers.

Thin views: a form parses, one service or selector does the work, then redirect or render.
"""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.access import working_partner_required
from partners.targets import target_progress
from rural_taobao import dates
from rural_taobao.errors import ServiceError, messages_of

from . import selectors
from .forms import (
    BulkArrivedForm,
    OrderForm,
    PlatformNumbersForm,
    TrackingForm,
    TransitionForm,
    VillagerSearchForm,
    apply_service_errors,
    category_choices,
    line_formset,
)
from .models import PARCEL_ON_THE_WAY, Order, OrderStatus
from .parcels import orders_bulk_status
from .pickup import pickup_code_resend
from .services import (
    IdempotencyConflict,
    IllegalTransition,
    OrderError,
    PartnerNotActive,
    order_create,
    order_platform_numbers_add,
    order_tracking_set,
    order_transition,
)

FORM_PARAM = "form"
ORDERS_PER_PAGE = 25
VILLAGERS_PER_PAGE = 30

# Action buttons on the order detail page: each says what it does to the order.
ACTION_LABELS = {
    OrderStatus.PAID: gettext_lazy("Mark paid"),
    OrderStatus.SHIPPED: gettext_lazy("Mark shipped"),
    OrderStatus.AT_COUNTY_CENTRE: gettext_lazy("Mark arrived at the county centre"),
    OrderStatus.AT_SERVICE_POINT: gettext_lazy("Mark arrived at the service point"),
    OrderStatus.PICKED_UP: gettext_lazy("Mark picked up"),
    OrderStatus.CANCELLED: gettext_lazy("Cancel the order"),
    OrderStatus.RETURNED: gettext_lazy("Returned by the villager"),
}
REASON_STATUSES = (OrderStatus.CANCELLED, OrderStatus.RETURNED)


@require_GET
@working_partner_required
def partner_home(request):
    summary = selectors.partner_home(request.partner)
    # The month's target against the same month-so-far sales the page shows.
    target = target_progress(request.partner, summary.month.month, summary.month.sales)
    return render(
        request, "orders/partner_home.html", {"partner": request.partner, "summary": summary, "target": target}
    )


def _render_order_form(
    request,
    *,
    form,
    lines,
    farm_categories,
    line_errors=(),
    conflict=None,
    already_placed=None,
    form_url=None,
    status=200,
):
    context = {
        "form_url": form_url,
        "already_placed": already_placed,
        "form": form,
        "lines": lines,
        "line_errors": line_errors,
        "conflict": conflict,
        "farm_categories": farm_categories,
    }
    return render(request, "orders/order_new.html", context, status=status)


# Each rendered form has its own client_request_id. A plain visit gets a fresh one in the
# page (no redirect: a round trip less on 3G), and the page script writes it into the
# address (?form=<uuid>, history.replaceState): when the partner comes back to a submitted
# form (the back button reloads it, the browser restores what was typed), the reloaded
# page carries the same id, so sending it again shows the order placed, never a second one.
@cache_control(private=True, no_cache=True)
@require_http_methods(["GET", "POST"])
@working_partner_required
def partner_order_new(request):
    form_id = _uuid_or_none(request.GET.get(FORM_PARAM))
    fresh_form = form_id is None
    if request.method == "GET" and fresh_form:
        form_id = uuid.uuid4()
    today = dates.shanghai_today()
    promotions = list(selectors.running_promotions(today))
    category_list = selectors.categories_for_orders()
    categories = category_choices(category_list, get_language())
    farm = [category.slug for category in category_list if category.is_farm_produce]
    if request.method == "GET":
        form = OrderForm(promotions=promotions, initial={**_prefill(request), "client_request_id": str(form_id)})
        # Without JavaScript the page sends itself to that address (a <noscript> refresh):
        # only those browsers pay the round trip the redirect used to cost everyone.
        query = request.GET.copy()
        query[FORM_PARAM] = str(form_id)
        return _render_order_form(
            request,
            form=form,
            lines=line_formset(categories=categories),
            farm_categories=farm,
            already_placed=None if fresh_form else selectors.order_placed_with(request.partner, form_id),
            form_url=f"{request.path}?{query.urlencode()}" if fresh_form else None,
        )

    form = OrderForm(request.POST, promotions=promotions)
    if "add_line" in request.POST:
        # "Add a line" without JavaScript: the same form again, one empty row more.
        lines = line_formset(data=request.POST, categories=categories, extra_row=True)
        return _render_order_form(request, form=form, lines=lines, farm_categories=farm)

    lines = line_formset(data=request.POST, categories=categories)
    form.is_valid()
    lines.is_valid()
    line_input, line_forms = lines.lines()
    try:
        result = order_create(partner=request.partner, lines=line_input, by_user=request.user, **form.service_input())
    except ValidationError as error:
        line_errors = apply_service_errors(error, form=form, line_forms=line_forms)
        return _render_order_form(
            request, form=form, lines=lines, farm_categories=farm, line_errors=line_errors, status=400
        )
    except IdempotencyConflict as conflict:
        # The partner came back to a submitted form and changed it: keep what they typed
        # under a fresh request id, so submitting again deliberately places a new order.
        data = request.POST.copy()
        data["client_request_id"] = OrderForm(promotions=promotions).initial["client_request_id"]
        form = OrderForm(data, promotions=promotions)
        return _render_order_form(
            request, form=form, lines=lines, farm_categories=farm, conflict=conflict.order, status=409
        )
    except PartnerNotActive as refused:
        messages.error(request, refused.message)
        return redirect("partner_home")
    if result.created:
        messages.success(request, _("Order %(order_no)s placed.") % {"order_no": result.order.order_no})
    else:
        messages.info(request, _("This order was already placed; here it is."))
    return redirect("partner_order_detail", order_id=result.order.pk)


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _prefill(request) -> dict:
    """A new order for a known villager: the villagers page links here with ?phone=."""
    phone = request.GET.get("phone", "").strip()
    if not phone.isdigit():
        return {}
    villager = selectors.villagers_visible_to(request.user).filter(phone=phone).first()
    return {"villager_phone": phone, "villager_name": villager.name if villager else ""}


@require_GET
@working_partner_required
def partner_orders(request):
    order_filter, orders = selectors.order_list_for(request.user, request.GET, request=request)
    page = selectors.offset_page(orders, request.GET.get("page"), per_page=ORDERS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/order_list.html",
        {"filter": order_filter, "page": page, "query": query.urlencode(), "filtered": bool(query)},
    )


def _order_or_404(request, order_id: int) -> Order:
    order = (
        selectors.order_with_details(selectors.orders_visible_to(request.user))
        .prefetch_related("platform_numbers")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404(_("No such order."))
    return order


@require_GET
@working_partner_required
def partner_order_detail(request, order_id: int):
    order = _order_or_404(request, order_id)
    actions = [(status, ACTION_LABELS[status]) for status in order.legal_next_statuses()]
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "villager_phone": selectors.villager_phone_for(request.user, order.villager),
            "actions": [a for a in actions if a[0] not in REASON_STATUSES],
            "reason_actions": [a for a in actions if a[0] in REASON_STATUSES],
            "platform_numbers": list(order.platform_numbers.all()),
            "numbers_form": PlatformNumbersForm() if order.status != OrderStatus.CANCELLED else None,
            "tracking_editable": order.status in (OrderStatus.PAID, *PARCEL_ON_THE_WAY),
        },
    )


@require_POST
@working_partner_required
def partner_order_transition(request, order_id: int):
    order = _order_or_404(request, order_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That action is not available. Reload the order and try again."))
        return redirect("partner_order_detail", order_id=order.pk)
    try:
        moved = order_transition(
            order_id=order.pk,
            partner=request.partner,
            to_status=form.cleaned_data["to_status"],
            expected_status=form.cleaned_data["expected_status"],
            reason=form.cleaned_data["reason"],
            # The paid step may carry the order's Taobao numbers (any other step: refused).
            platform_order_nos=form.cleaned_data["platform_order_nos"] or None,
            carrier=form.cleaned_data["carrier"],
            tracking_no=form.cleaned_data["tracking_no"],
            pickup_code=form.cleaned_data["pickup_code"],
            by_user=request.user,
        )
    except (IllegalTransition, PartnerNotActive, ValidationError, ServiceError) as refused:
        for message in messages_of(refused):
            messages.error(request, message)
    except Order.DoesNotExist:
        raise Http404(_("No such order.")) from None
    else:
        messages.success(
            request,
            _("Order %(order_no)s: %(status)s.") % {"order_no": moved.order_no, "status": moved.get_status_display()},
        )
    return redirect("partner_order_detail", order_id=order.pk)


@require_POST
@working_partner_required
def partner_order_tracking(request, order_id: int):
    """The order page's small form: the parcel's carrier and tracking number."""
    order = _order_or_404(request, order_id)
    form = TrackingForm(request.POST)
    if form.is_valid():
        try:
            order_tracking_set(order_id=order.pk, partner=request.partner, by_user=request.user, **form.cleaned_data)
        except (OrderError, ValidationError) as refused:
            for message in messages_of(refused):
                messages.error(request, message)
        else:
            messages.success(request, _("The parcel's tracking number is saved."))
    return redirect("partner_order_detail", order_id=order.pk)


@require_POST
@working_partner_required
def partner_order_resend_code(request, order_id: int):
    """Text the villager a new pickup code (the old one stops working)."""
    order = _order_or_404(request, order_id)
    try:
        pickup_code_resend(order)
    except ServiceError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("A new pickup code was sent to the villager."))
    return redirect("partner_order_detail", order_id=order.pk)


@require_POST
@working_partner_required
def partner_orders_arrived(request):
    """Partner home: several parcels marked "arrived at my service point" at once."""
    form = BulkArrivedForm(
        request.POST, order_ids=selectors.parcels_to_receive(request.partner).values_list("pk", flat=True)
    )
    if not form.is_valid():
        messages.error(request, _("Tick the parcels that arrived."))
        return redirect("partner_home")
    results = orders_bulk_status(
        partner=request.partner,
        order_ids=form.cleaned_data["orders"],
        to_status=OrderStatus.AT_SERVICE_POINT,
        by_user=request.user,
    )
    moved = [r for r in results if r.result == "moved"]
    if moved:
        messages.success(
            request,
            ngettext(
                "%(n)s parcel marked arrived; its villager gets the pickup code by SMS.",
                "%(n)s parcels marked arrived; their villagers get the pickup codes by SMS.",
                len(moved),
            )
            % {"n": len(moved)},
        )
    for r in results:
        if not r.ok:
            messages.error(request, r.message)
    return redirect("partner_home")


@require_POST
@working_partner_required
def partner_order_platform_numbers(request, order_id: int):
    """The order page's small form: record Taobao order numbers on the order."""
    order = _order_or_404(request, order_id)
    form = PlatformNumbersForm(request.POST)
    if not form.is_valid():
        for message in (m for messages in form.errors.values() for m in messages):
            messages.error(request, message)
        return redirect("partner_order_detail", order_id=order.pk)
    try:
        added = order_platform_numbers_add(
            order=order, partner=request.partner, numbers=form.cleaned_data["platform_order_nos"], by_user=request.user
        )
    except (OrderError, ValidationError) as refused:
        for message in messages_of(refused):
            messages.error(request, message)
    except Order.DoesNotExist:
        raise Http404(_("No such order.")) from None
    else:
        if added:
            messages.success(
                request,
                _("Taobao order number(s) recorded: %(numbers)s.") % {"numbers": ", ".join(n.number for n in added)},
            )
        else:
            messages.info(request, _("These Taobao order numbers were already recorded on this order."))
    return redirect("partner_order_detail", order_id=order.pk)


@require_GET
@working_partner_required
def partner_villagers(request):
    search = VillagerSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    villagers = selectors.villagers_with_order_stats(request.partner, search=query)
    page = selectors.offset_page(villagers, request.GET.get("page"), per_page=VILLAGERS_PER_PAGE)
    return render(
        request,
        "orders/villagers.html",
        {"search": search, "page": page, "query": urlencode({"q": query}) if query else ""},
    )


@require_GET
@working_partner_required
def partner_villager_lookup(request):
    """Type-ahead of the new-order form: the partner's own villagers, as JSON."""
    found = selectors.villager_suggestions(request.partner, request.GET.get("q", ""))
    return JsonResponse({"results": [{"name": v.name, "phone": v.phone} for v in found]})
