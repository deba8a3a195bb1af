"""Building paid, cancelled and returned orders for rollup tests, and an independent
recomputation of every figure straight from the raw orders (plain Python)."""

import datetime as dt
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from orders.models import Order, OrderLine, OrderStatus
from partners.models import CommissionRate, IncentiveTier, ProcurementRate

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")


def shanghai(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def _rate_on(category_id: int, channel: str, day: dt.date) -> Decimal:
    if channel == "government_procurement":
        rows = ProcurementRate.objects.filter(effective_from__lte=day).order_by("-effective_from")
    else:
        rows = CommissionRate.objects.filter(category_id=category_id, effective_from__lte=day).order_by(
            "-effective_from"
        )
    first = rows.first()
    return first.rate if first else Decimal("0")


_counter = [0]


def make_order(
    *,
    partner,
    villager,
    lines,
    paid_at=None,
    channel="assisted_purchase",
    promotion=None,
    cancelled_at=None,
    returned_at=None,
    placed_at=None,
):
    """An order in its final state with its line commission snapshotted at payment."""
    _counter[0] += 1
    if returned_at:
        status = OrderStatus.RETURNED
    elif cancelled_at:
        status = OrderStatus.CANCELLED
    elif paid_at:
        status = OrderStatus.PAID
    else:
        status = OrderStatus.PLACED
    placed_at = placed_at or (paid_at or cancelled_at or shanghai(dt.date(2025, 1, 1))) - dt.timedelta(hours=1)
    order = Order.objects.create(
        order_no=f"T-{uuid.uuid4().hex[:16]}",
        client_request_id=uuid.uuid4(),
        partner=partner,
        villager=villager,
        village=partner.village,
        county=partner.village.county,
        channel=channel,
        promotion=promotion,
        status=status,
        total_amount=sum((Decimal(q) * p for _, q, p in lines), Decimal("0")),
        buyer_organisation="县城管局" if channel == "government_procurement" else "",
        reference="REF-1" if channel == "government_procurement" else "",
        placed_at=placed_at,
        paid_at=paid_at,
        cancelled_at=cancelled_at,
        returned_at=returned_at,
        picked_up_at=returned_at and paid_at,
    )
    paid_day = paid_at.astimezone(SHANGHAI).date() if paid_at else None
    for category, quantity, price in lines:
        total = (Decimal(quantity) * price).quantize(CENT)
        rate = _rate_on(category.id, channel, paid_day) if paid_day else None
        OrderLine.objects.create(
            order=order,
            product_name="商品",
            category=category,
            quantity=quantity,
            unit_price=price,
            line_total=total,
            commission_rate=rate,
            commission_amount=(total * rate).quantize(CENT, rounding=ROUND_HALF_UP) if rate is not None else None,
        )
    return order


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


def expected_statements(partner_day: dict) -> dict:
    """Per (partner, first day of month): commission, reversals, incentive, total, net sales."""
    months = defaultdict(
        lambda: {
            "sales": Decimal(0),
            "assisted": Decimal(0),
            "commission": Decimal(0),
            "reversals": Decimal(0),
            "orders": 0,
        }
    )
    for (partner_id, day), (orders, _ro, sales, returned, assisted, commission, reversals) in partner_day.items():
        m = months[(partner_id, day.replace(day=1))]
        m["orders"] += orders
        m["sales"] += sales - returned
        m["assisted"] += assisted
        m["commission"] += commission
        m["reversals"] += reversals
    tiers = list(IncentiveTier.objects.order_by("-min_monthly_sales"))
    result = {}
    for key, m in months.items():
        bonus = next((t.bonus for t in tiers if t.min_monthly_sales <= m["assisted"]), Decimal(0))
        result[key] = (
            m["orders"],
            m["sales"],
            m["commission"],
            m["reversals"],
            bonus,
            m["commission"] - m["reversals"] + bonus,
        )
    return result
