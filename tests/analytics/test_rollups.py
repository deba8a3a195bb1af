"""The nightly rollups equal a plain recomputation from the raw orders, are idempotent and
pick up dirty days only. (The money on statements comes from the platform-confirmed
ledger: tests/analytics/test_settlement*.py.)"""

import datetime as dt
import io
import os
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from analytics import rollups
from analytics.dirty_days import mark_days_dirty
from analytics.models import (
    CountyBuyerDay,
    CountyBuyerMonth,
    CountyCategoryChannelMonth,
    CountyDay,
    CountySummary,
    PartnerDailyIncome,
    RollupDirtyDay,
    RollupRun,
)
from integrity.models import Flag, FlagStatus
from integrity.services import flag_review
from orders.models import Order, OrderStatus
from orders.services import order_create, order_transition
from partners.models import CommissionRate, ProcurementRate
from rural_taobao import dates
from tests.support.dates import shanghai
from tests.support.orders import make_order
from tests.support.rollup_expectations import (
    actual_figures,
    all_tables,
    assert_rollups_equal_the_orders,
    expected_figures,
)

BASE = dt.date(2025, 1, 20)  # a window crossing month ends, long closed by "today"
TODAY = dt.date(2025, 6, 15)
REAL_SHANGHAI_TODAY = dates.shanghai_today


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(dates, "shanghai_today", lambda: TODAY)


order_spec = st.fixed_dictionaries(
    {
        "partner": st.integers(0, 2),
        "villager": st.integers(0, 2),
        "channel": st.sampled_from(
            ["assisted_purchase", "assisted_purchase", "farm_produce", "government_procurement"]
        ),
        "promotion": st.booleans(),
        "lines": st.lists(
            st.tuples(st.integers(0, 2), st.integers(1, 5000), st.integers(1, 500_000)), min_size=1, max_size=3
        ),
        # Minutes after BASE 00:00 Shanghai: payments land on both sides of midnight.
        "paid_minute": st.one_of(st.none(), st.integers(0, 60 * 24 * 70)),
        "fate": st.sampled_from(["kept", "kept", "cancel_before_pay", "cancel_after_pay", "return"]),
        "later_minutes": st.integers(1, 60 * 24 * 45),
    }
)
rate_change = st.tuples(st.integers(0, 2), st.integers(0, 70), st.integers(0, 900))


def build_orders(world, specs, rate_changes):
    for category_index, day_offset, basis_points in rate_changes:
        CommissionRate.objects.update_or_create(
            category=world["categories"][category_index],
            effective_from=BASE + dt.timedelta(days=day_offset),
            defaults={"rate": Decimal(basis_points) / Decimal(10000)},
        )
    start = shanghai(BASE, 0, 0)
    for spec in specs:
        partner = world["partners"][spec["partner"]]
        villager = world["villagers"][spec["partner"] * 3 + spec["villager"]]
        farm = spec["channel"] == "farm_produce"
        lines = [
            (world["categories"][3] if farm else world["categories"][c], quantity, Decimal(cents) / 100)
            for c, quantity, cents in spec["lines"]
        ]
        paid_at = start + dt.timedelta(minutes=spec["paid_minute"]) if spec["paid_minute"] is not None else None
        fate = spec["fate"]
        later = dt.timedelta(minutes=spec["later_minutes"])
        kwargs = {}
        if fate == "cancel_before_pay":
            paid_at = None
            kwargs["cancelled_at"] = start + later
        elif paid_at and fate == "cancel_after_pay":
            kwargs["cancelled_at"] = paid_at + later
        elif paid_at and fate == "return":
            kwargs["returned_at"] = paid_at + later
        make_order(
            partner=partner,
            villager=villager,
            lines=lines,
            paid_at=paid_at,
            channel=spec["channel"],
            promotion=world["promotion"] if spec["promotion"] else None,
            **kwargs,
        )


# Phase two: what happens to orders after their days were rolled up, each through the
# product's own services (the order service, the flag review, the admin's rate form), each
# marking the days it changes as they do; "nightly" is the rollup command on those marks.
later_change = st.tuples(
    st.sampled_from(["place", "pay", "pay", "return", "cancel", "confirm_flag", "rate", "procurement_rate", "nightly"]),
    st.integers(0, 10_000),  # which order, flag, partner or category
    st.integers(0, 2),  # days that pass before it
    st.integers(0, 900),  # a new rate (basis points), or a unit price (yuan)
)


