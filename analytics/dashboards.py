"""The figures of counties, the provinces and the nation, scoped to who asks.

Which counties a user may see comes from ``counties.selectors.counties_visible_to``;
every dashboard page, export, profile and API endpoint starts from it. The
dashboards read only the rollup tables (``CountyDay``, ``CountyCategoryChannelDay``,
``VillageDay``, ``CountyBuyerDay``, their month rows for long periods,
``PromotionCountyDay``, ``ProvinceDay``, ``NationalDay``, ``CountySummary``,
``PartnerDailyIncome``) plus county, village and
partner metadata — never the orders — so a page costs the same at 100,000 orders as at
10,000,000: each query is an index range scan over one county's (or the nation's) days.
Two exceptions: the share of sales confirmed by the platform (``platform_confirmed_shares``)
is one aggregate over the county's orders paid in the period, as the rollups do not carry
the reconciliation state; and the parcels' leg times (``analytics.parcel_legs``), medians
over the orders whose leg ended in the period, as medians do not add up across days.

Figures follow ``analytics.rollups``: a rollup's ``sales`` is gross paid on the day,
``returns`` the amount reversed that day; the dashboards' "sales" is net (sales − returns).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from counties.models import County, Region, Village
from integrity.selectors import FlagFigures, counties_with_most_open_flags, flag_figures, flags_by_rule
from orders.models import Channel, Order, Promotion, Reconciliation
from partners.models import Partner, PartnerStatus
from partners.selectors import ConversionStep, FunnelStep, recruitment_conversion, recruitment_funnel_steps
from rural_taobao.dates import days_bounds

from .billion_yuan import BillionYuanProgress, Headline, billion_yuan_headline, billion_yuan_progress, county_summary
from .freshness import Freshness, rollup_freshness
from .models import (
    CountyBuyerDay,
    CountyBuyerMonth,
    CountyCategoryChannelDay,
    CountyCategoryChannelMonth,
    CountyDay,
    NationalDay,
    PartnerDailyIncome,
    PromotionCountyDay,
    ProvinceDay,
    VillageDay,
)
from .parcel_legs import (
    LEGS,
    CountyParcelFigures,
    Leg,
    SlowCounty,
    counties_with_slowest_legs,
    county_parcel_figures,
    slowest_legs_window,
)
from .partner_performance import BehindTarget, partners_behind_target
from .periods import Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

ZERO = Decimal("0.00")
TOP_PARTNERS = 10


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
    label: StrOrPromise
    value: Decimal | int | float | None
    previous: Decimal | int | float | None
    is_money: bool = True
    higher_is_better: bool = True
    # A share (0.83 → 83.0%): its change is the difference in percentage points.
    is_percent: bool = False
    # False when the earlier period has no figures at all: "no comparison", not a percentage.
    comparable: bool = True

    @property
    def change(self) -> float | None:
        if not self.comparable:
            return None
        if self.is_percent:
            return None if self.value is None or self.previous is None else float(self.value) - float(self.previous)
        return change_between(self.value, self.previous)

    @property
    def trend(self) -> str:
        """ "good", "bad" or "" for the colour of the change."""
        change = self.change
        if not change:
            return ""
        return "good" if (change > 0) == self.higher_is_better else "bad"


def kpis_of(totals: Totals, previous: Totals, *, comparable: bool = True) -> list[Kpi]:
    c = comparable
    return [
        Kpi("sales", _("Net sales"), totals.sales, previous.sales, comparable=c),
        Kpi("orders", _("Orders"), totals.orders, previous.orders, is_money=False, comparable=c),
        Kpi("buyers", _("Buyers"), totals.buyers, previous.buyers, is_money=False, comparable=c),
        Kpi(
            "active_partners",
            _("Active partners"),
            totals.active_partners,
            previous.active_partners,
            is_money=False,
            comparable=c,
        ),
        Kpi(
            "average_order_value",
            _("Average order value"),
            totals.average_order_value,
            previous.average_order_value,
            comparable=c,
        ),
        Kpi("returns", _("Returns"), totals.returns, previous.returns, higher_is_better=False, comparable=c),
    ]


def has_figures(days: dict[dt.date, DailyPoint], period: Period) -> bool:
    """Whether any day of ``period`` has figures (an order paid or returned): an earlier
    period without any is no ground for a comparison (a county that had not started yet)."""
    return any(
        period.start <= day <= period.end and (p.orders or p.gross_sales or p.returns) for day, p in days.items()
    )


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
    period: Period  # the promotions' days shown: the dashboard's period
    window: Period  # the days the average normal day is taken over
    normal_day_sales: Decimal | None
    normal_days: int
    results: list[PromotionResult]


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
    return sort if sort and key in VILLAGE_SORTS else DEFAULT_VILLAGE_SORT


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
    # Of the sales paid in the period (and in the previous one), the share the platform confirmed.
    platform_confirmed_share: float | None = None
    previous_platform_confirmed_share: float | None = None
    # Open review flags on the county's orders and the commission they hold.
    flags: FlagFigures | None = None
    # Median hours of each parcel leg that ended in the period, and the parcels stuck now.
    parcels: CountyParcelFigures | None = None
    # After the 20th: partners under half of this month's target.
    behind_target: list[BehindTarget] = field(default_factory=list)
    # The earlier period has figures to compare with (else the page says "no comparison").
    comparable: bool = True

    def __post_init__(self):
        self.kpis = county_kpis(
            self.totals,
            self.previous_totals,
            self.platform_confirmed_share,
            self.previous_platform_confirmed_share,
            comparable=self.comparable,
        )


def county_kpis(
    totals: Totals,
    previous: Totals,
    confirmed_share: float | None,
    previous_confirmed_share: float | None,
    *,
    comparable: bool = True,
) -> list[Kpi]:
    """The county dashboard's tiles, for the page and its KPI export alike."""
    return kpis_of(totals, previous, comparable=comparable) + [
        Kpi(
            "platform_confirmed_share",
            _("Confirmed by the platform"),
            confirmed_share,
            previous_confirmed_share,
            is_money=False,
            is_percent=True,
            comparable=comparable,
        )
    ]


