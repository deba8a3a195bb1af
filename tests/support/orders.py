"""Order test helpers: categories and orders placed through the real service."""

import uuid
from decimal import Decimal

from orders.models import Category, Order, OrderStatus
from orders.services import order_create, order_transition
from tests.factories import CategoryFactory

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


def move_to(order: Order, status: str, *, by_user=None) -> Order:
    for step in PATH_TO[status]:
        order = order_transition(order_id=order.pk, to_status=step, by_user=by_user, reason="test")
    return order


def money(value: str) -> Decimal:
    return Decimal(value)
