"""Held commission: an order with an open integrity flag earns nothing payable while the
flag stands; a reviewer clearing it releases the commission into the next statement, a
reviewer confirming it means the commission is never paid — and is clawed back, in the
month of the review, if it was paid already. Statements show what is held. A night run
twice after a review changes nothing.

The clock is frozen at 01:30 Shanghai of each simulated night (``night``), when beat runs
the real nightly pipeline (``run_nightly``: yesterday and the days marked dirty are rolled
up — and checked — then everything due as of yesterday is settled).

The cast: a clean order (2 × ¥3,999 phones at 3 % → ¥239.94) and a bulk one (60 × ¥25
phones, an assisted purchase over the 50-a-line limit → ¥45.00), both paid on 3 March,
confirmed by the platform on 5 March, so payable from 12 March (the 7-day return window).
"""

import datetime as dt
from decimal import Decimal

import pytest

from analytics import rollups, settlement
from analytics.models import CommissionEntry, MonthlyStatement
from integrity.checks import check_day
from integrity.models import Flag
from integrity.services import flag_review, rule_setting_update
from tests.support.dates import shanghai
from tests.support.factories import VillagerFactory
from tests.support.orders import make_order
from tests.support.platform import platform_says, record_number

pytestmark = pytest.mark.django_db

D = dt.date
MARCH, APRIL = D(2025, 3, 1), D(2025, 4, 1)
PAID_ON = D(2025, 3, 3)
CONFIRMED_ON = D(2025, 3, 5)
PAYABLE_FROM = D(2025, 3, 12)
CLEAN_COMMISSION = Decimal("239.94")  # 2 × 3,999 × 3 %
BULK_COMMISSION = Decimal("45.00")  # 60 × 25 × 3 %
BONUS = Decimal("300.00")  # the tier for ≥ ¥5,000 of assisted sales; the clean order alone reaches it


# ── the night (the clock and the phones category are in tests/conftest.py) ──


@pytest.fixture
def night(clock):
    """The nightly pipeline at 01:30 of `day`: rolls up (and checks) yesterday and the
    dirty days, then settles as of yesterday."""

    def run(day: dt.date):
        clock(shanghai(day, 1, 30))
        return rollups.run_nightly(trigger="test")

    return run


def paid_order(partner, category, *, quantity: int, price: str):
    """An assisted purchase paid on 3 March, which the platform knows as paid."""
    paid = shanghai(PAID_ON, 10)
    order = make_order(
        partner=partner,
        villager=VillagerFactory(partner=partner),
        lines=[(category, quantity, Decimal(price))],
        paid_at=paid,
    )
    number = record_number(order)
    platform_says(number, status="paid", at=shanghai(PAID_ON, 13), amount=order.total_amount, paid_at=paid)
    order.platform_number = number
    return order


def platform_confirms(order):
    """The villager confirmed receipt on 5 March; the feed brought it at noon."""
    platform_says(
        order.platform_number,
        status="confirmed",
        at=shanghai(CONFIRMED_ON, 12),
        amount=order.total_amount,
        paid_at=order.paid_at,
        confirmed_at=shanghai(CONFIRMED_ON, 10),
    )


def bulk_and_clean(alice, phones, night):
    """Both orders paid on 3 March, the night of the 4th run (it checks the 3rd), then the
    platform's confirmations of the 5th."""
    bulk = paid_order(alice, phones, quantity=60, price="25.00")
    clean = paid_order(alice, phones, quantity=2, price="3999.00")
    assert sum(line.commission_amount for line in bulk.lines.all()) == BULK_COMMISSION
    assert sum(line.commission_amount for line in clean.lines.all()) == CLEAN_COMMISSION
    night(D(2025, 3, 4))
    platform_confirms(bulk)
    platform_confirms(clean)
    return bulk, clean


@pytest.fixture
def flagged(alice, phones, night):
    """The bulk order flagged by the night of 4 March (its flag open), the clean one not."""
    bulk, clean = bulk_and_clean(alice, phones, night)
    assert list(Flag.objects.values_list("order_id", "rule", "status", "day")) == [
        (bulk.pk, "bulk_quantity", "open", PAID_ON)
    ]
    return bulk, clean, Flag.objects.get()


def statement(partner, month) -> MonthlyStatement:
    return MonthlyStatement.objects.get(partner=partner, month=month)


