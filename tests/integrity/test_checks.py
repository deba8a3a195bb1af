"""The nightly checks: each rule flags at its threshold and not below it; running a day
twice adds nothing; an order can carry several rules' flags."""

import datetime as dt
from decimal import Decimal

import pytest

from integrity.checks import check_day
from integrity.models import Flag
from integrity.rules import flag_detail
from orders.models import Order, OrderLine
from orders.selectors import with_review_state
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, VillagerFactory
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)


@pytest.fixture
def goods(db):
    return CategoryFactory(slug="daily-goods")


def order(partner, category, *, quantity=1, price="50.00", paid=None, villager=None, **kwargs):
    villager = villager or VillagerFactory(partner=partner)
    return make_order(
        partner=partner,
        villager=villager,
        lines=[(category, quantity, Decimal(price))],
        paid_at=paid or shanghai(DAY, 10),
        **kwargs,
    )


def flagged(rule):
    return set(Flag.objects.filter(rule=rule).values_list("order_id", flat=True))


def test_bulk_quantity_flags_above_50_on_assisted_purchases_only(alice, goods):
    at_limit = order(alice, goods, quantity=50, price="2.00")
    above = order(alice, goods, quantity=51, price="2.00")
    procurement = order(alice, goods, quantity=500, price="2.00", channel="government_procurement")
    check_day(DAY)
    assert flagged("bulk_quantity") == {above.pk}
    assert at_limit.pk not in flagged("bulk_quantity") and procurement.pk not in flagged("bulk_quantity")
    flag = Flag.objects.get(rule="bulk_quantity")
    assert (flag.status, flag.severity, flag.county_id, flag.partner_id) == (
        "open",
        "medium",
        alice.village.county_id,
        alice.pk,
    )
    assert "51" in flag_detail(flag.rule, flag.evidence)
    review = dict(
        with_review_state(Order.objects.filter(pk__in=[above.pk, at_limit.pk])).values_list("pk", "under_review")
    )
    assert review == {above.pk: True, at_limit.pk: False}


def test_too_fast_flags_a_pickup_less_than_24_hours_after_payment(alice, goods):
    fast = order(alice, goods, paid=shanghai(DAY - dt.timedelta(days=1), 10))
    slow = order(alice, goods, paid=shanghai(DAY - dt.timedelta(days=1), 8))
    exact = order(alice, goods, paid=shanghai(DAY - dt.timedelta(days=1), 9))
    Order.objects.filter(pk=fast.pk).update(picked_up_at=shanghai(DAY, 9, 59), status="picked_up")
    Order.objects.filter(pk=slow.pk).update(picked_up_at=shanghai(DAY, 9), status="picked_up")
    Order.objects.filter(pk=exact.pk).update(picked_up_at=shanghai(DAY, 9), status="picked_up")
    check_day(DAY)
    assert flagged("too_fast") == {fast.pk}


def test_procurement_check_flags_orders_above_100000(alice, goods):
    at_limit = order(alice, goods, quantity=1, price="100000.00", channel="government_procurement")
    above = order(alice, goods, quantity=1, price="100000.01", channel="government_procurement")
    check_day(DAY)
    assert flagged("procurement_check") == {above.pk}
    assert at_limit.pk not in flagged("procurement_check")


def test_villager_burst_flags_every_order_past_the_fifth_of_a_day(alice, goods):
    villager = VillagerFactory(partner=alice)
    orders = [order(alice, goods, villager=villager, paid=shanghai(DAY, 8 + i)) for i in range(7)]
    other = VillagerFactory(partner=alice)
    five = [order(alice, goods, villager=other, paid=shanghai(DAY, 8 + i)) for i in range(5)]
    check_day(DAY)
    assert flagged("villager_burst") == {orders[5].pk, orders[6].pk}
    assert not flagged("villager_burst") & {o.pk for o in five}


