"""Browser pages: the county and national dashboards, their CSV exports, county profiles.

Thin views: the period picker validates, one selector computes, a template renders.
Which counties a user sees is decided by ``counties_visible_to`` (through
``county_for`` and ``ranking_queryset``) on every page and export; reads run on the
read replica when one is configured (``@replica_reads``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from counties.models import County
from counties.selectors import counties_visible_to, county_profile_edits
from counties.services import county_profile_fields_for
from counties.views import visible_county
from rural_taobao.access import dashboard_access, is_admin
from rural_taobao.db_router import replica_reads

from . import exports
from .billion_yuan import RankingFilter, county_sales_so_far, ranking_queryset
from .dashboards import (
    VILLAGE_SORTS,
    CountyDashboard,
    NationalDashboard,
    county_dashboard,
    county_villages,
    national_dashboard,
)
from .forms import period_form_for
from .periods import Period

RANKING_PAGE_SIZE = 50


def _visible_county(request, code: str) -> County:
    """The county with its summary (the figures' pages show its 亿元 progress)."""
    return visible_county(request, code, "summary")


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# ── County dashboard ─────────────────────────────────────────────────────────


@dashboard_access
@require_GET
@replica_reads
def county_dashboard_page(request, code: str):
    county = _visible_county(request, code)
    form = period_form_for(request.GET)
    dashboard = county_dashboard(county, form.chosen_period, village_sort=request.GET.get("sort"))
    return render(
        request,
        "dashboards/county.html",
        {
            "county": county,
            "form": form,
            "dashboard": dashboard,
            "chart_data": county_chart_data(dashboard),
            "period_query": _query_without(request, "sort", "page"),
            "export_query": export_query(form.chosen_period),
            "village_sorts": list(VILLAGE_SORTS),
            "export_tables": exports.COUNTY_TABLES,
            "other_counties": _other_counties(request, county),
        },
    )


def export_query(period: Period) -> str:
    """The query string of the period on screen, for its CSV links: a preset by its key (it
    compares as the page does), a custom period by its days. A period with errors shows the
    default one, and so do its exports."""
    if period.key == "custom":
        return urlencode({"period": "custom", "from": period.start.isoformat(), "to": period.end.isoformat()})
    return urlencode({"period": period.key})


def _other_counties(request, county: County) -> list[County]:
    """A staff member with several counties can hop between them."""
    if is_admin(request.user):
        return []
    return [
        c
        for c in counties_visible_to(request.user).order_by("code").only("code", "name", "name_en")
        if c.pk != county.pk
    ]


def _number(value) -> float:
    # Chart coordinates only: the amounts themselves stay Decimal everywhere else.
    return float(value or 0)


def county_chart_data(dashboard: CountyDashboard) -> dict:
    promotions = dashboard.promotions
    return {
        "daily": {
            "labels": [p.day.isoformat() for p in dashboard.daily],
            "sales": [_number(p.sales) for p in dashboard.daily],
            # No line for an earlier period without figures (nothing to compare with).
            "previous": [_number(p.sales) for p in dashboard.previous_daily] if dashboard.comparable else [],
            "orders": [p.orders for p in dashboard.daily],
        },
        "categories": {
            "labels": [r.name for r in dashboard.by_category],
            "sales": [_number(r.sales) for r in dashboard.by_category],
        },
        "channels": {
            "labels": [r.name for r in dashboard.by_channel],
            "sales": [_number(r.sales) for r in dashboard.by_channel],
            "returns": [_number(r.returns) for r in dashboard.by_channel],
        },
        "promotions": {
            "labels": [r.name for r in promotions.results],
            "average": [_number(r.average_day_sales) for r in promotions.results],
            "best": [_number(r.best_day.day_sales if r.best_day else 0) for r in promotions.results],
            "normal": _number(promotions.normal_day_sales),
        },
    }


@dashboard_access
@require_GET
@replica_reads
def county_export(request, code: str, table: str):
    if table not in exports.COUNTY_TABLES:
        raise Http404
    county = _visible_county(request, code)
    period = period_form_for(request.GET).chosen_period
    data = exports.county_table(county, period, table, village_sort=request.GET.get("sort") or "-sales")
    filename = f"{county.code}-{table}-{period.start}-{period.end}.csv"
    return exports.csv_response(filename, data.header, data.rows)


# ── National dashboard ───────────────────────────────────────────────────────


@dashboard_access
@require_GET
@replica_reads
def national_dashboard_page(request):
    """Admins see the nation; county staff are sent to their county (or choose one)."""
    if not is_admin(request.user):
        counties = list(counties_visible_to(request.user).select_related("province").order_by("code"))
        if len(counties) == 1:
            return redirect("dashboards:county", code=counties[0].code)
        return render(request, "dashboards/chooser.html", {"counties": counties})
    form = period_form_for(request.GET)
    dashboard = national_dashboard(form.chosen_period)
    ranking = RankingFilter(request.GET, queryset=ranking_queryset(request.user))
    page = Paginator(ranking.qs, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/national.html",
        {
            "form": form,
            "dashboard": dashboard,
            "ranking": ranking,
            "page": page,
            "chart_data": national_chart_data(dashboard),
            "period_query": _query_without(
                request, "page", "ordering", "province", "region", "poverty", "billion_yuan"
            ),
            "ranking_query": _query_without(request, "page"),
            "sort_query": _query_without(request, "page", "ordering"),
            "ordering": request.GET.get("ordering", ""),
            "export_tables": exports.NATIONAL_TABLES,
            "full_query": request.GET.urlencode(),
        },
    )


def national_chart_data(dashboard: NationalDashboard) -> dict:
    return {
        "daily": {
            "labels": [p.day.isoformat() for p in dashboard.daily],
            "sales": [_number(p.sales) for p in dashboard.daily],
            "orders": [p.orders for p in dashboard.daily],
        },
        "provinces": {
            "labels": [r.name for r in dashboard.provinces],
            "sales": [_number(r.sales) for r in dashboard.provinces],
        },
        "regions": {
            "labels": [r.name for r in dashboard.regions],
            "sales": [_number(r.sales) for r in dashboard.regions],
        },
        "funnel": {
            "labels": [s.label for s in dashboard.conversion],
            "partners": [s.reached for s in dashboard.conversion],
        },
    }


@dashboard_access
@require_GET
@replica_reads
def national_export(request, table: str):
    if table not in exports.NATIONAL_TABLES:
        raise Http404
    if table == "ranking":
        # County staff may export the ranking rows of their own counties (same scope as the API).
        ranking = RankingFilter(request.GET, queryset=ranking_queryset(request.user))
        # Evaluated here, inside the replica block; at most one row per county.
        data = exports.national_table("ranking", ranking=list(ranking.qs))
        return exports.csv_response("billion-yuan-ranking.csv", data.header, data.rows)
    if not is_admin(request.user):
        raise PermissionDenied
    period = period_form_for(request.GET).chosen_period
    data = exports.national_table(table, dashboard=national_dashboard(period))
    return exports.csv_response(f"national-{table}-{period.start}-{period.end}.csv", data.header, data.rows)


# ── County profile ───────────────────────────────────────────────────────────


@dashboard_access
@require_GET
@replica_reads
def county_profile(request, code: str):
    county = _visible_county(request, code)
    sales, target, share = county_sales_so_far(county)
    return render(
        request,
        "counties/profile.html",
        {
            "county": county,
            "villages": list(county_villages(county)),
            "edits": county_profile_edits(county),
            "sales_so_far": sales,
            "target": target,
            "target_share": share,
            "target_percent": min(share * 100, 100.0) if share is not None else None,
            "may_edit": bool(county_profile_fields_for(request.user)),
        },
    )


@dashboard_access
@require_GET
@replica_reads
def county_profile_export(request, code: str):
    county = _visible_county(request, code)
    data = exports.profile_villages_table(county)
    return exports.csv_response(f"{county.code}-villages.csv", data.header, data.rows)


@dashboard_access
@require_GET
@replica_reads
def county_profile_history_export(request, code: str):
    county = _visible_county(request, code)
    data = exports.profile_history_table(county)
    return exports.csv_response(f"{county.code}-profile-history.csv", data.header, data.rows)