def money(s: MonthlyStatement) -> tuple:
    """(orders, commission, incentive, clawbacks, adjustments, total, held)."""
    return (s.orders, s.commission, s.incentive, s.clawbacks, s.adjustments, s.total, s.held)


def entries(order) -> list[tuple]:
    return list(
        CommissionEntry.objects.filter(order=order)
        .order_by("id")
        .values_list("kind", "day", "month", "amount", "concerns_month", "note")
    )


def review(flag, carol, clock, *, decision: str, at: dt.datetime):
    clock(at)
    return flag_review(flag_id=flag.pk, by_user=carol, decision=decision, reason="checked with the village")


def snapshot():
    """The ledger and the statements, without ids and timestamps."""
    ledger = sorted(
        tuple(v for k, v in row.items() if k not in {"id", "created_at"}) for row in CommissionEntry.objects.values()
    )
    statements = sorted(
        tuple(v for k, v in row.items() if k not in {"id", "computed_at", "closed_at"})
        for row in MonthlyStatement.objects.values()
    )
    return ledger, statements


# ── 1. held while the flag is open ───────────────────────────────────────────


def test_an_open_flag_holds_the_commission_and_the_statement_shows_it(alice, flagged, night):
    bulk, clean, _flag = flagged
    # when the night comes that makes both orders payable (the 13th settles the 12th)
    night(D(2025, 3, 13))
    # then the clean order is payable as usual, on its payable_from day
    assert entries(clean) == [("payable", PAYABLE_FROM, MARCH, CLEAN_COMMISSION, None, "")]
    # and the flagged one is not: held, shown on the statement, not in its total
    assert entries(bulk) == []
    march = statement(alice, MARCH)
    assert money(march) == (1, CLEAN_COMMISSION, BONUS, 0, 0, CLEAN_COMMISSION + BONUS, BULK_COMMISSION)
    assert march.assisted_sales == Decimal("7998.00")
    assert settlement.held_commission(alice.pk) == BULK_COMMISSION
    assert settlement.pending_commission(alice.pk) == BULK_COMMISSION
    # and later nights keep holding it
    night(D(2025, 3, 20))
    assert entries(bulk) == []
    assert statement(alice, MARCH).held == BULK_COMMISSION


# ── 2. cleared: released into the next statement ─────────────────────────────


def test_clearing_the_flag_releases_the_commission_into_the_statement(alice, carol, flagged, night, clock):
    bulk, clean, flag = flagged
    night(D(2025, 3, 13))
    before = money(statement(alice, MARCH))
    assert before == (1, CLEAN_COMMISSION, BONUS, 0, 0, CLEAN_COMMISSION + BONUS, BULK_COMMISSION)
    # when carol clears the flag on 14 March
    review(flag, carol, clock, decision="clear", at=shanghai(D(2025, 3, 14), 10))
    # then nothing moves before the night
    assert entries(bulk) == []
    # and the next night makes it payable on the day of the clearing
    night(D(2025, 3, 15))
    assert entries(bulk) == [("payable", D(2025, 3, 14), MARCH, BULK_COMMISSION, None, "")]
    after = money(statement(alice, MARCH))
    # held drops to zero, commission and total rise by exactly the released commission
    assert after == (
        2,
        CLEAN_COMMISSION + BULK_COMMISSION,
        BONUS,
        0,
        0,
        CLEAN_COMMISSION + BULK_COMMISSION + BONUS,
        0,
    )
    assert after[1] - before[1] == BULK_COMMISSION and after[5] - before[5] == BULK_COMMISSION
    assert statement(alice, MARCH).assisted_sales == Decimal("9498.00")
    assert settlement.held_commission(alice.pk) == 0
    assert settlement.pending_commission(alice.pk) == 0


