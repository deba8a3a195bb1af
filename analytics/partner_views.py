"""Browser pages of partners' figures: one partner's performance and targets
(/partners/<id>/: admins and the county staff of the partner's county, 404 for anyone
else), and the national partner ranking with the income distribution
(/dashboard/partners/: admins).

Who sees a partner is ``partner_in_target_scope``; the figures come from
``partner_performance``; a target is set by ``partner_target_set``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.replacement import REPLACEABLE_STATUSES, partner_replace, successor_candidates
from partners.models import Partner
from partners.selectors import service_point_history
from partners.services import PartnerTransitionError
from partners.targets import partner_in_target_scope, partner_target_set
from rural_taobao import dates
from rural_taobao.access import admin_required
from rural_taobao.db_router import replica_reads
from rural_taobao.errors import Conflict, add_errors_to_form

from .partner_forms import PartnerTargetForm, RankingForm, ReplacePartnerForm
from .partner_performance import (
    INCOME_BANDS,
    RANKING_ORDERING_CHOICES,
    PartnerPerformance,
    income_distribution,
    partner_performance,
    partner_ranking,
)

RANKING_PAGE_SIZE = 50


def _number(value) -> float:
    # Chart coordinates only: the amounts themselves stay Decimal everywhere else.
    return float(value or 0)


def performance_chart_data(performance: PartnerPerformance) -> dict:
    return {
        "labels": [m.month.strftime("%Y-%m") for m in performance.months],
        "sales": [_number(m.sales) for m in performance.months],
        "commission": [_number(m.commission) for m in performance.months],
        "targets": [_number(m.target) if m.target else None for m in performance.months],
    }


@require_http_methods(["GET", "POST"])
def partner_performance_page(request, partner_id: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        partner = partner_in_target_scope(request.user, partner_id)
    except Partner.DoesNotExist as exc:
        raise Http404 from exc
    form = PartnerTargetForm(initial={"month": dates.this_month()})
    if request.method == "POST":
        form = PartnerTargetForm(request.POST)
        if form.is_valid():
            try:
                target = partner_target_set(
                    partner=partner,
                    month=form.cleaned_data["month"],
                    sales_target=form.cleaned_data["sales_target"],
                    by_user=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Target for %(month)s set to ¥%(amount)s.")
                    % {"month": target.month.strftime("%Y-%m"), "amount": target.sales_target},
                )
                return redirect("partner_performance", partner_id=partner.pk)
    return _render_page(request, partner, form=form, status=400 if form.is_bound and form.errors else 200)


def _render_page(request, partner: Partner, *, form=None, replace_form=None, status: int = 200):
    performance = partner_performance(partner)
    replaceable = partner.status in REPLACEABLE_STATUSES and partner.service_point_id is not None
    candidates = list(successor_candidates(partner)) if replaceable else []
    if replace_form is None:
        replace_form = ReplacePartnerForm(candidates=candidates)
    return render(
        request,
        "analytics/partner_performance.html",
        {
            "partner": partner,
            "performance": performance,
            "form": form or PartnerTargetForm(initial={"month": dates.this_month()}),
            "chart_data": performance_chart_data(performance),
            "replaceable": replaceable,
            "candidates": candidates,
            "replace_form": replace_form,
            "tenures": service_point_history(partner),
        },
        status=status,
    )


@require_POST
def partner_replace_page(request, partner_id: int):
    """"Replace partner": the partner exits, the chosen successor takes over the service
    point with the open orders (``partner_replace``); then the successor's page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        partner = partner_in_target_scope(request.user, partner_id)
    except Partner.DoesNotExist as exc:
        raise Http404 from exc
    replaceable = partner.status in REPLACEABLE_STATUSES and partner.service_point_id is not None
    form = ReplacePartnerForm(request.POST, candidates=successor_candidates(partner) if replaceable else [])
    if not form.is_valid():
        return _render_page(request, partner, replace_form=form, status=400)
    try:
        result = partner_replace(
            partner_id=partner.pk,
            successor_id=form.cleaned_data["successor"],
            reason=form.cleaned_data["reason"],
            by_user=request.user,
        )
    except (ValidationError, PartnerTransitionError) as exc:
        add_errors_to_form(form, exc)
        return _render_page(request, partner, replace_form=form, status=409 if isinstance(exc, Conflict) else 400)
    messages.success(
        request,
        ngettext(
            "%(successor)s now runs service point %(code)s in place of %(leaving)s; %(n)s open order moved.",
            "%(successor)s now runs service point %(code)s in place of %(leaving)s; %(n)s open orders moved.",
            len(result.moved_orders),
        )
        % {
            "successor": result.successor.real_name,
            "code": result.service_point.code,
            "leaving": result.leaving.real_name,
            "n": len(result.moved_orders),
        },
    )
    return redirect("partner_performance", partner_id=result.successor.pk)


@admin_required
@require_GET
@replica_reads
def partner_ranking_page(request):
    form = RankingForm(request.GET)
    if form.is_valid():
        month, province, county = (form.cleaned_data[k] for k in ("month", "province", "county"))
        ordering = form.cleaned_data["ordering"]
    else:
        month, province, county, ordering = dates.add_months(dates.this_month(), -1), None, None, "sales"
    page = Paginator(
        partner_ranking(month, province=province, county=county, ordering=ordering), RANKING_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    distribution = income_distribution(month, province=province, county=county)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboards/partners.html",
        {
            "form": form,
            "month": month,
            "ordering": ordering,
            "orderings": RANKING_ORDERING_CHOICES,
            "page": page,
            "rank_offset": page.start_index() - 1 if page.paginator.count else 0,
            "distribution": distribution,
            "chart_data": {
                "labels": [str(band.label) for band in INCOME_BANDS],
                "partners": [n for _band, n in distribution.bands],
            },
            "page_query": query.urlencode(),
        },
    )
