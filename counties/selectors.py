"""Reads of counties and of their figures, scoped to who asks.

``counties_visible_to(user)`` is the one place that decides which counties a user may
see; every dashboard page, export, profile and API endpoint starts from it. The
dashboards read only the rollup tables (``CountyDay``, ``CountyCategoryChannelDay``,
``VillageDay``, ``CountyBuyerDay``, their month rows for long periods,
``PromotionCountyDay``, ``ProvinceDay``, ``NationalDay``, ``CountySummary``,
``PartnerDailyIncome``) plus county, village and
partner metadata — never the orders — so a page costs the same at 100,000 orders as at
10,000,000: each query is an index range scan over one county's (or the nation's) days.

Figures follow ``counties.rollups``: a rollup's ``sales`` is gross paid on the day,
``returns`` the amount reversed that day; the dashboards' "sales" is net (sales − returns).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Case, Count, DecimalField, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Channel, Promotion
from partners.models import Partner, PartnerDailyIncome, PartnerStatus
from rural_taobao.roles import is_admin, is_county_staff

from .models import (
    County,
    CountyBuyerDay,
    CountyBuyerMonth,
    CountyCategoryChannelDay,
    CountyCategoryChannelMonth,
    CountyDay,
    CountyProfileEdit,
    CountySummary,
    NationalDay,
    PromotionCountyDay,
    Province,
    ProvinceDay,
    Region,
    RollupRun,
    RollupRunStatus,
    Village,
    VillageDay,
)
from .rollups import next_month

ZERO = Decimal("0.00")
BILLION_YUAN = Decimal(1_000_000_000)
MIDWEST_REGIONS = (Region.CENTRAL, Region.WEST)
STALE_AFTER = dt.timedelta(hours=36)
TOP_PARTNERS = 10
# A projection further away than this is no projection at all.
MAX_PROJECTION_MONTHS = 1200


# ── Scoping ──────────────────────────────────────────────────────────────────


def counties_visible_to(user) -> QuerySet[County]:
    """All counties for an admin, the assigned ones for county staff, none for anyone else.

    Assignments are read from the database on every call (never cached in the session),
    so an unassigned staff member loses the county on their next request.
    """
    if is_admin(user):
        return County.objects.all()
    if is_county_staff(user):
        return County.objects.filter(staff_assignments__user=user)
    return County.objects.none()


def may_use_dashboards(user) -> bool:
    """Admins and county staff have dashboards; partners and other logins do not."""
    return is_admin(user) or is_county_staff(user)


def county_for(user, code: str) -> County:
    """One county the user may see, with its province and summary; ``County.DoesNotExist`` otherwise."""
    return counties_visible_to(user).select_related("province", "summary").get(code=code)


# ── Periods ──────────────────────────────────────────────────────────────────

PERIOD_CHOICES = [
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("month", _("This month")),
    ("year", _("This year")),
    ("custom", _("Custom")),
]
DEFAULT_PERIOD = "30d"
MAX_PERIOD_DAYS = 731  # two years, a leap day included
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """Whole Shanghai days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date
    key: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Period(start=end - dt.timedelta(days=self.days - 1), end=end, key="previous")

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def whole_months(self) -> list[dt.date]:
        """First days of the calendar months that lie wholly inside the period."""
        first = self.start if self.start.day == 1 else next_month(self.start)
        months = []
        while next_month(first) - dt.timedelta(days=1) <= self.end:
            months.append(first)
            first = next_month(first)
        return months

    def edge_days(self) -> list[tuple[dt.date, dt.date]]:
        """The (first, last) day ranges of the period outside its whole months."""
        months = self.whole_months()
        if not months:
            return [(self.start, self.end)]
        edges = []
        if self.start < months[0]:
            edges.append((self.start, months[0] - dt.timedelta(days=1)))
        after = next_month(months[-1])
        if after <= self.end:
            edges.append((after, self.end))
        return edges

    def edge_days_q(self) -> Q:
        """``day`` inside the edge ranges (an empty match when there are none)."""
        q = Q(pk__in=[])
        for first, last in self.edge_days():
            q |= Q(day__gte=first, day__lte=last)
        return q


def preset_period(key: str, *, today: dt.date | None = None) -> Period:
    """A preset ending yesterday: the last 7 or 30 days, this month or this year so far."""
    end = (today or timezone.localdate()) - dt.timedelta(days=1)
    if key == "7d":
        start = end - dt.timedelta(days=6)
    elif key == "month":
        start = end.replace(day=1)
    elif key == "year":
        start = end.replace(month=1, day=1)
    else:
        key, start = "30d", end - dt.timedelta(days=29)
    return Period(start=start, end=end, key=key)


