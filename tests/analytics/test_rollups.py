"""The nightly rollups equal a plain recomputation from the raw orders, are idempotent and
pick up dirty days only. (The money on statements comes from the platform-confirmed
ledger: tests/analytics/test_settlement*.py.)"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import rollups
from analytics.dirty_days import mark_days_dirty
from analytics.models import (
    CountyBuyerDay,
    CountyBuyerMonth,
    CountyCategoryChannelDay,
    CountyCategoryChannelMonth,
    CountyDay,
    CountySummary,
    NationalDay,
    PartnerDailyIncome,
    PromotionCountyDay,
    ProvinceDay,
    RollupDirtyDay,
    RollupRun,
    VillageDay,
)
from partners.models import CommissionRate
from rural_taobao import dates
from tests.support.dates import shanghai
from tests.support.orders import make_order
from tests.support.rollup_expectations import all_tables, expected_figures

BASE = dt.date(2025, 1, 20)  # a window crossing month ends, long closed by "today"
TODAY = dt.date(2025, 6, 15)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(dates, "shanghai_today", lambda: TODAY)


def actual_figures():
    return {
        "category_month": {
            (r.county_id, r.month, r.category_id, r.channel): (r.sales, r.returns, r.orders, r.returned_orders)
            for r in CountyCategoryChannelMonth.objects.all()
        },
        "buyer_month": {(r.county_id, r.month, r.villager_id) for r in CountyBuyerMonth.objects.all()},
        "county_day": {
            (r.county_id, r.day): (r.sales, r.returns, r.orders, r.returned_orders, r.buyers, r.active_partners)
            for r in CountyDay.objects.all()
        },
        "category": {
            (r.county_id, r.day, r.category_id, r.channel): (r.sales, r.returns, r.orders, r.returned_orders, r.buyers)
            for r in CountyCategoryChannelDay.objects.all()
        },
        "village": {(r.village_id, r.day): (r.sales, r.returns, r.orders, r.buyers) for r in VillageDay.objects.all()},
        "promotion": {
            (r.promotion_id, r.county_id, r.day): (r.sales, r.returns, r.orders)
            for r in PromotionCountyDay.objects.all()
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
    }


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


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(specs=st.lists(order_spec, min_size=1, max_size=25), rate_changes=st.lists(rate_change, max_size=4))
def test_every_rollup_equals_a_plain_recomputation_from_the_orders(world, specs, rate_changes):
    with transaction.atomic():
        # given random orders and rate changes
        build_orders(world, specs, rate_changes)
        # when the whole history is rolled up
        rollups.run_rollups(rollups.days_with_orders(), trigger="test")
        # then every table equals the independent recomputation
        expected = expected_figures()
        actual = actual_figures()
        for table in expected:
            assert actual[table] == expected[table], table
        # province and national days add up the counties
        for day in {d for _, d in expected["county_day"]}:
            county_sales = sum(v[0] for (_, d), v in expected["county_day"].items() if d == day)
            assert NationalDay.objects.get(day=day).sales == county_sales
            assert sum(p.sales for p in ProvinceDay.objects.filter(day=day)) == county_sales
        transaction.set_rollback(True)


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
    assert newcomer.partner_id == bob.pk
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
    make_order(
        partner=alice,
        villager=world["villagers"][0],
        channel="government_procurement",
        lines=[(world["categories"][0], 1000, Decimal("1000000.00"))],
        paid_at=shanghai(day),
    )
    make_order(
        partner=bob,
        villager=world["villagers"][3],
        lines=[(world["categories"][0], 1, Decimal("100.00"))],
        paid_at=shanghai(day),
    )
    rollups.run_rollups([day], trigger="test")
    a, b = CountySummary.objects.get(county=county_a), CountySummary.objects.get(county=county_b)
    assert (a.trailing_12m_sales, a.is_billion_yuan, a.national_rank, a.provincial_rank) == (
        Decimal("1000000000.00"),
        True,
        1,
        1,
    )
    assert (b.trailing_12m_sales, b.is_billion_yuan, b.national_rank, b.provincial_rank) == (
        Decimal("100.00"),
        False,
        2,
        1,
    )
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
