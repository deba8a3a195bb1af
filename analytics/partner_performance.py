"""How partners are doing: one partner's last 12 months, the national partner ranking of a
month, the distribution of partners' monthly income, and the partners behind their target.

Every figure comes from the nightly tables, each read in one grouped query (never a query
per month or per partner):

- sales, orders, returns, commission earned: ``PartnerDailyIncome`` (a sale counts on the
  Shanghai day it was paid, a return on its own day; sales are net: paid − returned;
  commission is what the month's payments earned minus what its returns took back);
- income: the month's ``MonthlyStatement`` total — what the partner's income page
  (/partner/income/) calls the month's total, and what they are paid;
- villagers served: distinct buyers of ``CountyBuyerDay`` (a villager who bought from two
  partners of the county on one day counts for the first of them, as the rollup records);
- flags: the integrity flags of the partner's orders, open or confirmed;
- days since the last order: the partner's newest order (the only read of the orders: one
  row through the (partner, -placed_at) index, as no rollup holds today's orders).

The figures stop at the last nightly run (the current month is "so far").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from counties.models import County, Province
from integrity.models import Flag, FlagStatus
from orders.models import Order
from partners.models import Partner, PartnerTarget
from partners.targets import TargetProgress
from rural_taobao import dates
from rural_taobao.dates import add_months, next_month
from rural_taobao.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from .freshness import Freshness, rollup_freshness
from .models import CountyBuyerDay, MonthlyStatement, PartnerDailyIncome

ZERO = Decimal("0.00")
MONTHS = 12
MONEY = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


def _money_sum(name: str, condition: Q | None = None):
    return Coalesce(Sum(name, filter=condition), Value(ZERO), output_field=MONEY)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ── One partner ──────────────────────────────────────────────────────────────


@dataclass
class PerformanceMonth:
    month: dt.date
    orders: int = 0  # paid in the month
    returned_orders: int = 0  # returned (or cancelled after payment) in the month
    gross_sales: Decimal = ZERO
    returned_sales: Decimal = ZERO
    commission_earned: Decimal = ZERO
    reversals: Decimal = ZERO
    income: Decimal | None = None  # the month's statement total (None: no statement)
    villagers: int = 0
    target: Decimal | None = None

    @property
    def sales(self) -> Decimal:
        return self.gross_sales - self.returned_sales

    @property
    def commission(self) -> Decimal:
        return self.commission_earned - self.reversals

    @property
    def return_rate(self) -> float | None:
        """Orders returned in the month over orders paid in it (None without payments)."""
        return _ratio(self.returned_orders, self.orders)

    @property
    def target_share(self) -> float | None:
        return float(self.sales / self.target) if self.target else None

    @property
    def target_percent(self) -> int | None:
        share = self.target_share
        return None if share is None else int(share * 100)


@dataclass
class PerformanceHeadline:
    sales: Decimal
    orders: int
    returned_orders: int
    commission: Decimal
    income: Decimal
    villagers: int  # distinct over the 12 months
    last_order_at: dt.datetime | None
    days_since_last_order: int | None
    open_flags: int
    confirmed_flags: int
    target: TargetProgress | None  # this month's

    @property
    def return_rate(self) -> float | None:
        return _ratio(self.returned_orders, self.orders)


@dataclass
class PartnerPerformance:
    partner: Partner
    first_month: dt.date
    last_month: dt.date
    months: list[PerformanceMonth]  # oldest first, one per month, zeros where nothing happened
    headline: PerformanceHeadline
    freshness: Freshness

    @property
    def months_newest_first(self) -> list[PerformanceMonth]:
        return list(reversed(self.months))


def performance_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first days of the 12 Shanghai months ending with this one."""
    current = dates.month_start(today or dates.shanghai_today())
    return add_months(current, -(MONTHS - 1)), current


