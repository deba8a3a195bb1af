"""What the rollup tables must hold: every figure recomputed from the raw orders in plain
Python, independently of the SQL, and a snapshot of every table to compare two runs."""

from collections import defaultdict
from decimal import Decimal

from analytics.models import (
    CountyBuyerDay,
    CountyBuyerMonth,
    CountyCategoryChannelDay,
    CountyCategoryChannelMonth,
    CountyDay,
    CountySummary,
    MonthlyStatement,
    NationalDay,
    PartnerDailyIncome,
    PromotionCountyDay,
    ProvinceDay,
    VillageDay,
)
from orders.models import Order
from tests.support.dates import SHANGHAI


def _day(moment):
    return moment.astimezone(SHANGHAI).date()


def expected_figures():
    """Every rollup figure recomputed from the orders, independently of the SQL."""
    county_day = defaultdict(
        lambda: {
            "sales": Decimal(0),
            "returns": Decimal(0),
            "orders": 0,
            "returned_orders": 0,
            "buyers": set(),
            "partners": set(),
        }
    )
    category = defaultdict(
        lambda: {"sales": Decimal(0), "returns": Decimal(0), "orders": set(), "returned_orders": set(), "buyers": set()}
    )
    village = defaultdict(lambda: {"sales": Decimal(0), "returns": Decimal(0), "orders": 0, "buyers": set()})
    promotion = defaultdict(lambda: {"sales": Decimal(0), "returns": Decimal(0), "orders": 0})
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
        events = []
        if order.paid_at:
            events.append((_day(order.paid_at), 1))
            reversal = order.returned_at or order.cancelled_at
            if reversal:
                events.append((_day(reversal), -1))
        lines = list(order.lines.all())
        amount = sum((line.line_total for line in lines), Decimal(0))
        commission = sum((line.commission_amount or Decimal(0) for line in lines), Decimal(0))
        for day, sign in events:
            cd = county_day[(order.county_id, day)]
            pd = partner_day[(order.partner_id, day)]
            vd = village[(order.village_id, day)]
            if sign == 1:
                cd["sales"] += amount
                cd["orders"] += 1
                cd["buyers"].add(order.villager_id)
                cd["partners"].add(order.partner_id)
                pd["orders"] += 1
                pd["sales"] += amount
                pd["commission"] += commission
                vd["sales"] += amount
                vd["orders"] += 1
                vd["buyers"].add(order.villager_id)
            else:
                cd["returns"] += amount
                cd["returned_orders"] += 1
                pd["returned_orders"] += 1
                pd["returned_sales"] += amount
                pd["reversals"] += commission
                vd["returns"] += amount
            if order.channel == "assisted_purchase":
                pd["assisted_sales"] += sign * amount
            if order.promotion_id:
                pr = promotion[(order.promotion_id, order.county_id, day)]
                pr["sales" if sign == 1 else "returns"] += amount
                pr["orders"] += 1 if sign == 1 else 0
            for line in lines:
                cc = category[(order.county_id, day, line.category_id, order.channel)]
                if sign == 1:
                    cc["sales"] += line.line_total
                    cc["orders"].add(order.id)
                    cc["buyers"].add(order.villager_id)
                else:
                    cc["returns"] += line.line_total
                    cc["returned_orders"].add(order.id)
    # Month rows, straight from the orders' events too: sums per calendar month, and each
    # villager who bought in the county in the month once.
    category_month = defaultdict(lambda: [Decimal(0), Decimal(0), 0, 0])
    for (county_id, day, category_id, channel), v in category.items():
        row = category_month[(county_id, day.replace(day=1), category_id, channel)]
        row[0] += v["sales"]
        row[1] += v["returns"]
        row[2] += len(v["orders"])
        row[3] += len(v["returned_orders"])
    buyer_month = set()
    for (county_id, day), v in county_day.items():
        buyer_month |= {(county_id, day.replace(day=1), villager) for villager in v["buyers"]}
    return {
        "category_month": {k: tuple(v) for k, v in category_month.items()},
        "buyer_month": buyer_month,
        "county_day": {
            k: (v["sales"], v["returns"], v["orders"], v["returned_orders"], len(v["buyers"]), len(v["partners"]))
            for k, v in county_day.items()
        },
        "category": {
            k: (v["sales"], v["returns"], len(v["orders"]), len(v["returned_orders"]), len(v["buyers"]))
            for k, v in category.items()
        },
        "village": {k: (v["sales"], v["returns"], v["orders"], len(v["buyers"])) for k, v in village.items()},
        "promotion": {k: (v["sales"], v["returns"], v["orders"]) for k, v in promotion.items()},
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
    }


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
