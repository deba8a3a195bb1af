"""A seeded random world of normal orders with planted anomalies for every rule: the
nightly checks over its days find nearly every planted order (recall >= 95 % per rule)
and flag almost no clean order (<= 0.5 %).

Clean orders are built not to trip any rule: prices in a tight band per category,
quantities 1-5, pickups more than a day after payment, villagers with a few orders, and
partners' daily sales well under ¥20,000."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from counties.models import StaffPhone
from integrity.checks import check_days
from integrity.models import Flag, Rule
from orders.models import Order, OrderStatus
from rural_taobao import dates
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, PartnerFactory, VillageFactory, VillagerFactory
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db

START = dt.date(2025, 5, 1)
DAYS = 30
SEED = 20250501
STAFF_PHONE = "13700000001"
# Category slug and the centre of its normal price band (normal prices are ±10 %).
BASES = {"daily-goods": 15, "fruit": 40, "clothes": 90, "small-appliances": 250}


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class World:
    def __init__(self, rng: random.Random, partners, categories, procurement_category, procurer):
        self.rng = rng
        self.partners = partners
        self.categories = categories
        self.procurement_category = procurement_category
        self.procurer = procurer
        self.planted: dict[str, set[int]] = defaultdict(set)
        self.orders: list[int] = []
        self.pool: dict[int, list] = {p.pk: [] for p in partners}
        self.uses: dict[int, int] = defaultdict(int)

    def normal_price(self, category) -> Decimal:
        return money(BASES[category.slug] * self.rng.uniform(0.9, 1.1))

    def normal_lines(self):
        return [
            (category, self.rng.randint(1, 5), self.normal_price(category))
            for category in self.rng.sample(self.categories, self.rng.choice([1, 1, 2]))
        ]

    def pool_villager(self, partner):
        """A villager of the partner's pool with at most three orders in all."""
        candidates = [v for v in self.pool[partner.pk] if self.uses[v.pk] < 3]
        if candidates and self.rng.random() < 0.6:
            villager = self.rng.choice(candidates)
        else:
            villager = VillagerFactory(partner=partner)
            self.pool[partner.pk].append(villager)
        self.uses[villager.pk] += 1
        return villager

    def moment(self, n: int, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(8, 20) if hour is None else hour
        return shanghai(day(n), hour, self.rng.randint(0, 59))

    def order(self, partner, *, n, villager=None, lines=None, paid=None, pickup_hours=None, **kwargs) -> Order:
        paid = paid or self.moment(n)
        made = make_order(
            partner=partner,
            villager=villager or VillagerFactory(partner=partner),
            lines=lines or self.normal_lines(),
            paid_at=paid,
            **kwargs,
        )
        if pickup_hours is None and self.rng.random() < 0.5:
            pickup_hours = self.rng.uniform(25, 96)
        if pickup_hours is not None:
            Order.objects.filter(pk=made.pk).update(
                status=OrderStatus.PICKED_UP, picked_up_at=paid + dt.timedelta(hours=pickup_hours)
            )
        self.orders.append(made.pk)
        return made

    def plant(self, rule: str, order: Order) -> Order:
        self.planted[rule].add(order.pk)
        return order


def build_world(rng: random.Random, alice, bob, carol) -> World:
    categories = [CategoryFactory(slug=slug) for slug in BASES]
    procurer = PartnerFactory(active=True, village=VillageFactory(name="北关村"))
    world = World(rng, [alice, bob], categories, CategoryFactory(slug="office-supplies"), procurer)
    StaffPhone.objects.create(user=carol, phone=STAFF_PHONE)

    # Normal orders: about six a day for each partner.
    for n in range(DAYS):
        for partner in (alice, bob):
            for _ in range(rng.randint(4, 8)):
                world.order(partner, n=n, villager=world.pool_villager(partner))

    # self_dealing: villagers with a partner's or a staff login's phone.
    for partner, other in ((alice, bob), (bob, alice)):
        for phone in (partner.phone, other.phone, STAFF_PHONE):
            villager = VillagerFactory(partner=partner, phone=phone)
            for n in rng.sample(range(DAYS), 2):
                world.plant(Rule.SELF_DEALING, world.order(partner, n=n, villager=villager))

    # villager_burst in a day: every order past the fifth.
    for _ in range(6):
        partner, n = rng.choice((alice, bob)), rng.randrange(DAYS)
        villager = VillagerFactory(partner=partner)
        for i in range(rng.randint(6, 9)):
            made = world.order(partner, n=n, villager=villager, paid=shanghai(day(n), 8 + i, 5))
            if i >= 5:
                world.plant(Rule.VILLAGER_BURST, made)

    # villager_burst in 30 days: two orders a day for 15 days, then one to three more.
    for _ in range(3):
        partner, first = rng.choice((alice, bob)), rng.randint(0, DAYS - 16)
        villager = VillagerFactory(partner=partner)
        for n in range(first, first + 15):
            for hour in (9, 15):
                world.order(partner, n=n, villager=villager, paid=shanghai(day(n), hour, 10))
        for i in range(rng.randint(1, 3)):
            last = first + 15
            made = world.order(partner, n=last, villager=villager, paid=shanghai(day(last), 10 + i, 20))
            world.plant(Rule.VILLAGER_BURST, made)

    # price_outlier: far above or below the band, once the categories have history.
    for _ in range(16):
        partner, n = rng.choice((alice, bob)), rng.randint(15, DAYS - 1)
        category = rng.choice(world.categories[:3])
        factor = rng.uniform(15, 30) if rng.random() < 0.6 else rng.uniform(0.05, 0.2)
        price = money(BASES[category.slug] * factor)
        world.plant(Rule.PRICE_OUTLIER, world.order(partner, n=n, lines=[(category, 1, price)]))

    # bulk_quantity: more than 50 of a cheap thing on an assisted purchase.
    goods = world.categories[0]
    for _ in range(14):
        partner, n = rng.choice((alice, bob)), rng.randrange(DAYS)
        lines = [(goods, rng.randint(51, 120), world.normal_price(goods))]
        world.plant(Rule.BULK_QUANTITY, world.order(partner, n=n, lines=lines))

    # too_fast: picked up within a day of payment.
    for _ in range(16):
        partner, n = rng.choice((alice, bob)), rng.randrange(DAYS)
        made = world.order(partner, n=n, pickup_hours=rng.uniform(0.5, 23))
        world.plant(Rule.TOO_FAST, made)

    # procurement_check: large government procurement (a partner of its own, so the
    # ordinary partners' daily sales stay ordinary); small ones on other days are clean.
    procurement_days = rng.sample(range(DAYS), 14)
    for index, n in enumerate(procurement_days):
        large = index < 8
        price = money(rng.uniform(1001, 3000) if large else rng.uniform(20, 150))
        made = world.order(
            procurer,
            n=n,
            channel="government_procurement",
            lines=[(world.procurement_category, 100, price)],
        )
        if large:
            world.plant(Rule.PROCUREMENT_CHECK, made)

    # partner_spike: bob logs thirty large orders on one late day; every paid order of
    # his that day is flagged.
    spike = rng.randint(22, DAYS - 1)
    appliances = world.categories[3]
    for _ in range(30):
        world.order(bob, n=spike, lines=[(appliances, 5, world.normal_price(appliances))])
    start, end = dates.days_bounds(day(spike), day(spike))
    spike_orders = Order.objects.filter(partner=bob, paid_at__gte=start, paid_at__lt=end)
    world.planted[Rule.PARTNER_SPIKE] = set(spike_orders.values_list("pk", flat=True))
    return world


def test_random_world_recall_and_false_flags(alice, bob, carol):
    world = build_world(random.Random(SEED), alice, bob, carol)
    assert 400 <= len(world.orders) <= 800, len(world.orders)

    check_days([day(n) for n in range(DAYS + 5)])

    flagged = {rule: set(Flag.objects.filter(rule=rule).values_list("order_id", flat=True)) for rule in Rule.values}
    any_flag = set().union(*flagged.values())
    planted_any = set().union(*world.planted.values())
    clean = set(world.orders) - planted_any
    false_flags = clean & any_flag
    false_rate = len(false_flags) / len(clean)

    lines = [f"orders {len(world.orders)}, clean {len(clean)}"]
    misses = {}
    for rule in Rule.values:
        planted = world.planted[rule]
        found = planted & flagged[rule]
        recall = len(found) / len(planted) if planted else 0.0
        lines.append(f"{rule:18} planted {len(planted):3}  found {len(found):3}  recall {recall:.3f}")
        if recall < 0.95:
            misses[rule] = f"recall {recall:.3f}, missed {sorted(planted - found)}"
    by_rule = {rule: len(clean & ids) for rule, ids in flagged.items() if clean & ids}
    lines.append(f"clean orders flagged {len(false_flags)} / {len(clean)} = {false_rate:.4f} {by_rule}")
    report = "\n".join(lines)

    assert all(world.planted[rule] for rule in Rule.values), f"a rule has nothing planted\n{report}"
    assert not misses, f"recall below 0.95: {misses}\n{report}"
    assert false_rate <= 0.005, f"false flags on clean orders {sorted(false_flags)[:20]}\n{report}"