def test_a_flag_cleared_after_its_month_closed_pays_into_the_month_of_the_clearing(alice, carol, flagged, night, clock):
    bulk, clean, flag = flagged
    night(D(2025, 3, 13))
    night(D(2025, 4, 1))  # March closes, still holding the bulk order
    closed_march = money(statement(alice, MARCH))
    assert statement(alice, MARCH).status == "closed"
    assert closed_march == (1, CLEAN_COMMISSION, BONUS, 0, 0, CLEAN_COMMISSION + BONUS, BULK_COMMISSION)
    # and April, with no ledger line yet, shows the hold from its first night
    assert money(statement(alice, APRIL)) == (0, 0, 0, 0, 0, 0, BULK_COMMISSION)
    # when carol clears the flag on 3 April
    review(flag, carol, clock, decision="clear", at=shanghai(D(2025, 4, 3), 10))
    night(D(2025, 4, 4))
    # then its commission is payable on April's statement (short of the tier on its own)
    assert entries(bulk) == [("payable", D(2025, 4, 3), APRIL, BULK_COMMISSION, None, "")]
    assert money(statement(alice, APRIL)) == (1, BULK_COMMISSION, 0, 0, 0, BULK_COMMISSION, 0)
    # and closed March never changes
    assert money(statement(alice, MARCH)) == closed_march


def test_a_flag_cleared_inside_the_return_window_waits_for_the_window(alice, carol, flagged, night, clock):
    bulk, clean, flag = flagged
    # when carol clears the flag on 6 March, before the return window ends
    review(flag, carol, clock, decision="clear", at=shanghai(D(2025, 3, 6), 10))
    night(D(2025, 3, 7))
    # then it is no more payable than any other order still inside the window
    assert not CommissionEntry.objects.exists()
    # and becomes payable with the clean order, on its payable_from day
    night(D(2025, 3, 13))
    assert entries(bulk) == [("payable", PAYABLE_FROM, MARCH, BULK_COMMISSION, None, "")]
    assert money(statement(alice, MARCH)) == (
        2,
        CLEAN_COMMISSION + BULK_COMMISSION,
        BONUS,
        0,
        0,
        CLEAN_COMMISSION + BULK_COMMISSION + BONUS,
        0,
    )


# ── 3. confirmed while held: never paid ──────────────────────────────────────


def test_confirming_a_held_flag_means_the_commission_is_never_paid(alice, carol, flagged, night, clock):
    bulk, clean, flag = flagged
    night(D(2025, 3, 13))
    assert statement(alice, MARCH).held == BULK_COMMISSION
    # when carol confirms the flag on 14 March
    review(flag, carol, clock, decision="confirm", at=shanghai(D(2025, 3, 14), 10))
    night(D(2025, 3, 15))
    # then nothing is held for it any more, and it is not payable — nor pending
    assert entries(bulk) == []
    assert money(statement(alice, MARCH)) == (1, CLEAN_COMMISSION, BONUS, 0, 0, CLEAN_COMMISSION + BONUS, 0)
    assert settlement.held_commission(alice.pk) == 0
    assert settlement.pending_commission(alice.pk) == 0
    assert settlement.money_summary(alice.pk).pending == 0
    # and no later night ever pays it, across the month's close
    for day in (D(2025, 3, 20), D(2025, 4, 1), D(2025, 4, 2), D(2025, 5, 1)):
        night(day)
        assert entries(bulk) == []
    assert list(CommissionEntry.objects.values_list("order_id", "kind")) == [(clean.pk, "payable")]
    assert money(statement(alice, MARCH)) == (1, CLEAN_COMMISSION, BONUS, 0, 0, CLEAN_COMMISSION + BONUS, 0)
    assert statement(alice, MARCH).status == "closed"
    assert not MonthlyStatement.objects.filter(partner=alice).exclude(month=MARCH).exclude(total=0).exists()


# ── 4. confirmed after it was paid: clawed back in the month of the review ──


@pytest.fixture
def paid_then_flagged(alice, phones, night, clock):
    """The bulk rule switched off until both orders were payable; then an admin switches it
    on (20 March) and the checks of 3 March run again: the flag stands on a paid order."""
    rule_setting_update(rule="bulk_quantity", enabled=False, severity="medium", params={}, by_user=None)
    bulk, clean = bulk_and_clean(alice, phones, night)
    assert not Flag.objects.exists()
    night(D(2025, 3, 13))
    assert entries(bulk) == [("payable", PAYABLE_FROM, MARCH, BULK_COMMISSION, None, "")]
    clock(shanghai(D(2025, 3, 20), 10))
    rule_setting_update(rule="bulk_quantity", enabled=True, severity="medium", params={}, by_user=None)
    assert check_day(PAID_ON, rules=["bulk_quantity"]) == {"bulk_quantity": 1}
    flag = Flag.objects.get()
    assert (flag.order_id, flag.status) == (bulk.pk, "open")
    return bulk, clean, flag


