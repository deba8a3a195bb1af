"""CSV exports of every dashboard and profile table.

UTF-8 with a byte-order mark so Excel opens Chinese text correctly, streamed row by row.
Text that people typed (village, partner, county names) and that starts with ``=``, ``+``,
``-``, ``@`` (or a tab / carriage return) gets a leading ``'`` so a spreadsheet never runs
it as a formula; the figures we compute (numbers, dates) are written as plain values.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _

from counties.models import County
from counties.selectors import county_profile_edits
from rural_taobao.money import CENT
from rural_taobao.template_filters import signed_percent

from .billion_yuan import billion_yuan_progress, county_summary
from .dashboards import (
    DailyPoint,
    Kpi,
    NationalDashboard,
    category_and_channel,
    county_days,
    county_kpis,
    county_totals,
    county_villages,
    has_figures,
    partner_leaderboard,
    platform_confirmed_shares,
    promotion_results,
    village_table,
)
from .periods import Period

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | Decimal | float:
    """A cell as written to the CSV: formula-looking text is neutralised with a leading ';
    an amount (every Decimal here is yuan) has two decimals, as on the page."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        # A sum or average may carry more places (19520.2300000000): the page rounds to fen.
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@dataclass
class Table:
    header: list[str]
    rows: list[list]


# ── County tables ────────────────────────────────────────────────────────────

COUNTY_TABLES = ("kpis", "daily", "categories", "channels", "villages", "partners", "promotions")


def county_table(county: County, period: Period, name: str, *, village_sort: str = "-sales") -> Table:
    """One table of the county dashboard; each reads only what that table needs."""
    if name == "kpis":
        return _kpi_table(county, period)
    if name == "daily":
        days = county_days(county, period.start, period.end)
        points = [days.get(day) or DailyPoint(day) for day in period.dates()]
        return Table(
            [_("Day"), _("Net sales (yuan)"), _("Paid (yuan)"), _("Returns (yuan)"), _("Orders")],
            [[p.day, p.sales, p.gross_sales, p.returns, p.orders] for p in points],
        )
    if name in ("categories", "channels"):
        categories, channels = category_and_channel(county, period)
        if name == "categories":
            return Table(
                [_("Category"), _("Net sales (yuan)"), _("Returns (yuan)"), _("Orders")],
                [[r.name, r.sales, r.returns, r.orders] for r in categories],
            )
        return Table(
            [_("Channel"), _("Net sales (yuan)"), _("Returns (yuan)")],
            [[r.name, r.sales, r.returns] for r in channels],
        )
    if name == "villages":
        return Table(
            [
                _("Village"),
                _("Township"),
                _("Partner"),
                _("Service point"),
                _("Net sales (yuan)"),
                _("Orders"),
                _("Last order day"),
            ],
            [
                [r.name, r.township, r.partner_name, r.service_point, r.sales, r.orders, r.last_order_day]
                for r in village_table(county, period, village_sort)
            ],
        )
    if name == "partners":
        rows = sorted((r for r in partner_leaderboard(county, period) if r.in_period), key=lambda r: (-r.sales, r.name))
        return Table(
            [_("Partner"), _("Village"), _("Orders"), _("Net sales (yuan)"), _("Commission, net of reversals (yuan)")],
            [[r.name, r.village, r.orders, r.sales, r.commission] for r in rows],
        )
    if name == "promotions":
        days = county_days(county, min(period.start, period.end - dt.timedelta(days=364)), period.end)
        promotions = promotion_results(county, period, days)
        return Table(
            [
                _("Promotion"),
                _("Day"),
                _("Promotion sales (yuan)"),
                _("Net sales that day (yuan)"),
                _("Orders that day"),
                _("Average normal day (yuan)"),
            ],
            [
                [result.name, d.day, d.promotion_sales, d.day_sales, d.day_orders, d.normal_day_sales]
                for result in promotions.results
                for d in result.days
            ],
        )
    raise KeyError(name)