def custom_period(start: dt.date | None, end: dt.date | None) -> Period:
    """A custom period, or ``ValidationError`` with field errors under ``from`` and ``to``."""
    errors: dict[str, list] = {}
    if start is None:
        errors.setdefault("from", []).append(_("Give the first day of the period."))
    if end is None:
        errors.setdefault("to", []).append(_("Give the last day of the period."))
    for name, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            errors.setdefault(name, []).append(
                _("Choose a day between %(first)s and %(last)s.") % {"first": EARLIEST_DAY, "last": LATEST_DAY}
            )
    if not errors and start > end:
        errors["from"] = [_("The period must start on or before its last day.")]
    if not errors and (end - start).days + 1 > MAX_PERIOD_DAYS:
        errors["to"] = [_("A period can be at most two years (%(days)s days).") % {"days": MAX_PERIOD_DAYS}]
    if errors:
        raise ValidationError(errors)
    return Period(start=start, end=end, key="custom")


# ── Figures ──────────────────────────────────────────────────────────────────


@dataclass
class Totals:
    """A period's figures. Buyers: distinct villagers with a paid order (CountyBuyerDay);
    active partners: the county's partners with a paid order (PartnerDailyIncome)."""

    gross_sales: Decimal = ZERO
    returns: Decimal = ZERO
    orders: int = 0
    buyers: int = 0
    active_partners: int = 0

    @property
    def sales(self) -> Decimal:
        """Net sales: paid in the period minus returned in the period."""
        return self.gross_sales - self.returns

    @property
    def average_order_value(self) -> Decimal | None:
        """Paid amount per order paid in the period (returns are a separate tile)."""
        if not self.orders:
            return None
        return (self.gross_sales / self.orders).quantize(Decimal("0.01"))


def change_between(current, previous) -> float | None:
    """Relative change from the previous period; ``None`` when there is nothing to compare with."""
    if current is None or previous is None or not previous:
        return None
    return float((Decimal(current) - Decimal(previous)) / abs(Decimal(previous)))


@dataclass
class Kpi:
    key: str
    label: str
    value: Decimal | int | None
    previous: Decimal | int | None
    is_money: bool = True
    higher_is_better: bool = True

    @property
    def change(self) -> float | None:
        return change_between(self.value, self.previous)

    @property
    def trend(self) -> str:
        """ "good", "bad" or "" for the colour of the change."""
        change = self.change
        if not change:
            return ""
        return "good" if (change > 0) == self.higher_is_better else "bad"


def kpis_of(totals: Totals, previous: Totals) -> list[Kpi]:
    return [
        Kpi("sales", _("Net sales"), totals.sales, previous.sales),
        Kpi("orders", _("Orders"), totals.orders, previous.orders, is_money=False),
        Kpi("buyers", _("Buyers"), totals.buyers, previous.buyers, is_money=False),
        Kpi("active_partners", _("Active partners"), totals.active_partners, previous.active_partners, is_money=False),
        Kpi("average_order_value", _("Average order value"), totals.average_order_value, previous.average_order_value),
        Kpi("returns", _("Returns"), totals.returns, previous.returns, higher_is_better=False),
    ]


@dataclass
class DailyPoint:
    day: dt.date
    gross_sales: Decimal = ZERO
    returns: Decimal = ZERO
    orders: int = 0

    @property
    def sales(self) -> Decimal:
        return self.gross_sales - self.returns


@dataclass
class CategoryRow:
    slug: str
    name: str
    gross_sales: Decimal
    returns: Decimal
    orders: int

    @property
    def sales(self) -> Decimal:
        return self.gross_sales - self.returns


@dataclass
class ChannelRow:
    channel: str
    name: str
    gross_sales: Decimal = ZERO
    returns: Decimal = ZERO

    @property
    def sales(self) -> Decimal:
        return self.gross_sales - self.returns


@dataclass
class VillageRow:
    id: int
    name: str
    township: str
    partner_id: int | None
    partner_name: str
    service_point: str
    gross_sales: Decimal = ZERO
    returns: Decimal = ZERO
    orders: int = 0
    last_order_day: dt.date | None = None

    @property
    def sales(self) -> Decimal:
        return self.gross_sales - self.returns


@dataclass
class PartnerRow:
    id: int
    name: str
    village: str
    status: str
    orders: int
    gross_sales: Decimal
    returned_sales: Decimal
    commission_earned: Decimal
    reversals: Decimal
    in_period: bool = True  # has figures in the period (not only in the previous one)
    previous_orders: int = 0

    @property
    def sales(self) -> Decimal:
        return self.gross_sales - self.returned_sales

    @property
    def commission(self) -> Decimal:
        """Commission earned on the period's payments minus what its returns took back."""
        return self.commission_earned - self.reversals


@dataclass
class PromotionDay:
    day: dt.date
    promotion_sales: Decimal
    promotion_orders: int
    day_sales: Decimal
    day_orders: int
    normal_day_sales: Decimal | None

    @property
    def lift(self) -> float | None:
        """The day's net sales as a multiple of the average normal day."""
        if not self.normal_day_sales or self.normal_day_sales <= 0:
            return None
        return float(self.day_sales / self.normal_day_sales)