def test_confirming_the_flag_of_a_paid_order_claws_it_back_in_the_month_of_the_review(
    alice, carol, paid_then_flagged, night, clock
):
    bulk, clean, flag = paid_then_flagged
    march_total = CLEAN_COMMISSION + BULK_COMMISSION + BONUS
    # an open flag on an order already paid holds nothing (its money is on the statement)
    night(D(2025, 3, 21))
    assert money(statement(alice, MARCH)) == (2, CLEAN_COMMISSION + BULK_COMMISSION, BONUS, 0, 0, march_total, 0)
    night(D(2025, 4, 1))  # March closes
    closed_march = money(statement(alice, MARCH))
    # when carol confirms the flag on 2 April
    review(flag, carol, clock, decision="confirm", at=shanghai(D(2025, 4, 2), 10))
    night(D(2025, 4, 3))
    # then April takes the commission back, naming March; March still reaches its tier
    assert entries(bulk) == [
        ("payable", PAYABLE_FROM, MARCH, BULK_COMMISSION, None, ""),
        ("clawback", D(2025, 4, 2), APRIL, -BULK_COMMISSION, MARCH, "review"),
    ]
    assert money(statement(alice, APRIL)) == (0, 0, 0, BULK_COMMISSION, 0, -BULK_COMMISSION, 0)
    assert not CommissionEntry.objects.filter(kind="tier_adjustment").exists()
    assert money(statement(alice, MARCH)) == closed_march
    assert entries(clean) == [("payable", PAYABLE_FROM, MARCH, CLEAN_COMMISSION, None, "")]


def test_confirming_the_flag_of_an_order_paid_this_month_claws_back_this_month(
    alice, carol, paid_then_flagged, night, clock
):
    bulk, clean, flag = paid_then_flagged
    review(flag, carol, clock, decision="confirm", at=shanghai(D(2025, 3, 21), 10))
    night(D(2025, 3, 22))
    assert entries(bulk) == [
        ("payable", PAYABLE_FROM, MARCH, BULK_COMMISSION, None, ""),
        ("clawback", D(2025, 3, 21), MARCH, -BULK_COMMISSION, MARCH, "review"),
    ]
    # the clawed-back order leaves March's tier base too
    march = statement(alice, MARCH)
    assert money(march) == (
        2,
        CLEAN_COMMISSION + BULK_COMMISSION,
        BONUS,
        BULK_COMMISSION,
        0,
        CLEAN_COMMISSION + BONUS,
        0,
    )
    assert march.assisted_sales == Decimal("7998.00")


# ── 5. idempotent ────────────────────────────────────────────────────────────


@pytest.mark.parametrize("decision", ["clear", "confirm"])
def test_the_night_run_twice_after_a_review_changes_nothing(alice, carol, flagged, night, clock, decision):
    bulk, clean, flag = flagged
    night(D(2025, 3, 13))
    review(flag, carol, clock, decision=decision, at=shanghai(D(2025, 3, 14), 10))
    night(D(2025, 3, 15))
    first = snapshot()
    expected_bulk = [("payable", D(2025, 3, 14), MARCH, BULK_COMMISSION, None, "")] if decision == "clear" else []
    assert entries(bulk) == expected_bulk
    night(D(2025, 3, 15))
    assert snapshot() == first
    night(D(2025, 3, 16))
    assert snapshot() == first
    rollups.run_rollups([], trigger="test", full=True)
    assert snapshot() == first
    assert entries(bulk) == expected_bulk
    assert statement(alice, MARCH).held == 0


def test_the_night_run_twice_after_a_clawback_changes_nothing(alice, carol, paid_then_flagged, night, clock):
    bulk, clean, flag = paid_then_flagged
    night(D(2025, 4, 1))
    review(flag, carol, clock, decision="confirm", at=shanghai(D(2025, 4, 2), 10))
    night(D(2025, 4, 3))
    first = snapshot()
    assert CommissionEntry.objects.filter(order=bulk, kind="clawback").count() == 1
    night(D(2025, 4, 3))
    assert snapshot() == first
    night(D(2025, 4, 4))
    assert snapshot() == first
    rollups.run_rollups([], trigger="test", full=True)
    assert snapshot() == first
    assert money(statement(alice, APRIL)) == (0, 0, 0, BULK_COMMISSION, 0, -BULK_COMMISSION, 0)