def _sum_days(points: list[DailyPoint]) -> Totals:
    return Totals(
        gross_sales=sum((p.gross_sales for p in points), ZERO),
        returns=sum((p.returns for p in points), ZERO),
        orders=sum(p.orders for p in points),
    )


def county_totals(
    county: County, period: Period, *, days: dict[dt.date, DailyPoint], leaderboard: list[PartnerRow]
) -> tuple[Totals, Totals]:
    """The KPI figures of the period and of the previous one: the one place they are
    added up, for the dashboard page, its API and its CSV export alike."""
    previous = period.previous()
    totals, previous_totals = _sum_days(_series(days, period)), _sum_days(_series(days, previous))
    totals.buyers, previous_totals.buyers = distinct_buyers(county, [period, previous])
    totals.active_partners, previous_totals.active_partners = active_partner_counts(leaderboard)
    return totals, previous_totals


def platform_confirmed_shares(county: County, period: Period) -> tuple[float | None, float | None]:
    """The share of the sales the platform confirmed, in the period and in the previous one:
    Σ total of the county's orders paid in the period that reconciliation marked confirmed,
    over Σ total of all its orders paid in it (None without payments).

    The one dashboard figure read from the orders (the rollups do not carry what the
    platform says): one aggregate over the county's payments of both periods, joined to
    their reconciliation rows by primary key."""
    previous = period.previous()
    start, end = days_bounds(period.start, period.end)
    previous_start, previous_end = days_bounds(previous.start, previous.end)
    now = Q(paid_at__gte=start, paid_at__lt=end)
    before = Q(paid_at__gte=previous_start, paid_at__lt=previous_end)
    confirmed = Q(reconciliation_row__state=Reconciliation.CONFIRMED)
    row = (
        Order.objects.filter(county=county, paid_at__gte=min(start, previous_start), paid_at__lt=max(end, previous_end))
        .order_by()
        .aggregate(
            paid=Sum("total_amount", filter=now),
            confirmed=Sum("total_amount", filter=now & confirmed),
            previous_paid=Sum("total_amount", filter=before),
            previous_confirmed=Sum("total_amount", filter=before & confirmed),
        )
    )

    def share(confirmed_sum, paid_sum) -> float | None:
        return float((confirmed_sum or ZERO) / paid_sum) if paid_sum else None

    return share(row["confirmed"], row["paid"]), share(row["previous_confirmed"], row["previous_paid"])


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


class VillageAnnotations(TypedDict):
    partner_name: str | None
    partner_id: int | None


def county_villages(county: County) -> QuerySet[WithAnnotations[Village, VillageAnnotations]]:
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
    # The previous period need not end the day before (a year to date: the same dates last year).
    in_previous = Q(day__gte=previous.start, day__lte=previous.end) if previous else Q(pk__in=[])
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
            previous_orders=Sum("orders", filter=in_previous),
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