@dataclass
class PromotionResult:
    id: int
    name: str
    code: str
    starts_on: dt.date
    ends_on: dt.date
    days: list[PromotionDay]

    @property
    def sales(self) -> Decimal:
        """Net sales of the orders placed in the promotion, over its days."""
        return sum((d.promotion_sales for d in self.days), ZERO)

    @property
    def average_day_sales(self) -> Decimal:
        """The county's average net sales per promotion day (all orders of those days)."""
        if not self.days:
            return ZERO
        return (sum((d.day_sales for d in self.days), ZERO) / len(self.days)).quantize(Decimal("0.01"))

    @property
    def best_day(self) -> PromotionDay | None:
        return max(self.days, key=lambda d: (d.day_sales, d.day), default=None)

    @property
    def lift(self) -> float | None:
        """The average promotion day as a multiple of the average normal day."""
        normal = self.days[0].normal_day_sales if self.days else None
        if not normal or normal <= 0:
            return None
        return float(self.average_day_sales / normal)


@dataclass
class Promotions:
    window: Period
    normal_day_sales: Decimal | None
    normal_days: int
    results: list[PromotionResult]


@dataclass
class BillionYuanProgress:
    """Trailing-12-month net sales against one billion yuan, and when the county gets there."""

    trailing_12m_sales: Decimal
    prior_12m_sales: Decimal
    year_to_date_sales: Decimal
    as_of: dt.date | None
    national_rank: int | None
    provincial_rank: int | None
    status: str  # "reached", "projected" or "not_at_current_growth"
    projected_month: dt.date | None = None
    months_to_go: int | None = None

    @property
    def progress(self) -> float:
        return float(self.trailing_12m_sales / BILLION_YUAN)

    @property
    def progress_percent(self) -> float:
        return min(self.progress * 100, 100.0)

    @property
    def growth(self) -> float | None:
        """Trailing 12 months over the 12 months before (1.25 = a quarter more)."""
        if self.prior_12m_sales <= 0:
            return None
        return float(self.trailing_12m_sales / self.prior_12m_sales)

    @property
    def growth_change(self) -> float | None:
        growth = self.growth
        return None if growth is None else growth - 1


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def billion_yuan_projection(
    *, trailing_12m: Decimal, prior_12m: Decimal, as_of: dt.date
) -> tuple[str, dt.date | None, int | None]:
    """(status, projected month, months from ``as_of``) at the county's current 12-month growth.

    Growth g = trailing 12 months / the 12 months before. Growing by g a year, sales
    t reach 1e9 after m = ceil(12 · ln(1e9 / t) / ln g) months. No growth (g ≤ 1), no
    prior year or no sales at all: "not at current growth".
    """
    t12, p12 = Decimal(trailing_12m), Decimal(prior_12m)
    if t12 >= BILLION_YUAN:
        return "reached", None, 0
    if t12 <= 0 or p12 <= 0 or t12 <= p12:
        return "not_at_current_growth", None, None
    growth = float(t12 / p12)
    exact = 12 * math.log(float(BILLION_YUAN / t12)) / math.log(growth)
    # A whole number of months computed in floating point may come out a hair above it.
    months = math.ceil(exact - 1e-9)
    if months > MAX_PROJECTION_MONTHS:
        return "not_at_current_growth", None, None
    return "projected", add_months(as_of, months), months


def billion_yuan_progress(summary: CountySummary | None) -> BillionYuanProgress:
    if summary is None:
        return BillionYuanProgress(ZERO, ZERO, ZERO, None, None, None, "not_at_current_growth")
    status, month, months = billion_yuan_projection(
        trailing_12m=summary.trailing_12m_sales, prior_12m=summary.prior_12m_sales, as_of=summary.as_of
    )
    return BillionYuanProgress(
        trailing_12m_sales=summary.trailing_12m_sales,
        prior_12m_sales=summary.prior_12m_sales,
        year_to_date_sales=summary.year_to_date_sales,
        as_of=summary.as_of,
        national_rank=summary.national_rank,
        provincial_rank=summary.provincial_rank,
        status=status,
        projected_month=month,
        months_to_go=months,
    )


def county_summary(county: County) -> CountySummary | None:
    """The county's summary row, from ``select_related("summary")`` when the caller fetched it."""
    try:
        return county.summary
    except CountySummary.DoesNotExist:
        return None


# ── Freshness ────────────────────────────────────────────────────────────────


@dataclass
class Freshness:
    finished_at: dt.datetime | None  # the last successful rollup run
    failed_at: dt.datetime | None = None  # the last run, when it failed
    is_stale: bool = False

    @property
    def warning(self) -> str:
        """ "failed", "stale", "never" or "" (all is well)."""
        if self.failed_at:
            return "failed"
        if self.finished_at is None:
            return "never"
        return "stale" if self.is_stale else ""