def partner_performance(partner: Partner, *, today: dt.date | None = None) -> PartnerPerformance:
    """The partner's last 12 months and their headline, in seven queries."""
    today = today or dates.shanghai_today()
    first, current = performance_window(today)
    end = next_month(current)
    months = {add_months(first, i): PerformanceMonth(add_months(first, i)) for i in range(MONTHS)}

    income_rows = (
        PartnerDailyIncome.objects.filter(partner=partner, day__gte=first, day__lt=end)
        .annotate(m=TruncMonth("day"))
        .values("m")
        .annotate(
            orders=Coalesce(Sum("orders"), 0),
            returned_orders=Coalesce(Sum("returned_orders"), 0),
            gross_sales=_money_sum("sales"),
            returned_sales=_money_sum("returned_sales"),
            commission=_money_sum("commission"),
            reversals=_money_sum("reversals"),
        )
        .order_by()
    )
    for row in income_rows:
        month = months[_as_date(row["m"])]
        month.orders, month.returned_orders = row["orders"], row["returned_orders"]
        month.gross_sales, month.returned_sales = row["gross_sales"], row["returned_sales"]
        month.commission_earned, month.reversals = row["commission"], row["reversals"]

    for month_day, total in MonthlyStatement.objects.filter(
        partner=partner, month__gte=first, month__lte=current
    ).values_list("month", "total"):
        months[month_day].income = total

    buyers = CountyBuyerDay.objects.filter(
        county_id=partner.village.county_id, partner=partner, day__gte=first, day__lt=end
    )
    for row in (
        buyers.annotate(m=TruncMonth("day")).values("m").annotate(n=Count("villager_id", distinct=True)).order_by()
    ):
        months[_as_date(row["m"])].villagers = row["n"]
    villagers = buyers.aggregate(n=Count("villager_id", distinct=True))["n"]

    for month_day, amount in PartnerTarget.objects.filter(
        partner=partner, month__gte=first, month__lte=current
    ).values_list("month", "sales_target"):
        months[month_day].target = amount

    flags = dict(
        Flag.objects.filter(partner=partner, status__in=[FlagStatus.OPEN, FlagStatus.CONFIRMED])
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    last_order_at = Order.objects.filter(placed_by=partner).aggregate(last=Max("placed_at"))["last"]

    rows = list(months.values())
    this = months[current]
    headline = PerformanceHeadline(
        sales=sum((m.sales for m in rows), ZERO),
        orders=sum(m.orders for m in rows),
        returned_orders=sum(m.returned_orders for m in rows),
        commission=sum((m.commission for m in rows), ZERO),
        income=sum((m.income or ZERO for m in rows), ZERO),
        villagers=villagers,
        last_order_at=last_order_at,
        days_since_last_order=(today - dates.shanghai_day(last_order_at)).days if last_order_at else None,
        open_flags=flags.get(FlagStatus.OPEN, 0),
        confirmed_flags=flags.get(FlagStatus.CONFIRMED, 0),
        target=TargetProgress(month=current, target=this.target, sales=this.sales) if this.target else None,
    )
    return PartnerPerformance(
        partner=partner,
        first_month=first,
        last_month=current,
        months=rows,
        headline=headline,
        freshness=rollup_freshness(),
    )


def _as_date(value) -> dt.date:
    # TruncMonth of a date column is a date; some backends hand back a datetime.
    return value.date() if isinstance(value, dt.datetime) else value


# ── The national partner ranking (admins) ────────────────────────────────────

RANKING_ORDERINGS = {
    "sales": (F("sales").desc(), "partner_id"),
    "commission": (F("commission").desc(), F("sales").desc(), "partner_id"),
    "income": (F("income").desc(nulls_last=True), F("sales").desc(), "partner_id"),
    "growth": (F("growth").desc(nulls_last=True), F("sales").desc(), "partner_id"),
}
RANKING_ORDERING_CHOICES = [
    ("sales", _("Sales")),
    ("commission", _("Commission")),
    ("income", _("Income")),
    ("growth", _("Growth on the month before")),
]


def partner_ranking(
    month: dt.date,
    *,
    province: Province | None = None,
    county: County | None = None,
    ordering: str = "sales",
) -> QuerySet:
    """Partners with figures in ``month``, best first by ``ordering``: one grouped query over
    the month's and the previous month's day rows (the previous month gives the growth),
    with the month's statement total as the income. Rows are dicts."""
    month = month.replace(day=1)
    previous, end = add_months(month, -1), next_month(month)
    in_month = Q(day__gte=month)
    rows = PartnerDailyIncome.objects.filter(day__gte=previous, day__lt=end)
    if province is not None:
        rows = rows.filter(partner__village__county__province=province)
    if county is not None:
        rows = rows.filter(partner__village__county=county)
    income = MonthlyStatement.objects.filter(partner=OuterRef("partner_id"), month=month).values("total")[:1]
    return (
        rows.values(
            "partner_id",
            "partner__real_name",
            "partner__status",
            "partner__village__name",
            "partner__village__county__code",
            "partner__village__county__name",
            "partner__village__county__name_en",
            "partner__village__county__province__name",
            "partner__village__county__province__name_en",
        )
        .annotate(
            # Each name below shadows the day rows' column of that name: the columns it
            # reads are aggregated before the annotation that replaces them.
            days_in_month=Count("id", filter=in_month),
            previous_sales=_money_sum("sales", ~in_month) - _money_sum("returned_sales", ~in_month),
            commission=_money_sum("commission", in_month) - _money_sum("reversals", in_month),
            sales=_money_sum("sales", in_month) - _money_sum("returned_sales", in_month),
            orders=Coalesce(Sum("orders", filter=in_month), 0),
            income=Subquery(income, output_field=MONEY),
        )
        .filter(days_in_month__gt=0)
        .annotate(growth=_growth())
        .order_by(*RANKING_ORDERINGS.get(ordering, RANKING_ORDERINGS["sales"]))
    )


def _growth():
    ratio = DecimalField(max_digits=24, decimal_places=4)
    return Case(
        When(
            previous_sales__gt=0,
            then=Cast(F("sales") - F("previous_sales"), ratio) / Cast(F("previous_sales"), ratio),
        ),
        default=None,
        output_field=ratio,
    )


# ── Income distribution ──────────────────────────────────────────────────────


@dataclass(frozen=True)
class IncomeBand:
    key: str
    label: str
    low: Decimal | None  # included
    high: Decimal | None  # excluded

    def condition(self) -> Q:
        q = Q()
        if self.low is not None:
            q &= Q(total__gte=self.low)
        if self.high is not None:
            q &= Q(total__lt=self.high)
        return q


INCOME_BANDS = [
    IncomeBand("under_1000", _("under ¥1,000"), None, Decimal("1000")),
    IncomeBand("1000_3000", _("¥1,000–3,000"), Decimal("1000"), Decimal("3000")),
    IncomeBand("3000_5000", _("¥3,000–5,000"), Decimal("3000"), Decimal("5000")),
    IncomeBand("5000_10000", _("¥5,000–10,000"), Decimal("5000"), Decimal("10000")),
    IncomeBand("10000_16000", _("¥10,000–16,000"), Decimal("10000"), Decimal("16000")),
    IncomeBand("16000_up", _("¥16,000 and more"), Decimal("16000"), None),
]
# The programme's headline: partners earning ¥5,000 a month or more.
GOOD_INCOME = Decimal("5000")


@dataclass
class IncomeDistribution:
    month: dt.date
    partners: int  # with a statement for the month
    over_5000: int
    bands: list[tuple[IncomeBand, int]] = field(default_factory=list)

    @property
    def over_5000_share(self) -> float | None:
        return _ratio(self.over_5000, self.partners)


def income_distribution(
    month: dt.date, *, province: Province | None = None, county: County | None = None
) -> IncomeDistribution:
    """How many partners' statements for ``month`` fall in each income band (bands include
    their lower bound: ¥5,000 exactly is in 5,000–10,000 and counts as "¥5,000 or more"),
    in one query. A partner without a statement for the month earned nothing it counts."""
    statements = MonthlyStatement.objects.filter(month=month.replace(day=1))
    if province is not None:
        statements = statements.filter(partner__village__county__province=province)
    if county is not None:
        statements = statements.filter(partner__village__county=county)
    counts = statements.aggregate(
        partners=Count("id"),
        over_5000=Count("id", filter=Q(total__gte=GOOD_INCOME)),
        **{band.key: Count("id", filter=band.condition()) for band in INCOME_BANDS},
    )
    return IncomeDistribution(
        month=month.replace(day=1),
        partners=counts["partners"],
        over_5000=counts["over_5000"],
        bands=[(band, counts[band.key]) for band in INCOME_BANDS],
    )


# ── Behind target (county dashboard) ─────────────────────────────────────────

# After this day of the month, a partner under half their target is listed.
BEHIND_TARGET_AFTER_DAY = 20


@dataclass
class BehindTarget:
    partner_id: int
    name: str
    village: str
    target: Decimal
    sales: Decimal

    @property
    def percent(self) -> int:
        return int(self.sales / self.target * 100) if self.target else 0


def partners_behind_target(county: County, *, today: dt.date | None = None) -> list[BehindTarget]:
    """After the 20th: the county's partners whose month's net sales so far (through the
    last nightly run) are under half of this month's target, furthest behind first. One query."""
    today = today or dates.shanghai_today()
    if today.day <= BEHIND_TARGET_AFTER_DAY:
        return []
    month = dates.month_start(today)
    month_sales = (
        PartnerDailyIncome.objects.filter(partner=OuterRef("partner_id"), day__gte=month, day__lt=next_month(month))
        .values("partner")
        .annotate(net=Sum(F("sales") - F("returned_sales")))
        .values("net")
    )
    rows = (
        PartnerTarget.objects.filter(month=month, partner__village__county=county)
        .annotate(sales=Coalesce(Subquery(month_sales, output_field=MONEY), Value(ZERO), output_field=MONEY))
        .filter(sales__lt=F("sales_target") / 2)
        .values_list("partner_id", "partner__real_name", "partner__village__name", "sales_target", "sales")
    )
    behind = [BehindTarget(*row) for row in rows]
    behind.sort(key=lambda b: (b.sales / b.target, b.name, b.partner_id))
    return behind
