"""The review pages: the flags to work through (admins: every county; county staff: their
counties — another county's flag is a 404), one flag beside its order and its partner's
recent history, decisions, a bulk clear for one rule, CSV, and (admins) the rules'
thresholds. Thin: selectors read, services write."""

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from counties.selectors import counties_visible_to
from orders.selectors import offset_page
from rural_taobao import dates
from rural_taobao.access import FOR_ADMINS, FOR_DASHBOARD_USERS, any_of, is_admin, is_county_staff, role_required
from rural_taobao.errors import ServiceError, add_errors_to_form, messages_of

from . import selectors, services
from .exports import csv_lines
from .forms import BulkClearForm, FlagFilterForm, ReviewForm, RuleSettingForm
from .models import Flag, FlagStatus, Rule, RuleSettingChange
from .rules import RULE_PARAMS, flag_detail, rule_configs

ROWS_PER_PAGE = 50
review_access = role_required(any_of(is_admin, is_county_staff), message=FOR_DASHBOARD_USERS)
admin_only = role_required(is_admin, message=FOR_ADMINS)


def _filtered(request):
    counties = list(counties_visible_to(request.user).order_by("code"))
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = FlagStatus.OPEN
    form = FlagFilterForm(params, counties=counties)
    if not form.is_valid():
        if "county" in form.errors:
            raise Http404(_("No such county."))
        return form, selectors.flag_list(request.user, status=FlagStatus.OPEN), counties
    data = form.cleaned_data
    flags = selectors.flag_list(
        request.user,
        status=data["status"] or None,
        rule=data["rule"] or None,
        severity=data["severity"] or None,
        county=data["county"] or None,
        partner=data["partner"],
    )
    return form, flags, counties


@require_GET
@review_access
def review_list(request):
    form, flags, counties = _filtered(request)
    page = offset_page(flags, request.GET.get("page"), per_page=ROWS_PER_PAGE)
    for flag in page.items:
        flag.detail = flag_detail(flag.rule, flag.evidence)
    query = request.GET.copy()
    query.pop("page", None)
    county_ids = [c.pk for c in counties]
    scope = None if is_admin(request.user) else county_ids
    county = form.cleaned_data.get("county") if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "integrity/review_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "figures": selectors.flag_figures(county_ids=scope),
            "by_rule": selectors.flags_by_rule(county_ids=scope),
            "bulk_form": BulkClearForm(initial={"rule": form.cleaned_data.get("rule") or "", "county": county}),
            "is_admin": is_admin(request.user),
        },
    )


@require_GET
@review_access
def review_export(request):
    _form, flags, _counties = _filtered(request)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(flags)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="flags-{dates.shanghai_today():%Y%m%d}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _flag_or_404(request, flag_id: int) -> Flag:
    try:
        return selectors.flag_for(request.user, flag_id)
    except Flag.DoesNotExist:
        raise Http404(_("No such flag.")) from None


def _detail_page(request, flag: Flag, form: ReviewForm | None = None, status: int = 200):
    flag.detail = flag_detail(flag.rule, flag.evidence)
    order = flag.order
    return render(
        request,
        "integrity/review_detail.html",
        {
            "flag": flag,
            "order": order,
            "lines": order.lines.select_related("category").order_by("id"),
            "other_flags": [
                (other, flag_detail(other.rule, other.evidence))
                for other in order.flags.exclude(pk=flag.pk).order_by("created_at")
            ],
            "history": selectors.partner_history(flag.partner_id, around=order.placed_at),
            "form": form or ReviewForm(),
        },
        status=status,
    )


@require_GET
@review_access
def review_detail(request, flag_id: int):
    return _detail_page(request, _flag_or_404(request, flag_id))


@require_POST
@review_access
def review_decide(request, flag_id: int):
    flag = _flag_or_404(request, flag_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, flag, form, status=400)
    try:
        services.flag_review(
            flag_id=flag.pk,
            by_user=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as exc:
        add_errors_to_form(form, exc)
        return _detail_page(request, _flag_or_404(request, flag_id), form, status=exc.status_code)
    if form.cleaned_data["decision"] == "confirm":
        messages.success(
            request,
            _("Flag confirmed: order %(order)s earns no commission and leaves the sales figures after tonight's run.")
            % {"order": flag.order.order_no},
        )
    else:
        messages.success(
            request,
            _("Flag cleared: the commission of order %(order)s is released into the next statement.")
            % {"order": flag.order.order_no},
        )
    following = (
        selectors.flag_list(request.user, status=FlagStatus.OPEN, county=flag.county.code).exclude(pk=flag.pk).first()
    )
    if following is not None:
        return redirect("review:detail", flag_id=following.pk)
    return redirect("review:list")


@require_POST
@review_access
def review_bulk_clear(request):
    form = BulkClearForm(request.POST)
    back = reverse("review:list")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    county = form.cleaned_data["county"] or None
    if county and not counties_visible_to(request.user).filter(code=county).exists():
        raise Http404(_("No such county."))
    try:
        cleared = services.flags_bulk_clear(
            by_user=request.user, rule=form.cleaned_data["rule"], reason=form.cleaned_data["reason"], county=county
        )
    except ServiceError as exc:
        for message in messages_of(exc):
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        _("%(count)d open flag(s) of “%(rule)s” cleared.")
        % {"count": cleared, "rule": Rule(form.cleaned_data["rule"]).label},
    )
    query = f"?rule={form.cleaned_data['rule']}" + (f"&county={county}" if county else "")
    return redirect(back + query)


@require_http_methods(["GET", "POST"])
@admin_only
def review_rules(request):
    configs = rule_configs()
    forms = {rule: RuleSettingForm(config=configs[rule]) for rule in Rule.values}
    status = 200
    if request.method == "POST":
        rule = request.POST.get("rule")
        if rule not in forms:
            raise Http404(_("No such rule."))
        form = RuleSettingForm(request.POST, config=configs[rule])
        forms[rule] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rule_setting_update(
                    rule=rule,
                    enabled=data["enabled"],
                    severity=data["severity"],
                    params={p.name: data[p.name] for p in RULE_PARAMS[rule]},
                    by_user=request.user,
                )
            except ServiceError as exc:
                add_errors_to_form(form, exc)
                status = 400
            else:
                messages.success(request, _("Rule “%(rule)s” saved.") % {"rule": Rule(rule).label})
                return redirect("review:rules")
        else:
            status = 400
    return render(
        request,
        "integrity/review_rules.html",
        {
            "rules": [(rule, Rule(rule).label, forms[rule]) for rule in Rule.values],
            "changes": RuleSettingChange.objects.select_related("changed_by")[:30],
        },
        status=status,
    )