def rollup_freshness(*, now: dt.datetime | None = None) -> Freshness:
    """When the figures were computed, and whether to warn: the last run failed, or the last
    success is older than 36 hours (the nightly run did not happen)."""
    now = now or timezone.now()
    runs = list(
        RollupRun.objects.filter(status__in=[RollupRunStatus.SUCCEEDED, RollupRunStatus.FAILED])
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .only("status", "finished_at")[:1]
    )
    last = runs[0] if runs else None
    if last is not None and last.status == RollupRunStatus.SUCCEEDED:
        success = last
    else:
        success = (
            RollupRun.objects.filter(status=RollupRunStatus.SUCCEEDED)
            .exclude(finished_at=None)
            .order_by("-finished_at")
            .only("finished_at")
            .first()
        )
    finished_at = success.finished_at if success else None
    return Freshness(
        finished_at=finished_at,
        failed_at=last.finished_at if last is not None and last.status == RollupRunStatus.FAILED else None,
        is_stale=finished_at is not None and now - finished_at > STALE_AFTER,
    )


# ── County dashboard ─────────────────────────────────────────────────────────

VILLAGE_SORTS = {
    "sales": lambda r: (r.sales, r.orders),
    "orders": lambda r: (r.orders, r.sales),
    "partner": lambda r: (r.partner_name or "\uffff", r.name),
    "last_order": lambda r: (r.last_order_day or dt.date.min, r.name),
    "name": lambda r: (r.name,),
}
DEFAULT_VILLAGE_SORT = "-sales"


def normalize_village_sort(sort: str | None) -> str:
    key = (sort or "").lstrip("-")
    return sort if key in VILLAGE_SORTS else DEFAULT_VILLAGE_SORT


@dataclass
class CountyDashboard:
    county: County
    period: Period
    previous_period: Period
    totals: Totals
    previous_totals: Totals
    daily: list[DailyPoint]
    previous_daily: list[DailyPoint]
    by_category: list[CategoryRow]
    by_channel: list[ChannelRow]
    villages: list[VillageRow]
    village_sort: str
    top_by_sales: list[PartnerRow]
    top_by_commission: list[PartnerRow]
    promotions: Promotions
    billion_yuan: BillionYuanProgress
    freshness: Freshness
    kpis: list[Kpi] = field(default_factory=list)

    def __post_init__(self):
        self.kpis = kpis_of(self.totals, self.previous_totals)


def _sum_days(points: list[DailyPoint]) -> Totals:
    return Totals(
        gross_sales=sum((p.gross_sales for p in points), ZERO),
        returns=sum((p.returns for p in points), ZERO),
        orders=sum(p.orders for p in points),
    )


def county_days(county: County, start: dt.date, end: dt.date) -> dict[dt.date, DailyPoint]:
    """The county's CountyDay rows from ``start`` to ``end`` (one index range scan)."""
    rows = CountyDay.objects.filter(county=county, day__gte=start, day__lte=end).values_list(
        "day", "sales", "returns", "orders"
    )
    return {day: DailyPoint(day, sales, returns, orders) for day, sales, returns, orders in rows}


def _series(days: dict[dt.date, DailyPoint], period: Period) -> list[DailyPoint]:
    return [days.get(day) or DailyPoint(day) for day in period.dates()]


def distinct_buyers(county: County, periods: list[Period]) -> list[int]:
    """Distinct villagers with a paid order in each period.

    A period without a whole calendar month reads the (county, day, villager) unique index
    of CountyBuyerDay — all such periods in one query. A longer one reads a row per buyer
    and month (CountyBuyerMonth) for its whole months and day rows only for its edges, so
    "this year" costs a dozen months of buyers, not a year of buyer-days.
    """
    figures: dict[int, int] = {}
    short = [(i, p) for i, p in enumerate(periods) if not p.whole_months()]
    if short:
        aggregates = {
            f"buyers_{i}": Count("villager_id", distinct=True, filter=Q(day__gte=p.start, day__lte=p.end))
            for i, p in short
        }
        rows = CountyBuyerDay.objects.filter(
            county=county, day__gte=min(p.start for _, p in short), day__lte=max(p.end for _, p in short)
        ).aggregate(**aggregates)
        figures.update({i: rows[f"buyers_{i}"] for i, _ in short})
    for i, period in enumerate(periods):
        if i in figures:
            continue
        months = CountyBuyerMonth.objects.filter(county=county, month__in=period.whole_months())
        edges = CountyBuyerDay.objects.filter(period.edge_days_q(), county=county)
        # UNION (not ALL) leaves each villager once.
        figures[i] = months.values_list("villager_id").union(edges.values_list("villager_id")).count()
    return [figures[i] for i in range(len(periods))]