def promotion_results(county: County, period: Period, days: dict[dt.date, DailyPoint]) -> Promotions:
    """Each promotion's days inside ``period`` (the page and its export show no day outside
    it), against the county's average normal (non-promotion) day over the 12 months to the
    period's end (or the whole period when it is longer). ``days`` holds the county's
    CountyDay rows of that window (already fetched for the trend)."""
    window = Period(start=min(period.start, period.end - dt.timedelta(days=364)), end=period.end, key="window")
    promotions = list(
        Promotion.objects.filter(starts_on__lte=window.end, ends_on__gte=window.start).order_by("starts_on")
    )
    promotion_days: set[dt.date] = set()
    for promotion in promotions:
        first, last = max(promotion.starts_on, window.start), min(promotion.ends_on, window.end)
        promotion_days |= {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    shown = [p for p in promotions if p.starts_on <= period.end and p.ends_on >= period.start]
    tagged: dict[tuple[int, dt.date], tuple[Decimal, int]] = {}  # (promotion, day) → (net sales, orders)
    if shown:
        for promotion_id, day, sales, returns, orders in PromotionCountyDay.objects.filter(
            county=county, promotion__in=shown, day__gte=period.start, day__lte=period.end
        ).values_list("promotion_id", "day", "sales", "returns", "orders"):
            tagged_sales, tagged_orders = tagged.get((promotion_id, day), (ZERO, 0))
            tagged[(promotion_id, day)] = (tagged_sales + (sales - returns), tagged_orders + orders)
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
    for promotion in shown:
        first, last = max(promotion.starts_on, period.start), min(promotion.ends_on, period.end)
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
    return Promotions(period=period, window=window, normal_day_sales=normal, normal_days=normal_days, results=results)


def county_dashboard(county: County, period: Period, *, village_sort: str = DEFAULT_VILLAGE_SORT) -> CountyDashboard:
    """Everything on the county dashboard, from a fixed handful of queries on rollup tables."""
    previous = period.previous()
    promotion_window_start = min(period.start, period.end - dt.timedelta(days=364))
    days = county_days(county, min(previous.start, promotion_window_start), period.end)
    daily = _series(days, period)
    previous_daily = _series(days, previous)
    leaderboard = partner_leaderboard(county, period, previous)
    totals, previous_totals = county_totals(county, period, days=days, leaderboard=leaderboard)
    by_category, by_channel = category_and_channel(county, period)
    confirmed_share, previous_confirmed_share = platform_confirmed_shares(county, period)
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
        promotions=promotion_results(county, period, days),
        billion_yuan=billion_yuan_progress(county_summary(county)),
        freshness=rollup_freshness(),
        platform_confirmed_share=confirmed_share,
        previous_platform_confirmed_share=previous_confirmed_share,
        flags=flag_figures(county_ids=[county.pk]),
        parcels=county_parcel_figures(county, period),
        behind_target=partners_behind_target(county),
        comparable=has_figures(days, previous),
    )


# ── National dashboard (admins) ──────────────────────────────────────────────


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
    # The funnel as a funnel: who reached each onboarding step, the conversion and the days.
    conversion: list[ConversionStep] = field(default_factory=list)
    flags: FlagFigures | None = None
    flags_by_rule: list[dict] = field(default_factory=list)
    counties_most_flagged: list[dict] = field(default_factory=list)
    # The counties whose slowest parcel leg (median hours, legs ended in the period) is slowest.
    slowest_legs: list[SlowCounty] = field(default_factory=list)
    slowest_legs_window: Period | None = None  # the days the slowest legs are read over
    comparable: bool = True  # the earlier period has figures

    @property
    def parcel_legs(self) -> tuple[Leg, ...]:
        """The legs, in order: the columns of the slowest-legs table."""
        return LEGS

    @property
    def kpis(self) -> list[Kpi]:
        totals, previous, c = self.totals, self.previous_totals, self.comparable
        return [
            Kpi("sales", _("Net sales"), totals.sales, previous.sales, comparable=c),
            Kpi("orders", _("Orders"), totals.orders, previous.orders, is_money=False, comparable=c),
            Kpi(
                "average_order_value",
                _("Average order value"),
                totals.average_order_value,
                previous.average_order_value,
                comparable=c,
            ),
            Kpi("returns", _("Returns"), totals.returns, previous.returns, higher_is_better=False, comparable=c),
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
        funnel=recruitment_funnel_steps(),
        conversion=recruitment_conversion(),
        freshness=rollup_freshness(),
        flags=flag_figures(),
        flags_by_rule=flags_by_rule(),
        counties_most_flagged=counties_with_most_open_flags(),
        slowest_legs=counties_with_slowest_legs(period),
        slowest_legs_window=slowest_legs_window(period),
        comparable=has_figures(days, previous),
    )
