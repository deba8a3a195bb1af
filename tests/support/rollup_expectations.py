"""What the rollup tables must hold: every figure recomputed from the raw orders in plain
Python, independently of the SQL, and a snapshot of every table to compare two runs.

``expected_figures()`` and ``actual_figures()`` return the same keys, one per rollup
table: county day, category × channel day and month, village day, buyers of the day and
the month, promotion day (buyers included), province day, national day, partner income
and the county summary (trailing 12 months of online sales, the 亿元淘宝县 flag, ranks)."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from analytics.models import (
    CountyBuyerDay,
    CountyBuyerMonth,
    CountyCategoryChannelDay,
    CountyCategoryChannelMonth,
    CountyDay,
    CountyOnlineRetailMonth,
    CountySummary,
    MonthlyStatement,
    NationalDay,
    PartnerDailyIncome,
    PromotionCountyDay,
    ProvinceDay,
    VillageDay,
)
from counties.models import County
from integrity.models import Flag, FlagStatus
from orders.models import Order
from partners.models import CommissionRate, ProcurementRate
from rural_taobao import dates
from tests.support.dates import SHANGHAI

# The 亿元淘宝县 mark, written out here (not read from the code under test): ¥1亿.
THRESHOLD = Decimal(100_000_000)
CENT = Decimal("0.01")


def _day(moment):
    return moment.astimezone(SHANGHAI).date()


def _rate_books():
    """Each category's rate history and the procurement rate's, newest first."""
    by_category = defaultdict(list)
    for category_id, effective_from, rate in CommissionRate.objects.values_list(
        "category_id", "effective_from", "rate"
    ):
        by_category[category_id].append((effective_from, rate))
    for history in by_category.values():
        history.sort(reverse=True)
    procurement = sorted(ProcurementRate.objects.values_list("effective_from", "rate"), reverse=True)
    return by_category, procurement


def _in_force(history, day) -> Decimal:
    return next((rate for effective_from, rate in history if effective_from <= day), Decimal(0))


def _commission(order, lines, paid_day, books) -> Decimal:
    """The order's commission at the rates in force on its paid day, looked up here from
    the rate tables (not read from the line's snapshot)."""
    by_category, procurement = books
    total = Decimal(0)
    for line in lines:
        history = procurement if order.channel == "government_procurement" else by_category[line.category_id]
        total += (line.line_total * _in_force(history, paid_day)).quantize(CENT, rounding=ROUND_HALF_UP)
    return total


def _official_part(figure: Decimal, month: dt.date, after: dt.date, through: dt.date) -> tuple[Decimal, int]:
    """The share of an official month's figure falling in the days (after, through], day by day."""
    days = [month + dt.timedelta(days=i) for i in range(31) if (month + dt.timedelta(days=i)).month == month.month]
    inside = sum(1 for day in days if after < day <= through)
    return (figure * inside / len(days)).quantize(CENT, rounding=ROUND_HALF_UP), inside


def _summary(category: dict, as_of: dt.date) -> dict:
    """The county summary as of a day: online sales are the farm-produce channel's net
    sales, except in a month with an official figure, which counts instead (its share of
    days inside each window); purchases and procurement are kept beside."""
    t12_from, p12_from = as_of - dt.timedelta(days=365), as_of - dt.timedelta(days=730)
    year_from = as_of.replace(month=1, day=1) - dt.timedelta(days=1)
    windows = [(t12_from, as_of), (p12_from, t12_from), (year_from, as_of)]
    official = {(r.county_id, r.month): r.online_retail_sales for r in CountyOnlineRetailMonth.objects.all()}
    net = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    beside = defaultdict(lambda: {"assisted_purchase": Decimal(0), "government_procurement": Decimal(0)})
    for (county_id, day, _category_id, channel), v in category.items():
        amount = v["sales"] - v["returns"]
        if channel != "farm_produce":
            if t12_from < day <= as_of:
                beside[county_id][channel] += amount
            continue
        if (county_id, day.replace(day=1)) in official:
            continue
        for i, (after, through) in enumerate(windows):
            if after < day <= through:
                net[county_id][i] += amount
    months_used = defaultdict(int)
    for (county_id, month), figure in official.items():
        for i, (after, through) in enumerate(windows):
            share, inside = _official_part(figure, month, after, through)
            net[county_id][i] += share
            if i == 0 and inside:
                months_used[county_id] += 1
    counties = dict(County.objects.values_list("id", "province_id"))
    t12 = {county_id: net[county_id][0] for county_id in counties}
    summary = {}
    for county_id, province_id in counties.items():
        mine = t12[county_id]
        summary[county_id] = (
            as_of,
            mine,
            net[county_id][1],
            net[county_id][2],
            mine >= THRESHOLD,
            1 + sum(1 for other in t12.values() if other > mine),
            1 + sum(1 for other, p in counties.items() if p == province_id and t12[other] > mine),
            beside[county_id]["assisted_purchase"],
            beside[county_id]["government_procurement"],
            months_used[county_id],
        )
    return summary


def expected_figures(*, through: dt.date | None = None, as_of: dt.date | None = None) -> dict:
    """Every rollup figure recomputed from the orders, independently of the SQL.

    Only money events on days up to ``through`` count (the days a run has rolled up:
    yesterday by default); the county summary is as of ``as_of`` (``through`` by
    default). An order whose flag a reviewer confirmed counts nowhere."""
    through = through or dates.shanghai_yesterday()
    as_of = as_of or through
    books = _rate_books()
    not_sales = set(Flag.objects.filter(status=FlagStatus.CONFIRMED).values_list("order_id", flat=True))

    def figures():
        return {"sales": Decimal(0), "returns": Decimal(0), "commission": Decimal(0), "orders": set()}

    def area():
        return {**figures(), "returned_orders": set(), "buyers": set(), "partners": set()}

    county_day, province_day, national_day = defaultdict(area), defaultdict(area), defaultdict(area)
    category = defaultdict(area)
    village = defaultdict(area)
    promotion = defaultdict(area)
    buyer_day = set()
    partner_day = defaultdict(
        lambda: {
            "orders": 0,
            "returned_orders": 0,
            "sales": Decimal(0),
            "returned_sales": Decimal(0),
            "assisted_sales": Decimal(0),
            "commission": Decimal(0),
            "reversals": Decimal(0),
        }
    )
    for order in Order.objects.prefetch_related("lines").select_related("county"):
        if not order.paid_at or order.pk in not_sales:
            continue
        paid_day = _day(order.paid_at)
        events = [(paid_day, 1)]
        reversal = order.returned_at or order.cancelled_at
        if reversal:
            events.append((_day(reversal), -1))
        lines = list(order.lines.all())
        amount = sum((line.line_total for line in lines), Decimal(0))
        commission = _commission(order, lines, paid_day, books)
        for day, sign in events:
            if day > through:
                continue
            rows = [
                county_day[(order.county_id, day)],
                province_day[(order.county.province_id, day)],
                national_day[day],
                village[(order.village_id, order.county_id, day)],
            ]
            if order.promotion_id:
                rows.append(promotion[(order.promotion_id, order.county_id, day)])
            pd = partner_day[(order.placed_by_id, day)]
            if sign == 1:
                for row in rows:
                    row["sales"] += amount
                    row["commission"] += commission
                    row["orders"].add(order.pk)
                    row["buyers"].add(order.villager_id)
                    row["partners"].add(order.placed_by_id)
                buyer_day.add((order.county_id, day, order.villager_id, order.placed_by_id))
                pd["orders"] += 1
                pd["sales"] += amount
                pd["commission"] += commission
            else:
                for row in rows:
                    row["returns"] += amount
                    row["returned_orders"].add(order.pk)
                pd["returned_orders"] += 1
                pd["returned_sales"] += amount
                pd["reversals"] += commission
            if order.channel == "assisted_purchase":
                pd["assisted_sales"] += sign * amount
            for line in lines:
                cc = category[(order.county_id, day, line.category_id, order.channel)]
                if sign == 1:
                    cc["sales"] += line.line_total
                    cc["commission"] += _commission(order, [line], paid_day, books)
                    cc["orders"].add(order.pk)
                    cc["buyers"].add(order.villager_id)
                else:
                    cc["returns"] += line.line_total
                    cc["returned_orders"].add(order.pk)
    # Month rows, straight from the orders' events too: sums per calendar month, and each
    # villager who bought in the county in the month once.
    category_month = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0), 0, 0])
    for (county_id, day, category_id, channel), v in category.items():
        row = category_month[(county_id, day.replace(day=1), category_id, channel)]
        row[0] += v["sales"]
        row[1] += v["returns"]
        row[2] += v["commission"]
        row[3] += len(v["orders"])
        row[4] += len(v["returned_orders"])
    buyer_month = {(county_id, day.replace(day=1), villager) for county_id, day, villager, _ in buyer_day}

    def area_row(v):
        return (v["sales"], v["returns"], len(v["orders"]), len(v["buyers"]), len(v["partners"]))

    return {
        "county_day": {
            k: (
                v["sales"],
                v["returns"],
                v["commission"],
                len(v["orders"]),
                len(v["returned_orders"]),
                len(v["buyers"]),
                len(v["partners"]),
            )
            for k, v in county_day.items()
        },
        "category": {
            k: (
                v["sales"],
                v["returns"],
                v["commission"],
                len(v["orders"]),
                len(v["returned_orders"]),
                len(v["buyers"]),
            )
            for k, v in category.items()
        },
        "category_month": {k: tuple(v) for k, v in category_month.items()},
        "village": {k: (v["sales"], v["returns"], len(v["orders"]), len(v["buyers"])) for k, v in village.items()},
        "buyer_day": buyer_day,
        "buyer_month": buyer_month,
        "promotion": {k: (v["sales"], v["returns"], len(v["orders"]), len(v["buyers"])) for k, v in promotion.items()},
        "province_day": {k: area_row(v) for k, v in province_day.items()},
        "national_day": {k: area_row(v) for k, v in national_day.items()},
        "partner_day": {
            k: (
                v["orders"],
                v["returned_orders"],
                v["sales"],
                v["returned_sales"],
                v["assisted_sales"],
                v["commission"],
                v["reversals"],
            )
            for k, v in partner_day.items()
        },
        "county_summary": _summary(category, as_of),
    }