def active_partner_counts(rows: list[PartnerRow]) -> tuple[int, int]:
    """(this period, previous period): partners of the county with at least one paid order.

    From the leaderboard's PartnerDailyIncome rows (a partner's paid orders of the day),
    a few rows per partner and day: counting partners from CountyBuyerDay instead would
    read a heap row per buyer-day, the one cost on the page that grows with orders.
    """
    return sum(1 for r in rows if r.orders > 0), sum(1 for r in rows if r.previous_orders > 0)


def category_and_channel(county: County, period: Period) -> tuple[list[CategoryRow], list[ChannelRow]]:
    """Sales by category and by channel from one GROUP BY over CountyCategoryChannelDay."""
    columns = ("category_id", "category__slug", "category__name_zh", "category__name_en", "channel")
    figures = {"sales": Sum("sales"), "returns": Sum("returns"), "orders": Sum("orders")}
    # Days outside whole months (the whole period when it has none) from day rows ...
    in_days = CountyCategoryChannelDay.objects.filter(period.edge_days_q(), county=county)
    rows = in_days.values(*columns).annotate(**figures).order_by()
    if months := period.whole_months():
        # ... and whole months from their month rows, in one UNION ALL.
        in_months = CountyCategoryChannelMonth.objects.filter(county=county, month__in=months)
        rows = in_months.values(*columns).annotate(**figures).order_by().union(rows, all=True)
    english = _language_is_english()
    categories: dict[int, CategoryRow] = {}
    channels = {value: ChannelRow(value, str(label)) for value, label in Channel.choices}
    for row in rows:
        category = categories.get(row["category_id"])
        if category is None:
            name = row["category__name_en"] if english else row["category__name_zh"]
            category = categories[row["category_id"]] = CategoryRow(row["category__slug"], name, ZERO, ZERO, 0)
        category.gross_sales += row["sales"]
        category.returns += row["returns"]
        # One order has one channel, so its orders add up across channels within a category.
        category.orders += row["orders"]
        channel = channels.setdefault(row["channel"], ChannelRow(row["channel"], row["channel"]))
        channel.gross_sales += row["sales"]
        channel.returns += row["returns"]
    by_category = sorted(categories.values(), key=lambda r: (-r.sales, r.slug))
    return by_category, list(channels.values())


def active_partner_name() -> Subquery:
    return Subquery(Partner.objects.filter(village=OuterRef("pk"), status=PartnerStatus.ACTIVE).values("real_name")[:1])


def county_villages(county: County) -> QuerySet[Village]:
    """The county's villages with their service point and current (active) partner."""
    return (
        Village.objects.filter(county=county)
        .select_related("service_point")
        .annotate(
            partner_name=active_partner_name(),
            partner_id=Subquery(
                Partner.objects.filter(village=OuterRef("pk"), status=PartnerStatus.ACTIVE).values("pk")[:1]
            ),
        )
        .order_by("township", "name")
    )


def village_table(county: County, period: Period, sort: str = DEFAULT_VILLAGE_SORT) -> list[VillageRow]:
    """Every village of the county with its period's figures and its last day with an order
    (looked for up to a year before the period, so the scan never grows with history)."""
    look_back = period.start - dt.timedelta(days=366)
    in_period = Q(day__gte=period.start)
    figures = {
        row["village_id"]: row
        for row in VillageDay.objects.filter(county=county, day__gte=look_back, day__lte=period.end)
        .values("village_id")
        .annotate(
            period_sales=Sum("sales", filter=in_period),
            period_returns=Sum("returns", filter=in_period),
            period_orders=Sum("orders", filter=in_period),
            last_order_day=Max("day", filter=Q(orders__gt=0)),
        )
        .order_by()
    }
    rows = []
    for village in county_villages(county):
        row = figures.get(village.pk, {})
        service_point = getattr(village, "service_point", None)
        rows.append(
            VillageRow(
                id=village.pk,
                name=village.name,
                township=village.township,
                partner_id=village.partner_id,
                partner_name=village.partner_name or "",
                service_point=service_point.address if service_point else "",
                gross_sales=row.get("period_sales") or ZERO,
                returns=row.get("period_returns") or ZERO,
                orders=row.get("period_orders") or 0,
                last_order_day=row.get("last_order_day"),
            )
        )
    sort = normalize_village_sort(sort)
    key = VILLAGE_SORTS[sort.lstrip("-")]
    rows.sort(key=key, reverse=sort.startswith("-"))
    return rows


