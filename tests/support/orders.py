"""Orders for tests, all built on tests.support.factories.

- ``place_order`` / ``move_to``: through the real services (``order_create``,
  ``order_transition``), for tests of what those services and the pages on top of them do;
- ``make_order``: an order in its final state (paid, cancelled, returned) written directly
  with ``OrderFactory`` / ``OrderLineFactory``, its line commission snapshotted at payment as
  the payment service does, for tests that need many orders on chosen days (rollups,
  dashboards, income).
"""

import datetime as dt
import re
import uuid
from decimal import ROUND_HALF_UP, Decimal

from orders.models import Category, Order, OrderStatus
from orders.services import order_create, order_transition
from partners.models import CommissionRate, ProcurementRate
from tests.support.dates import SHANGHAI, shanghai
from tests.support.factories import CategoryFactory, OrderFactory, OrderLineFactory

CENT = Decimal("0.01")

# The path from placed to each status, through the legal transitions.
PATH_TO: dict[str, list[str]] = {
    OrderStatus.PLACED: [],
    OrderStatus.PAID: [OrderStatus.PAID],
    OrderStatus.SHIPPED: [OrderStatus.PAID, OrderStatus.SHIPPED],
    OrderStatus.AT_COUNTY_CENTRE: [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.AT_COUNTY_CENTRE],
    OrderStatus.AT_SERVICE_POINT: [
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.AT_COUNTY_CENTRE,
        OrderStatus.AT_SERVICE_POINT,
    ],
    OrderStatus.PICKED_UP: [
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.AT_COUNTY_CENTRE,
        OrderStatus.AT_SERVICE_POINT,
        OrderStatus.PICKED_UP,
    ],
    OrderStatus.CANCELLED: [OrderStatus.CANCELLED],
    OrderStatus.RETURNED: [
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.AT_COUNTY_CENTRE,
        OrderStatus.AT_SERVICE_POINT,
        OrderStatus.PICKED_UP,
        OrderStatus.RETURNED,
    ],
}


def appliances() -> Category:
    return CategoryFactory(slug="appliances", name_zh="家电", name_en="Home appliances")


def daily_goods() -> Category:
    return CategoryFactory(slug="daily-goods", name_zh="日用百货", name_en="Daily goods")


def fruit() -> Category:
    return CategoryFactory(slug="fruit", name_zh="水果", name_en="Fruit", is_farm_produce=True)


def line(category="appliances", product_name="海尔冰箱", quantity=2, unit_price="3999.00") -> dict:
    return {"product_name": product_name, "category": category, "quantity": quantity, "unit_price": unit_price}


def order_payload(**overrides) -> dict:
    payload = {
        "client_request_id": uuid.uuid4(),
        "channel": "assisted_purchase",
        "villager_name": "张大妈",
        "villager_phone": "13912345678",
        "lines": [line()],
    }
    payload.update(overrides)
    return payload


def place_order(partner, **overrides) -> Order:
    """A placed order of `partner` (categories created on demand)."""
    appliances()
    payload = order_payload(**overrides)
    return order_create(partner=partner, by_user=partner.user, **payload).order


def pickup_code_of(order: Order) -> str:
    """The pickup code the villager of ``order`` was last texted (read from the outbox, as
    the villager reads their SMS: nothing else in the product shows it)."""
    from notifications.models import Message

    texts = Message.objects.filter(to=order.villager.phone, template="pickup_code", text__contains=order.order_no)
    text = texts.order_by("-id").values_list("text", flat=True).first()
    if text is None:
        raise AssertionError(f"no pickup code was sent for {order.order_no}")
    match = re.search(r"取件码(\d{6})", text)
    assert match, text
    return match.group(1)


def move_to(order: Order, status: str, *, by_user=None) -> Order:
    for step in PATH_TO[status]:
        code = pickup_code_of(order) if step == OrderStatus.PICKED_UP else None
        order = order_transition(order_id=order.pk, to_status=step, by_user=by_user, reason="test", pickup_code=code)
    return order


def _rate_on(category_id: int, channel: str, day: dt.date) -> Decimal:
    if channel == "government_procurement":
        rows = ProcurementRate.objects.filter(effective_from__lte=day).order_by("-effective_from")
    else:
        rows = CommissionRate.objects.filter(category_id=category_id, effective_from__lte=day).order_by(
            "-effective_from"
        )
    first = rows.first()
    return first.rate if first else Decimal("0")


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
) -> Order:
    """An order in its final state with its line commission snapshotted at payment.

    ``lines`` are ``(category, quantity, unit price)``."""
    if returned_at:
        status = OrderStatus.RETURNED
    elif cancelled_at:
        status = OrderStatus.CANCELLED
    elif paid_at:
        status = OrderStatus.PAID
    else:
        status = OrderStatus.PLACED
    placed_at = placed_at or (paid_at or cancelled_at or shanghai(dt.date(2025, 1, 1))) - dt.timedelta(hours=1)
    order = OrderFactory(
        order_no=f"T-{uuid.uuid4().hex[:16]}",
        partner=partner,
        villager=villager,
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
        OrderLineFactory(
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