def _pick(queryset, pick):
    rows = list(queryset.order_by("pk"))
    return rows[pick % len(rows)] if rows else None


def change_orders_later(world, admin, admin_client, kind, pick, amount) -> bool:
    """One change through the product's services, at the clock's moment (False: there
    was nothing to change)."""
    today = dates.shanghai_today()
    if kind == "place":
        partner = world["partners"][pick % 3]
        villager = world["villagers"][partner_index(world, partner) * 3 + pick % 3]
        procurement = pick % 4 == 0
        order_create(
            partner=partner,
            by_user=partner.user,
            client_request_id=uuid.uuid4(),
            channel="government_procurement" if procurement else "assisted_purchase",
            villager_name=villager.name,
            villager_phone=villager.phone,
            buyer_organisation="县教育局" if procurement else "",
            reference="ZC-2025-1" if procurement else "",
            lines=[
                {
                    "product_name": "电饭煲",
                    "category": world["categories"][pick % 3].slug,
                    "quantity": 1 + pick % 60,
                    "unit_price": f"{amount + 1}.50",
                }
            ],
        )
        event("a new order")
        return True
    elif kind == "pay":
        order = _pick(Order.objects.filter(status=OrderStatus.PLACED), pick)
        if order:
            order_transition(order_id=order.pk, to_status=OrderStatus.PAID, by_user=order.partner.user)
            event("a late payment")
            return True
    elif kind == "cancel":
        order = _pick(Order.objects.filter(status__in=[OrderStatus.PLACED, OrderStatus.PAID]), pick)
        if order:
            order_transition(order_id=order.pk, to_status=OrderStatus.CANCELLED, by_user=admin, reason="村民不要了")
            event("a cancellation after payment" if order.paid_at else "a cancellation before payment")
            return True
    elif kind == "return":
        order = _pick(Order.objects.filter(status=OrderStatus.PAID), pick)
        if order:
            for step in (OrderStatus.SHIPPED, OrderStatus.AT_COUNTY_CENTRE, OrderStatus.AT_SERVICE_POINT):
                order_transition(order_id=order.pk, to_status=step, by_user=admin)
            order_transition(
                order_id=order.pk, to_status=OrderStatus.PICKED_UP, by_user=admin, override_reason="村民忘了取件码"
            )
            order_transition(order_id=order.pk, to_status=OrderStatus.RETURNED, by_user=admin, reason="质量问题")
            event("a return")
            return True
    elif kind == "confirm_flag":
        flag = _pick(Flag.objects.filter(status=FlagStatus.OPEN), pick)
        if flag:
            flag_review(flag_id=flag.pk, by_user=admin, decision="confirm", reason="假单")
            event("a confirmed flag")
            return True
    elif kind in ("rate", "procurement_rate"):
        # A new rate from a later day, through the admin's form (which refuses the past).
        effective_from = today + dt.timedelta(days=1 + pick % 3)
        rate = f"{Decimal(amount) / 10000:.4f}"
        if kind == "rate":
            category = world["categories"][pick % 4]
            if CommissionRate.objects.filter(category=category, effective_from=effective_from).exists():
                return False
            url, data = "admin:partners_commissionrate_add", {"category": category.pk}
        else:
            if ProcurementRate.objects.filter(effective_from=effective_from).exists():
                return False
            url, data = "admin:partners_procurementrate_add", {}
        response = admin_client.post(
            reverse(url), {**data, "rate": rate, "effective_from": effective_from.isoformat(), "_save": "Save"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        event("a new rate")
        return True
    elif kind == "nightly":
        call_command("run_rollups", "--dirty", stdout=io.StringIO())
        assert_rollups_equal_the_orders(through=dates.shanghai_yesterday())
        event("a nightly run in between")
        return True
    return False


EVERY_KIND_OF_CHANGE = [
    ("confirm_flag", 0, 0, 0),
    ("rate", 1, 0, 700),  # category 1: 7 % from two days later
    ("procurement_rate", 0, 0, 80),  # 0.8 % from tomorrow
    ("pay", 0, 0, 0),  # at today's rates
    ("nightly", 0, 1, 0),
    ("place", 1, 0, 300),
    ("place", 4, 1, 20),
    ("pay", 0, 1, 0),  # at the new rates
    ("pay", 0, 0, 0),
    ("cancel", 1, 0, 0),
    ("return", 1, 1, 0),  # alone on its day (an order no flag took out)
    ("nightly", 0, 2, 0),  # a night was missed: the day of the return waits on its mark
    ("confirm_flag", 0, 0, 0),
]


def partner_index(world, partner):
    return next(i for i, p in enumerate(world["partners"]) if p.pk == partner.pk)


@pytest.mark.django_db
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    specs=st.lists(order_spec, min_size=1, max_size=25),
    rate_changes=st.lists(rate_change, max_size=4),
    changes=st.lists(later_change, max_size=12),
)
# Every kind of later change at least once in every run, whatever hypothesis draws: a
# bulk assisted order (flagged by the nightly checks), a placed order, a procurement
# order returned later, then changes over four days with a nightly run in between.
@example(
    specs=[
        {
            "partner": 0,
            "villager": 0,
            "channel": "assisted_purchase",
            "promotion": True,
            "lines": [(0, 60, 10_000)],
            "paid_minute": 100,
            "fate": "kept",
            "later_minutes": 10,
        },
        {
            "partner": 1,
            "villager": 2,
            "channel": "assisted_purchase",
            "promotion": False,
            "lines": [(1, 2, 5_000), (2, 1, 990)],
            "paid_minute": None,
            "fate": "kept",
            "later_minutes": 10,
        },
        {
            "partner": 2,
            "villager": 1,
            "channel": "government_procurement",
            "promotion": False,
            "lines": [(2, 100, 500_000)],
            "paid_minute": 60 * 24 * 40,
            "fate": "return",
            "later_minutes": 60 * 24,
        },
        {
            "partner": 0,
            "villager": 1,
            "channel": "farm_produce",
            "promotion": False,
            "lines": [(0, 3, 2_000)],
            "paid_minute": 60 * 24 * 41,
            "fate": "kept",
            "later_minutes": 10,
        },
    ],
    rate_changes=[(0, 10, 500)],
    changes=EVERY_KIND_OF_CHANGE,
)
def test_every_rollup_equals_a_plain_recomputation_from_the_orders(
    world, admin_user, admin_client_en, clock, monkeypatch, specs, rate_changes, changes
):
    # The day moves with the clock in this test (the rate form and the nightly set read it).
    monkeypatch.setattr(dates, "shanghai_today", REAL_SHANGHAI_TODAY)
    with transaction.atomic():
        # given random orders and rate changes
        build_orders(world, specs, rate_changes)
        # when the whole history is rolled up the night after the last of their events
        last_day = max(
            (
                dates.shanghai_day(m)
                for o in Order.objects.all()
                for m in (o.paid_at, o.cancelled_at, o.returned_at)
                if m
            ),
            default=BASE,
        )
        moment = shanghai(last_day + dt.timedelta(days=1), 1, 30)
        clock(moment)
        rollups.run_rollups(rollups.days_with_orders(), trigger="test")
        # then every table equals the independent recomputation
        assert_rollups_equal_the_orders(through=last_day)
        # when, day after day, orders are placed, paid late, cancelled and returned, flags
        # confirmed (the order leaves the figures of its old days), rates changed, and the
        # nightly command rolls up the marked days in between
        done = set()
        for kind, pick, days_later, amount in changes:
            moment += dt.timedelta(days=days_later, minutes=7)
            clock(moment)
            if change_orders_later(world, admin_user, admin_client_en, kind, pick, amount):
                done.add(kind)
        if changes == EVERY_KIND_OF_CHANGE:
            assert done == {kind for kind, *_ in EVERY_KIND_OF_CHANGE}, "the explicit example must change everything"
        # and the next night's run takes up every mark left
        clock(shanghai(dates.shanghai_day(moment) + dt.timedelta(days=1), 1, 30))
        call_command("run_rollups", "--dirty", stdout=io.StringIO())
        # then every table equals the recomputation again, and no finished day waits
        assert_rollups_equal_the_orders(through=dates.shanghai_yesterday())
        assert not RollupDirtyDay.objects.filter(day__lte=dates.shanghai_yesterday()).exists()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_rollups_run_on_the_database_asked_for():
    # CI runs this file a second time on SQLite (the quick start's default, see .ci/run):
    # a run that silently fell back to PostgreSQL would prove nothing about SQLite.
    assert connection.vendor == os.environ.get("EXPECT_DATABASE_VENDOR", connection.vendor)


@pytest.fixture
def history(world):
    """A few weeks of orders in January and February 2025, some returned later."""
    alice, bob, _ = world["partners"]
    cat = world["categories"][0]
    orders = []
    for i in range(20):
        partner = alice if i % 2 else bob
        villager = world["villagers"][0 if partner is alice else 3]
        paid = shanghai(BASE + dt.timedelta(days=i), 9 + i % 12)
        orders.append(
            make_order(partner=partner, villager=villager, lines=[(cat, 2, Decimal("1999.00"))], paid_at=paid)
        )
    return orders


@pytest.mark.django_db
def test_running_twice_gives_identical_tables(history):
    days = rollups.days_with_orders()
    rollups.run_rollups(days, trigger="test")
    first = all_tables()
    rollups.run_rollups(days, trigger="test")
    assert all_tables() == first
    assert first["CountyDay"], "the rollup wrote nothing"


@pytest.mark.django_db
def test_a_return_on_an_old_order_is_picked_up_by_the_next_nightly_run_alone(history, world):
    # given: everything rolled up, nothing dirty
    rollups.run_rollups(rollups.days_with_orders(), trigger="test")
    RollupDirtyDay.objects.all().delete()
    untouched = {(r.county_id, r.day): r.pk for r in CountyDay.objects.all()}
    # when: yesterday a villager returned an order paid weeks ago, and the order service marked the day
    yesterday = TODAY - dt.timedelta(days=1)
    old = history[0]
    old.status, old.returned_at = "returned", shanghai(yesterday, 15)
    old.save()
    mark_days_dirty([yesterday])
    result = rollups.run_nightly(trigger="test")
    # then: only yesterday was recomputed and it carries the reversal
    assert result.days == [yesterday]
    returned_day = CountyDay.objects.get(county=old.county, day=yesterday)
    assert returned_day.returns == old.total_amount
    assert returned_day.returned_orders == 1
    assert {(r.county_id, r.day): r.pk for r in CountyDay.objects.exclude(day=yesterday)} == untouched
    assert not RollupDirtyDay.objects.exists()
    # and the partner's income of that day carries the commission reversal
    income = PartnerDailyIncome.objects.get(partner=old.partner, day=yesterday)
    assert income.reversals == sum(line.commission_amount for line in old.lines.all())


@pytest.mark.django_db
def test_month_rows_follow_each_day_rebuild_and_a_failed_day_changes_neither(history, world, monkeypatch):
    # given everything rolled up: January's month rows hold January's days
    rollups.run_rollups(rollups.days_with_orders(), trigger="test")
    january = dt.date(2025, 1, 1)
    county = history[0].county
    before = CountyCategoryChannelMonth.objects.get(county=county, month=january)
    bob = history[0].partner
    newcomer = world["villagers"][5]  # one of bob's villagers who has not bought yet
    assert newcomer.village_id == bob.village_id
    assert not CountyBuyerMonth.objects.filter(month=january, villager=newcomer).exists()
    # when a late payment by a new villager lands on a January day and that day is rebuilt
    late = make_order(
        partner=bob,
        villager=newcomer,
        lines=[(world["categories"][0], 1, Decimal("500.00"))],
        paid_at=shanghai(BASE + dt.timedelta(days=3), 10),
    )
    rollups.run_rollups([BASE + dt.timedelta(days=3)], trigger="test")
    # then January's month rows moved with it, and still equal a recomputation
    assert CountyCategoryChannelMonth.objects.get(county=county, month=january).sales == before.sales + Decimal(
        "500.00"
    )
    assert CountyBuyerMonth.objects.filter(county=county, month=january, villager=newcomer).exists()
    assert actual_figures()["category_month"] == expected_figures()["category_month"]
    # when the payment is corrected away (its only day in the month) and a rebuild dies half-way
    late.status, late.paid_at = "placed", None
    late.save()

    def die(*args, **kwargs):
        raise RuntimeError("worker lost")

    with monkeypatch.context() as patch:
        patch.setattr(rollups, "_month_rows_follow_the_day", die)
        with pytest.raises(RuntimeError):
            rollups.run_rollups([BASE + dt.timedelta(days=3)], trigger="test")
    # then neither the day nor its month changed
    assert CountyBuyerMonth.objects.filter(county=county, month=january, villager=newcomer).exists()
    assert CountyBuyerDay.objects.filter(day=BASE + dt.timedelta(days=3), villager=newcomer).exists()
    # and the next rebuild takes the villager out of January's buyers and the money out of its sums
    rollups.run_rollups([BASE + dt.timedelta(days=3)], trigger="test")
    assert not CountyBuyerMonth.objects.filter(county=county, month=january, villager=newcomer).exists()
    assert CountyCategoryChannelMonth.objects.get(county=county, month=january).sales == before.sales
    expected, actual = expected_figures(), actual_figures()
    assert actual["buyer_month"] == expected["buyer_month"]
    assert actual["category_month"] == expected["category_month"]


@pytest.mark.django_db
def test_procurement_orders_earn_the_procurement_rate_and_no_tier(world):
    bob = world["partners"][1]
    day = dt.date(2025, 3, 3)
    make_order(
        partner=bob,
        villager=world["villagers"][3],
        channel="government_procurement",
        lines=[(world["categories"][0], 5000, Decimal("89.00"))],
        paid_at=shanghai(day, 10),
    )
    rollups.run_rollups([day], trigger="test")
    income = PartnerDailyIncome.objects.get(partner=bob, day=day)
    assert income.sales == Decimal("445000.00")
    assert income.commission == Decimal("2225.00")  # 0.5 % procurement rate from 2025-02-01
    assert income.assisted_sales == 0


@pytest.mark.django_db
def test_county_summary_ranks_and_billion_flag(world, county_a, county_b):
    alice, bob, _ = world["partners"]
    day = TODAY - dt.timedelta(days=10)
    # A's farm produce reaches the ¥1亿 mark exactly; its procurement and purchases do not count.
    make_order(
        partner=alice,
        villager=world["villagers"][0],
        channel="farm_produce",
        lines=[(world["categories"][0], 1000, Decimal("100000.00"))],
        paid_at=shanghai(day),
    )
    make_order(
        partner=alice,
        villager=world["villagers"][0],
        channel="government_procurement",
        lines=[(world["categories"][0], 1000, Decimal("1000000.00"))],
        paid_at=shanghai(day),
    )
    # B bought a lot (assisted purchase) and sold ¥100 of farm produce.
    make_order(
        partner=bob,
        villager=world["villagers"][3],
        lines=[(world["categories"][0], 1, Decimal("200000000.00"))],
        paid_at=shanghai(day),
    )
    make_order(
        partner=bob,
        villager=world["villagers"][3],
        channel="farm_produce",
        lines=[(world["categories"][0], 1, Decimal("100.00"))],
        paid_at=shanghai(day),
    )
    rollups.run_rollups([day], trigger="test")
    a, b = CountySummary.objects.get(county=county_a), CountySummary.objects.get(county=county_b)
    assert (a.trailing_12m_sales, a.is_billion_yuan, a.national_rank, a.provincial_rank) == (
        Decimal("100000000.00"),
        True,
        1,
        1,
    )
    assert (a.trailing_12m_procurement, a.trailing_12m_purchases) == (Decimal("1000000000.00"), 0)
    assert (b.trailing_12m_sales, b.is_billion_yuan, b.national_rank, b.provincial_rank) == (
        Decimal("100.00"),
        False,
        2,
        1,
    )
    assert b.trailing_12m_purchases == Decimal("200000000.00")
    assert a.as_of == TODAY - dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_failed_day_leaves_the_previous_figures_and_records_the_failure(history, monkeypatch):
    rollups.run_rollups(rollups.days_with_orders(), trigger="test")
    before = all_tables()

    def crash(cursor, day):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(rollups, "_rollup_day_tables", crash)
    with pytest.raises(RuntimeError):
        rollups.run_rollups([BASE], trigger="test")
    assert all_tables() == before
    run = RollupRun.objects.order_by("-started_at").first()
    assert (run.status, run.error) == ("failed", "RuntimeError: worker lost")


@pytest.mark.django_db
def test_run_rollups_command_shows_progress_and_a_summary(history, capsys):
    call_command("run_rollups", "--from", BASE.isoformat(), "--to", (BASE + dt.timedelta(days=4)).isoformat())
    out = capsys.readouterr().out
    assert "5/5 days" in out
    assert "Done: 5 day(s)" in out
    assert CountyDay.objects.filter(day__range=(BASE, BASE + dt.timedelta(days=4))).count() == 5


@pytest.mark.django_db
def test_run_rollups_command_refuses_bad_dates():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("run_rollups", "--date", "2025-13-01")
    with pytest.raises(CommandError, match="go together"):
        call_command("run_rollups", "--from", "2025-01-01")
