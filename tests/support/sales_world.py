"""A month of varied orders in counties A and B, rolled up: the world the dashboard tests
read, and an independent recomputation of the dashboard figures from the raw orders.

tests/analytics/conftest.py offers it as the ``sales_world`` fixture;
tests/analytics/test_dashboard_world.py checks that the world is what the others assume.
"""

import datetime as dt
import random
from decimal import Decimal

from analytics import rollups
from orders.models import Order
from rural_taobao import dates
from tests.support.dates import SHANGHAI, shanghai
from tests.support.factories import PartnerFactory, VillageFactory, VillagerFactory
from tests.support.orders import make_order

START = dt.date(2025, 3, 1)
DAYS = 42
TODAY = START + dt.timedelta(days=DAYS + 1)
CHANNELS = ["assisted_purchase", "assisted_purchase", "assisted_purchase", "farm_produce", "government_procurement"]


def build_orders(world, *, seed: int = 7, count: int = 140) -> list[Order]:
    """Paid, returned, cancelled-after-payment and placed-only orders over DAYS days, some in
    the promotion; each partner sells to their own villagers."""
    rng = random.Random(seed)
    partners = world["partners"]
    villagers = world["villagers"]
    categories = world["categories"]
    orders = []
    for _ in range(count):
        partner = rng.choice(partners)
        villager = rng.choice([v for v in villagers if v.village_id == partner.village_id])
        channel = rng.choice(CHANNELS)
        pool = [categories[3]] if channel == "farm_produce" else categories[:3]
        lines = [
            (rng.choice(pool), rng.randint(1, 4), Decimal(rng.randint(500, 90000)) / 100)
            for _ in range(rng.randint(1, 3))
        ]
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        paid_at = shanghai(day, rng.randint(0, 23), rng.randint(0, 59))
        fate = rng.random()
        returned_at = cancelled_at = None
        if fate < 0.12:
            returned_at = paid_at + dt.timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 10))
        elif fate < 0.18:
            cancelled_at = paid_at + dt.timedelta(hours=rng.randint(1, 60))
        elif fate < 0.22:
            paid_at = None  # placed, never paid: no figure anywhere
        orders.append(
            make_order(
                partner=partner,
                villager=villager,
                lines=lines,
                channel=channel,
                paid_at=paid_at,
                returned_at=returned_at,
                cancelled_at=cancelled_at,
                promotion=world["promotion"] if rng.random() < 0.3 else None,
                placed_at=shanghai(day, 0, 0) - dt.timedelta(hours=1),
            )
        )
    return orders


def build_sales_world(world, county_a, monkeypatch) -> dict:
    """The rollup tests' world (alice and carl in county A, bob in B), a fourth partner in
    county A with no sales, a month and a half of orders, rolled up (the ``sales_world``
    fixture of tests/analytics/conftest.py)."""
    monkeypatch.setattr(dates, "shanghai_today", lambda: TODAY)
    quiet = PartnerFactory(active=True, real_name="赵安静", village=VillageFactory(county=county_a, name="安静村"))
    VillagerFactory(partner=quiet, phone="13911112222")
    orders = build_orders(world)
    days = [START + dt.timedelta(days=i) for i in range(DAYS + 12)]
    rollups.run_rollups(days, trigger="test")
    return {**world, "orders": orders, "quiet": quiet}


def _local_day(moment):
    return moment.astimezone(SHANGHAI).date() if moment else None


def expected_dashboard(county, start: dt.date, end: dt.date) -> dict:
    """The county's period figures straight from the orders: a payment counts on its paid
    day, a return or a cancellation after payment counts back on its own day."""
    figures = {
        "gross": Decimal("0"),
        "returns": Decimal("0"),
        "orders": 0,
        "buyers": set(),
        "partners": set(),
        "daily": {},
        "category": {},
        "channel": {},
        "village": {},
        "partner_sales": {},
        "partner_commission": {},
    }

    def bump(table, key, amount):
        table[key] = table.get(key, Decimal("0")) + amount

    for order in Order.objects.filter(county=county).prefetch_related("lines"):
        lines = list(order.lines.all())
        amount = sum((line.line_total for line in lines), Decimal("0"))
        commission = sum((line.commission_amount or Decimal("0") for line in lines), Decimal("0"))
        paid = _local_day(order.paid_at)
        reversed_on = _local_day(order.returned_at or (order.cancelled_at if order.paid_at else None))
        if paid and start <= paid <= end:
            figures["gross"] += amount
            figures["orders"] += 1
            figures["buyers"].add(order.villager_id)
            figures["partners"].add(order.partner_id)
            bump(figures["daily"], paid, amount)
            bump(figures["channel"], order.channel, amount)
            bump(figures["village"], order.village_id, amount)
            bump(figures["partner_sales"], order.partner_id, amount)
            bump(figures["partner_commission"], order.partner_id, commission)
            for line in lines:
                bump(figures["category"], line.category.slug, line.line_total)
        if reversed_on and start <= reversed_on <= end:
            figures["returns"] += amount
            bump(figures["daily"], reversed_on, -amount)
            bump(figures["channel"], order.channel, -amount)
            bump(figures["village"], order.village_id, -amount)
            bump(figures["partner_sales"], order.partner_id, -amount)
            bump(figures["partner_commission"], order.partner_id, -commission)
            for line in lines:
                bump(figures["category"], line.category.slug, -line.line_total)
    figures["net"] = figures["gross"] - figures["returns"]
    figures["buyers"] = len(figures["buyers"])
    figures["partners"] = len(figures["partners"])
    return figures