def test_villager_burst_counts_30_days(alice, goods):
    villager = VillagerFactory(partner=alice)
    for i in range(30):
        order(alice, goods, villager=villager, paid=shanghai(DAY - dt.timedelta(days=29 - i), 7))
    last = order(alice, goods, villager=villager, paid=shanghai(DAY, 20))
    check_day(DAY)
    assert flagged("villager_burst") == {last.pk}


def test_self_dealing_flags_a_villager_with_the_partners_own_phone(alice, bob, goods):
    own = order(alice, goods, villager=VillagerFactory(partner=alice, phone=alice.phone))
    others = order(alice, goods, villager=VillagerFactory(partner=alice, phone=bob.phone))
    clean = order(alice, goods)
    check_day(DAY)
    assert flagged("self_dealing") == {own.pk, others.pk}
    assert clean.pk not in flagged("self_dealing")
    assert Flag.objects.get(order=own, rule="self_dealing").evidence["whose"] == "own_partner"
    assert Flag.objects.get(order=others, rule="self_dealing").evidence["whose"] == "other_partner"


def test_price_outlier_judges_from_the_categorys_last_90_days(alice, goods):
    for i in range(40):
        order(alice, goods, price=f"{40 + i % 20}.00", paid=shanghai(DAY - dt.timedelta(days=1 + i % 60), 9))
    normal = order(alice, goods, price="55.00")
    outlier = order(alice, goods, price="29900.00")
    check_day(DAY)
    assert flagged("price_outlier") == {outlier.pk}
    assert normal.pk not in flagged("price_outlier")
    detail = flag_detail("price_outlier", Flag.objects.get(rule="price_outlier").evidence)
    assert "29,900.00" in detail


def test_price_outlier_needs_30_lines_to_judge(alice, goods):
    for i in range(29):
        order(alice, goods, price="50.00", paid=shanghai(DAY - dt.timedelta(days=1 + i), 9))
    order(alice, goods, price="29900.00")
    check_day(DAY)
    assert flagged("price_outlier") == set()


def test_running_a_day_twice_adds_nothing_and_reviewed_flags_stay(alice, goods):
    big = order(alice, goods, quantity=80, price="50.00")
    first = check_day(DAY)
    assert first["bulk_quantity"] == 1
    Flag.objects.filter(order=big).update(status="cleared", reviewed_at=shanghai(DAY, 12), reason="ok")
    second = check_day(DAY)
    assert second["bulk_quantity"] == 0
    assert list(Flag.objects.values_list("status", flat=True)) == ["cleared"]


def test_price_bands_come_from_each_categorys_most_recent_lines_however_they_are_read(alice, goods, monkeypatch):
    """One pass over the window's most recent orders fills the busy categories; a
    category short of its sample there is read on its own: the bands are the same as
    from each category's own most recent lines."""
    from integrity import checks
    from integrity.rules import rule_configs

    rare = CategoryFactory(slug="rare-goods")
    monkeypatch.setattr(checks, "BAND_SAMPLE", 35)
    config = rule_configs()["price_outlier"]
    for i in range(60):  # busy: every day of the last two months, prices drifting
        order(alice, goods, price=f"{30 + i}.00", paid=shanghai(DAY - dt.timedelta(days=1 + i), 9))
    for i in range(40):  # rare: only long ago
        order(alice, rare, price=f"{200 + i * 3}.00", paid=shanghai(DAY - dt.timedelta(days=50 + i // 2), 8))

    def expected(category):
        prices = [
            Decimal(line.unit_price)
            for line in OrderLine.objects.filter(category=category).order_by("-order__paid_at", "-id")[:35]
        ]
        return checks._quartiles(prices), len(prices)

    for prefix in (10, 45, 10_000):  # the rare one read alone / both from the pass / the whole window
        monkeypatch.setattr(checks, "BAND_PREFIX_ORDERS", prefix)
        bands = checks.price_bands(DAY, config)
        for category in (goods, rare):
            band = bands[category.pk]
            assert ((band["q1"], band["median"], band["q3"]), band["lines"]) == expected(category), prefix
    assert bands[goods.pk]["median"] == Decimal("47.00")  # the 35 most recent: 30 … 64