def _kpi_table(county: County, period: Period) -> Table:
    """The key figures as the page's tiles show them: each tile's figure, the previous
    period's and the change (the same ``Kpi`` objects), then the 亿元 card's figures."""
    previous = period.previous()
    days = county_days(county, min(previous.start, period.start), period.end)
    now, before = county_totals(county, period, days=days, leaderboard=partner_leaderboard(county, period, previous))
    confirmed, previous_confirmed = platform_confirmed_shares(county, period)
    kpis = county_kpis(now, before, confirmed, previous_confirmed, comparable=has_figures(days, previous))
    progress = billion_yuan_progress(county_summary(county))

    def figure(kpi: Kpi, value):
        if kpi.is_percent:
            return "" if value is None else f"{value:.1%}"
        return "" if value is None else value

    def change(kpi: Kpi) -> str:
        if kpi.change is None:
            return _("no comparison")
        if kpi.is_percent:
            return _("%(points)s pts") % {"points": signed_percent(kpi.change).rstrip("%")}
        return signed_percent(kpi.change)

    units = {
        "sales": _("Net sales (yuan)"),
        "average_order_value": _("Average order value (yuan)"),
        "returns": _("Returns (yuan)"),
    }
    return Table(
        [_("Figure"), _("This period"), _("Previous period"), _("Change")],
        [
            [_("Period"), f"{period.start}–{period.end}", f"{previous.start}–{previous.end}", ""],
            *[
                [units.get(kpi.key, kpi.label), figure(kpi, kpi.value), figure(kpi, kpi.previous), change(kpi)]
                for kpi in kpis
            ],
            [_("Trailing 12-month sales (yuan)"), progress.trailing_12m_sales, "", ""],
            [_("National rank"), progress.national_rank, "", ""],
            [_("Provincial rank"), progress.provincial_rank, "", ""],
        ],
    )


# ── Profile and national tables ──────────────────────────────────────────────


def profile_villages_table(county: County) -> Table:
    rows = []
    for village in county_villages(county):
        service_point = getattr(village, "service_point", None)
        rows.append(
            [
                village.name,
                village.township,
                service_point.address if service_point else "",
                service_point.opened_on if service_point else None,
                village.partner_name or "",
            ]
        )
    return Table([_("Village"), _("Township"), _("Service point"), _("Opened on"), _("Partner")], rows)


def profile_history_table(county: County) -> Table:
    rows = [
        [edit.edited_at.strftime("%Y-%m-%d %H:%M"), edit.edited_by, label, old, new]
        for edit in county_profile_edits(county, limit=None)
        for label, old, new in edit.changes
    ]
    return Table([_("Edited at"), _("Edited by"), _("Field"), _("Before"), _("After")], rows)


NATIONAL_TABLES = ("ranking", "provinces", "regions", "funnel", "daily")


def national_table(name: str, *, dashboard: NationalDashboard | None = None, ranking=None) -> Table:
    if name == "ranking":
        return Table(
            [
                _("National rank"),
                _("Provincial rank"),
                _("County code"),
                _("County"),
                _("Province"),
                _("Region"),
                _("National poverty county"),
                _("Trailing 12-month sales (yuan)"),
                _("The 12 months before (yuan)"),
                _("Sales this year (yuan)"),
                _("¥100-million Taobao county"),
            ],
            (
                [
                    s.national_rank,
                    s.provincial_rank,
                    s.county.code,
                    s.county.name,
                    s.county.province.name,
                    s.county.get_region_display(),
                    s.county.is_poverty_county,
                    s.trailing_12m_sales,
                    s.prior_12m_sales,
                    s.year_to_date_sales,
                    s.is_billion_yuan,
                ]
                for s in ranking
            ),
        )
    assert dashboard is not None
    if name == "provinces":
        return Table(
            [_("Province code"), _("Province"), _("Region"), _("Net sales (yuan)"), _("Returns (yuan)"), _("Orders")],
            [[r.code, r.name, r.region, r.sales, r.returns, r.orders] for r in dashboard.provinces],
        )
    if name == "regions":
        return Table(
            [_("Region"), _("Net sales (yuan)"), _("Returns (yuan)"), _("Orders")],
            [[r.name, r.sales, r.returns, r.orders] for r in dashboard.regions],
        )
    if name == "funnel":
        return Table(
            [_("Step"), _("Partners who reached it"), _("Conversion from the step before"), _("Median days")],
            [
                [
                    s.label,
                    s.reached,
                    "" if s.rate is None else f"{s.rate:.1%}",
                    "" if s.median_days is None else s.median_days,
                ]
                for s in dashboard.conversion
            ],
        )
    if name == "daily":
        return Table(
            [_("Day"), _("Net sales (yuan)"), _("Returns (yuan)"), _("Orders")],
            [[p.day, p.sales, p.returns, p.orders] for p in dashboard.daily],
        )
    raise KeyError(name)