def partner_leaderboard(county: County, period: Period, previous: Period | None = None) -> list[PartnerRow]:
    """Each partner of the county's villages with their period's income (PartnerDailyIncome);
    with ``previous``, also their paid orders of the previous period (one query for both)."""
    first = previous.start if previous else period.start
    in_period = Q(day__gte=period.start, day__lte=period.end)
    rows = (
        PartnerDailyIncome.objects.filter(partner__village__county=county, day__gte=first, day__lte=period.end)
        .values("partner_id", "partner__real_name", "partner__village__name", "partner__status")
        .annotate(
            days_in_period=Count("id", filter=in_period),
            period_orders=Sum("orders", filter=in_period),
            period_sales=Sum("sales", filter=in_period),
            period_returned_sales=Sum("returned_sales", filter=in_period),
            period_commission=Sum("commission", filter=in_period),
            period_reversals=Sum("reversals", filter=in_period),
            previous_orders=Sum("orders", filter=~in_period),
        )
        .order_by()
    )
    return [
        PartnerRow(
            id=row["partner_id"],
            name=row["partner__real_name"],
            village=row["partner__village__name"],
            status=row["partner__status"],
            orders=row["period_orders"] or 0,
            gross_sales=row["period_sales"] or ZERO,
            returned_sales=row["period_returned_sales"] or ZERO,
            commission_earned=row["period_commission"] or ZERO,
            reversals=row["period_reversals"] or ZERO,
            in_period=row["days_in_period"] > 0,
            previous_orders=row["previous_orders"] or 0,
        )
        for row in rows
    ]


def top_partners(rows: list[PartnerRow], by: str, limit: int = TOP_PARTNERS) -> list[PartnerRow]:
    """The partners with figures in the period, best first."""
    return sorted((r for r in rows if r.in_period), key=lambda r: (-getattr(r, by), r.name, r.id))[:limit]


