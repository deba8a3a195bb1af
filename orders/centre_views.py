"""The county centre's workspace (``/centre/``): receive parcels from the carriers (a
pasted list, a scanner or the phone's camera), dispatch delivery runs to service points,
hand a parcel over without its code, and see what is stuck. Thin: ``orders.parcels``
moves, ``orders.parcel_selectors`` reads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rural_taobao.access import centre_access
from rural_taobao.errors import ServiceError, add_errors_to_form

from .centre_forms import DispatchForm, HandOverForm, ReceiveForm
from .models import OrderStatus
from .parcel_selectors import centre_overview
from .parcels import centre_orders, parcels_dispatch, parcels_receive
from .services import order_transition


def _page(request, *, receive=None, dispatch=None, hand_over=None, report=None, report_kind="", status=200):
    overview = centre_overview(request.user)
    return render(
        request,
        "orders/centre.html",
        {
            "overview": overview,
            "receive_form": receive or ReceiveForm(),
            "dispatch_form": dispatch or DispatchForm(overview=overview),
            "hand_over_form": hand_over or HandOverForm(),
            "report": report,
            "report_kind": report_kind,
        },
        status=status,
    )


def _report(results) -> dict:
    counts = {"moved": 0, "already": 0, "not_found": 0, "illegal": 0}
    for r in results:
        counts[r.result] += 1
    return {"results": results, "problems": [r for r in results if not r.ok], **counts}


@require_GET
@centre_access
def centre_home(request):
    return _page(request)


@require_POST
@centre_access
def centre_receive(request):
    form = ReceiveForm(request.POST)
    if not form.is_valid():
        return _page(request, receive=form, status=400)
    try:
        results = parcels_receive(numbers=form.cleaned_data["numbers"], by_user=request.user)
    except ValidationError as exc:
        add_errors_to_form(form, exc)
        return _page(request, receive=form, status=400)
    return _page(request, report=_report(results), report_kind="receive")


@require_POST
@centre_access
def centre_dispatch(request):
    overview = centre_overview(request.user)
    form = DispatchForm(request.POST, overview=overview)
    if not form.is_valid():
        return _page(request, dispatch=form, status=400)
    results = parcels_dispatch(by_user=request.user, service_point_ids=form.cleaned_data["service_points"])
    return _page(request, report=_report(results), report_kind="dispatch")


@require_POST
@centre_access
def centre_hand_over(request):
    form = HandOverForm(request.POST)
    if form.is_valid():
        order = centre_orders(request.user).filter(order_no=form.cleaned_data["order_no"]).first()
        if order is None:
            form.add_error("order_no", _("No parcel with this order number here."))
        else:
            try:
                order_transition(
                    order_id=order.pk,
                    to_status=OrderStatus.PICKED_UP,
                    by_user=request.user,
                    override_reason=form.cleaned_data["reason"],
                )
            except (ServiceError, ValidationError) as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(
                    request, _("Order %(order_no)s handed over without its code.") % {"order_no": order.order_no}
                )
                return redirect("centre:home")
    return _page(request, hand_over=form, status=400)