def actual_figures() -> dict:
    """The rollup tables, in the shape of ``expected_figures()``."""
    return {
        "county_day": {
            (r.county_id, r.day): (
                r.sales,
                r.returns,
                r.commission,
                r.orders,
                r.returned_orders,
                r.buyers,
                r.active_partners,
            )
            for r in CountyDay.objects.all()
        },
        "category": {
            (r.county_id, r.day, r.category_id, r.channel): (
                r.sales,
                r.returns,
                r.commission,
                r.orders,
                r.returned_orders,
                r.buyers,
            )
            for r in CountyCategoryChannelDay.objects.all()
        },
        "category_month": {
            (r.county_id, r.month, r.category_id, r.channel): (
                r.sales,
                r.returns,
                r.commission,
                r.orders,
                r.returned_orders,
            )
            for r in CountyCategoryChannelMonth.objects.all()
        },
        "village": {
            (r.village_id, r.county_id, r.day): (r.sales, r.returns, r.orders, r.buyers)
            for r in VillageDay.objects.all()
        },
        "buyer_day": {(r.county_id, r.day, r.villager_id, r.partner_id) for r in CountyBuyerDay.objects.all()},
        "buyer_month": {(r.county_id, r.month, r.villager_id) for r in CountyBuyerMonth.objects.all()},
        "promotion": {
            (r.promotion_id, r.county_id, r.day): (r.sales, r.returns, r.orders, r.buyers)
            for r in PromotionCountyDay.objects.all()
        },
        "province_day": {
            (r.province_id, r.day): (r.sales, r.returns, r.orders, r.buyers, r.active_partners)
            for r in ProvinceDay.objects.all()
        },
        "national_day": {
            r.day: (r.sales, r.returns, r.orders, r.buyers, r.active_partners) for r in NationalDay.objects.all()
        },
        "partner_day": {
            (r.partner_id, r.day): (
                r.orders,
                r.returned_orders,
                r.sales,
                r.returned_sales,
                r.assisted_sales,
                r.commission,
                r.reversals,
            )
            for r in PartnerDailyIncome.objects.all()
        },
        "county_summary": {
            r.county_id: (
                r.as_of,
                r.trailing_12m_sales,
                r.prior_12m_sales,
                r.year_to_date_sales,
                r.is_billion_yuan,
                r.national_rank,
                r.provincial_rank,
                r.trailing_12m_purchases,
                r.trailing_12m_procurement,
                r.official_months,
            )
            for r in CountySummary.objects.all()
        },
    }


def assert_rollups_equal_the_orders(**kwargs) -> None:
    """Every rollup table equals the recomputation (one table at a time, so a failure
    names its table)."""
    expected, actual = expected_figures(**kwargs), actual_figures()
    assert set(expected) == set(actual)
    for table in expected:
        assert actual[table] == expected[table], table


def all_tables():
    """Every rollup row, without ids: what 'identical tables' means."""
    models = [
        CountyDay,
        CountyCategoryChannelDay,
        VillageDay,
        CountyBuyerDay,
        PromotionCountyDay,
        ProvinceDay,
        NationalDay,
        PartnerDailyIncome,
        CountyCategoryChannelMonth,
        CountyBuyerMonth,
    ]
    snapshot = {
        m.__name__: sorted(tuple(v for k, v in row.items() if k != "id") for row in m.objects.values()) for m in models
    }
    snapshot["statements"] = sorted(
        tuple(v for k, v in row.items() if k not in {"id", "closed_at", "computed_at"})
        for row in MonthlyStatement.objects.values()
    )
    snapshot["summary"] = sorted(tuple(row.values()) for row in CountySummary.objects.values())
    return snapshot