def promotion_results(county: County, end: dt.date, days: dict[dt.date, DailyPoint]) -> Promotions:
    """Each promotion of the 12 months to ``end``: its days' sales against the county's
    average normal (non-promotion) day in those months. ``days`` holds the county's
    CountyDay rows of the window (already fetched for the trend)."""
    window = Period(start=end - dt.timedelta(days=364), end=end, key="window")
    promotions = list(
        Promotion.objects.filter(starts_on__lte=window.end, ends_on__gte=window.start).order_by("starts_on")
    )
    promotion_days: set[dt.date] = set()
    for promotion in promotions:
        first, last = max(promotion.starts_on, window.start), min(promotion.ends_on, window.end)
        promotion_days |= {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    tagged = defaultdict(lambda: [ZERO, 0])
    if promotions:
        for promotion_id, day, sales, returns, orders in PromotionCountyDay.objects.filter(
            county=county, promotion__in=promotions, day__gte=window.start, day__lte=window.end
        ).values_list("promotion_id", "day", "sales", "returns", "orders"):
            tagged[(promotion_id, day)][0] += sales - returns
            tagged[(promotion_id, day)][1] += orders
    # Normal days: from the county's first sale in the window (a county that joined late is
    # not averaged over the months before it sold anything), promotion days left out.
    window_days = [d for d in days if window.start <= d <= window.end]
    first_day = min(window_days) if window_days else None
    normal_sales, normal_days = ZERO, 0
    if first_day is not None:
        # Days without a row had no sales: they count as normal days with zero.
        normal_days = (window.end - first_day).days + 1 - sum(1 for d in promotion_days if d >= first_day)
        normal_sales = sum((days[d].sales for d in window_days if d not in promotion_days), ZERO)
    normal = (normal_sales / normal_days).quantize(Decimal("0.01")) if normal_days else None
    results = []
    for promotion in promotions:
        first, last = max(promotion.starts_on, window.start), min(promotion.ends_on, window.end)
        result_days = []
        for i in range((last - first).days + 1):
            day = first + dt.timedelta(days=i)
            point = days.get(day) or DailyPoint(day)
            promo_sales, promo_orders = tagged.get((promotion.pk, day), (ZERO, 0))
            result_days.append(PromotionDay(day, promo_sales, promo_orders, point.sales, point.orders, normal))
        results.append(
            PromotionResult(
                promotion.pk, promotion.name, promotion.code, promotion.starts_on, promotion.ends_on, result_days
            )
        )
    return Promotions(window=window, normal_day_sales=normal, normal_days=normal_days, results=results)


def county_dashboard(county: County, period: Period, *, village_sort: str = DEFAULT_VILLAGE_SORT) -> CountyDashboard:
    """Everything on the county dashboard, from a fixed handful of queries on rollup tables."""
    previous = period.previous()
    promotion_window_start = period.end - dt.timedelta(days=364)
    days = county_days(county, min(previous.start, promotion_window_start), period.end)
    daily = _series(days, period)
    previous_daily = _series(days, previous)
    totals, previous_totals = _sum_days(daily), _sum_days(previous_daily)
    totals.buyers, previous_totals.buyers = distinct_buyers(county, [period, previous])
    leaderboard = partner_leaderboard(county, period, previous)
    totals.active_partners, previous_totals.active_partners = active_partner_counts(leaderboard)
    by_category, by_channel = category_and_channel(county, period)
    return CountyDashboard(
        county=county,
        period=period,
        previous_period=previous,
        totals=totals,
        previous_totals=previous_totals,
        daily=daily,
        previous_daily=previous_daily,
        by_category=by_category,
        by_channel=by_channel,
        villages=village_table(county, period, village_sort),
        village_sort=normalize_village_sort(village_sort),
        top_by_sales=top_partners(leaderboard, "sales"),
        top_by_commission=top_partners(leaderboard, "commission"),
        promotions=promotion_results(county, period.end, days),
        billion_yuan=billion_yuan_progress(county_summary(county)),
        freshness=rollup_freshness(),
    )


# ── National dashboard (admins) ──────────────────────────────────────────────


@dataclass
class Headline:
    """The programme's way of counting: billion-yuan counties, how many in the Midwest
    (central and west regions), how many national poverty counties among them."""

    billion_yuan_counties: int
    midwest: int
    poverty: int
    provinces: int
    counties: int
    as_of: dt.date | None


def billion_yuan_headline() -> Headline:
    billion = Q(is_billion_yuan=True)
    figures = CountySummary.objects.aggregate(
        counties=Count("pk"),
        billion=Count("pk", filter=billion),
        midwest=Count("pk", filter=billion & Q(county__region__in=MIDWEST_REGIONS)),
        poverty=Count("pk", filter=billion & Q(county__is_poverty_county=True)),
        provinces=Count("county__province_id", filter=billion, distinct=True),
        as_of=Max("as_of"),
    )
    return Headline(
        billion_yuan_counties=figures["billion"],
        midwest=figures["midwest"],
        poverty=figures["poverty"],
        provinces=figures["provinces"],
        counties=figures["counties"],
        as_of=figures["as_of"],
    )


@dataclass
class AreaRow:
    code: str
    name: str
    region: str
    gross_sales: Decimal = ZERO
    returns: Decimal = ZERO
    orders: int = 0

    @property
    def sales(self) -> Decimal:
        return self.gross_sales - self.returns


def sales_by_province(period: Period) -> tuple[list[AreaRow], list[AreaRow]]:
    """Net sales per province (ProvinceDay) and per region, in one query."""
    rows = (
        ProvinceDay.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("province__code", "province__name", "province__name_en", "province__region")
        .annotate(sales=Sum("sales"), returns=Sum("returns"), orders=Sum("orders"))
        .order_by()
    )
    english = _language_is_english()
    provinces = []
    regions = {value: AreaRow(value, str(label), value) for value, label in Region.choices}
    for row in rows:
        name = (row["province__name_en"] if english else "") or row["province__name"]
        provinces.append(
            AreaRow(row["province__code"], name, row["province__region"], row["sales"], row["returns"], row["orders"])
        )
        region = regions[row["province__region"]]
        region.gross_sales += row["sales"]
        region.returns += row["returns"]
        region.orders += row["orders"]
    provinces.sort(key=lambda r: (-r.sales, r.code))
    return provinces, list(regions.values())


def _language_is_english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def national_days(period: Period) -> list[DailyPoint]:
    rows = NationalDay.objects.filter(day__gte=period.start, day__lte=period.end).values_list(
        "day", "sales", "returns", "orders"
    )
    days = {day: DailyPoint(day, sales, returns, orders) for day, sales, returns, orders in rows}
    return _series(days, period)


@dataclass
class FunnelStep:
    status: str
    label: str
    partners: int


def recruitment_funnel_counts() -> list[FunnelStep]:
    """Partners per onboarding status: one GROUP BY on the partner table."""
    from partners.selectors import FUNNEL_STATUSES

    # COUNT(*) lets PostgreSQL answer from the (status, applied_at) index alone.
    counts = dict(Partner.objects.values_list("status").annotate(n=Count("*")).order_by())
    return [FunnelStep(status.value, str(status.label), counts.get(status.value, 0)) for status in FUNNEL_STATUSES]


@dataclass
class NationalDashboard:
    period: Period
    previous_period: Period
    totals: Totals
    previous_totals: Totals
    daily: list[DailyPoint]
    headline: Headline
    provinces: list[AreaRow]
    regions: list[AreaRow]
    funnel: list[FunnelStep]
    freshness: Freshness

    @property
    def kpis(self) -> list[Kpi]:
        totals, previous = self.totals, self.previous_totals
        return [
            Kpi("sales", _("Net sales"), totals.sales, previous.sales),
            Kpi("orders", _("Orders"), totals.orders, previous.orders, is_money=False),
            Kpi(
                "average_order_value",
                _("Average order value"),
                totals.average_order_value,
                previous.average_order_value,
            ),
            Kpi("returns", _("Returns"), totals.returns, previous.returns, higher_is_better=False),
        ]


def national_dashboard(period: Period) -> NationalDashboard:
    previous = period.previous()
    both = Period(previous.start, period.end)
    days = {p.day: p for p in national_days(both)}
    daily = _series(days, period)
    provinces, regions = sales_by_province(period)
    return NationalDashboard(
        period=period,
        previous_period=previous,
        totals=_sum_days(daily),
        previous_totals=_sum_days(_series(days, previous)),
        daily=daily,
        headline=billion_yuan_headline(),
        provinces=provinces,
        regions=regions,
        funnel=recruitment_funnel_counts(),
        freshness=rollup_freshness(),
    )


# ── The billion-yuan ranking ─────────────────────────────────────────────────


BOOLEAN_CHOICES = [("true", _("yes")), ("false", _("no"))]


def _true(value: str) -> bool:
    return value == "true"


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Ordering where a missing value (no growth without a prior year) sorts last both ways."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        name = value.lstrip("-")
        return F(name).desc(nulls_last=True) if value.startswith("-") else F(name).asc(nulls_last=True)


class RankingFilter(django_filters.FilterSet):
    """Filters and ordering of the billion-yuan ranking: the national page and
    ``GET /api/v1/rankings/billion-yuan/`` use this one definition."""

    province = django_filters.ModelChoiceFilter(
        field_name="county__province",
        queryset=Province.objects.all(),
        to_field_name="code",
        label=_("Province"),
        empty_label=_("All provinces"),
        help_text=_("Two-digit province code."),
    )
    region = django_filters.ChoiceFilter(
        field_name="county__region", choices=Region.choices, label=_("Region"), empty_label=_("All regions")
    )
    poverty = django_filters.TypedChoiceFilter(
        field_name="county__is_poverty_county",
        choices=BOOLEAN_CHOICES,
        coerce=_true,
        label=_("National poverty counties"),
        help_text=_("true: only national poverty counties; false: only the others."),
    )
    billion_yuan = django_filters.TypedChoiceFilter(
        field_name="is_billion_yuan",
        choices=BOOLEAN_CHOICES,
        coerce=_true,
        label=_("Billion-yuan counties"),
        help_text=_("true: only billion-yuan counties; false: only the others."),
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            ("national_rank", "rank"),
            ("trailing_12m_sales", "trailing_12m_sales"),
            ("year_to_date_sales", "year_to_date_sales"),
            ("growth", "growth"),
            ("county__code", "code"),
            ("county__province__code", "province"),
        ),
        field_labels={
            "national_rank": _("Rank"),
            "trailing_12m_sales": _("Trailing 12-month sales"),
            "year_to_date_sales": _("Sales this year"),
            "growth": _("Growth"),
            "county__code": _("County code"),
            "county__province__code": _("Province"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = CountySummary
        fields = ["province", "region", "poverty", "billion_yuan"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Ties sort in a stable order: by county code.
        return queryset.order_by(*queryset.query.order_by, "county__code")


def ranking_queryset(user) -> QuerySet[CountySummary]:
    """The billion-yuan ranking rows the user may see: every county for admins, their own
    counties (with their national ranks) for county staff. Best first."""
    growth = Case(
        When(prior_12m_sales__gt=0, then=F("trailing_12m_sales") / F("prior_12m_sales")),
        default=None,
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )
    return (
        CountySummary.objects.filter(county__in=counties_visible_to(user))
        .select_related("county__province")
        .annotate(growth=growth)
        .order_by("national_rank", "county__code")
    )


# ── County profile ───────────────────────────────────────────────────────────


@dataclass
class ProfileEditRow:
    edited_at: dt.datetime
    edited_by: str
    changes: list[tuple[str, str, str]]  # (field label, old value, new value)


def _shown(field_name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    try:
        choices = dict(County._meta.get_field(field_name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, value))


def county_profile_edits(county: County, limit: int | None = 50) -> list[ProfileEditRow]:
    """The county's latest profile edits (all with ``limit=None``), newest first, with field labels."""
    rows = []
    edits = CountyProfileEdit.objects.filter(county=county).select_related("edited_by")
    for edit in edits if limit is None else edits[:limit]:
        changes = []
        for name, change in edit.changes.items():
            try:
                label = str(County._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a field since removed: show its name
                label = name
            changes.append((label, _shown(name, change.get("old")), _shown(name, change.get("new"))))
        rows.append(
            ProfileEditRow(
                edited_at=timezone.localtime(edit.edited_at),
                edited_by=edit.edited_by.get_username() if edit.edited_by else str(_("(deleted user)")),
                changes=changes,
            )
        )
    return rows


def county_sales_so_far(county: County) -> tuple[Decimal, Decimal, float | None]:
    """(this year's net sales, the yearly target, share of the target reached)."""
    summary = county_summary(county)
    sales = summary.year_to_date_sales if summary else ZERO
    target = county.yearly_sales_target or ZERO
    share = float(sales / target) if target > 0 else None
    return sales, target, share
