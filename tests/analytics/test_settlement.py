"""Payable money: commission is earned only on what the platform confirmed, after the
return window; refunds claw it back in the month they are learned; a clawback that
takes a closed month under its tier claws the bonus back too; closed statements never
change; the nightly pipeline run twice changes nothing.

The clock is frozen at 01:30 Shanghai of each simulated night (``night``), the moment
beat runs the pipeline: it settles as of yesterday."""

import datetime as dt
from decimal import Decimal

import pytest

from analytics import rollups, settlement
from analytics.models import CommissionEntry, MonthlyStatement
from orders.models import Order
from tests.support.dates import shanghai
from tests.support.factories import VillagerFactory
from tests.support.orders import make_order
from tests.support.platform import platform_says, record_number

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)
D = dt.date


@pytest.fixture
def night(clock):
    """Run the nightly pipeline at 01:30 of `day` (it settles as of the day before)."""

    def run(day: dt.date):
        clock(shanghai(day, 1, 30))
        return rollups.run_rollups([], trigger="test")

    return run


def an_order(partner, category, *, paid: dt.datetime, amount="3999.00", quantity=2, **kwargs) -> Order:
    villager = VillagerFactory(partner=partner)
    return make_order(
        partner=partner, villager=villager, lines=[(category, quantity, Decimal(amount))], paid_at=paid, **kwargs
    )


def statement(partner, month) -> MonthlyStatement:
    return MonthlyStatement.objects.get(partner=partner, month=month)


def money(s: MonthlyStatement | None) -> tuple:
    """A statement's money; a month with nothing settled yet has no statement: zeros."""
    if s is None:
        return (0, 0, 0, 0, 0)
    return (s.commission, s.incentive, s.clawbacks, s.adjustments, s.total)


def confirmed_order(partner, category, *, paid, confirmed, learned=None, amount="3999.00"):
    order = an_order(partner, category, paid=paid, amount=amount)
    number = record_number(order)
    platform_says(number, status="paid", at=paid + dt.timedelta(hours=1), amount=order.total_amount, paid_at=paid)
    platform_says(
        number,
        status="confirmed",
        at=learned or confirmed + dt.timedelta(hours=2),
        amount=order.total_amount,
        paid_at=paid,
        confirmed_at=confirmed,
    )
    return order, number


def test_commission_is_pending_until_confirmed_then_payable_after_the_return_window(alice, phones, night, clock):
    # given an order paid on 3 March, the platform knowing it as paid
    order = an_order(alice, phones, paid=shanghai(D(2025, 3, 3), 10))
    number = record_number(order)
    platform_says(number, status="paid", at=shanghai(D(2025, 3, 3), 13), amount=order.total_amount)
    # when the nightly run comes
    night(D(2025, 3, 4))
    # then the commission is pending, not payable
    order.refresh_from_db()
    assert order.reconciliation == "matched"
    assert settlement.pending_commission(alice.pk) == Decimal("239.94")
    assert money(MonthlyStatement.objects.filter(partner=alice, month=MARCH).first()) == (0, 0, 0, 0, 0)
    # when the villager confirms receipt on 10 March (the feed brings it that evening)
    platform_says(
        number,
        status="confirmed",
        at=shanghai(D(2025, 3, 10), 18),
        amount=order.total_amount,
        confirmed_at=shanghai(D(2025, 3, 10), 10),
    )
    night(D(2025, 3, 11))
    # then it is confirmed but still inside the 7-day return window
    order.refresh_from_db()
    assert (order.reconciliation, order.payable_from) == ("confirmed", D(2025, 3, 17))
    assert not CommissionEntry.objects.exists()
    night(D(2025, 3, 17))  # settles as of the 16th
    assert not CommissionEntry.objects.exists()
    # when the window has passed (the run of the 18th settles the 17th)
    night(D(2025, 3, 18))
    # then the commission is payable in March, with the tier its assisted sales reach
    march = statement(alice, MARCH)
    assert money(march) == (Decimal("239.94"), Decimal("300.00"), 0, 0, Decimal("539.94"))
    assert (march.orders, march.assisted_sales, march.status) == (1, Decimal("7998.00"), "open")
    entry = CommissionEntry.objects.get(order=order)
    assert (entry.kind, entry.day, entry.month) == ("payable", D(2025, 3, 17), MARCH)
    assert settlement.pending_commission(alice.pk) == 0
    # and the month closes in the first run after it
    night(D(2025, 4, 1))
    assert statement(alice, MARCH).status == "closed"


def test_an_order_without_a_platform_record_never_becomes_payable(alice, phones, night):
    an_order(alice, phones, paid=shanghai(D(2025, 3, 3), 10))
    for day in (D(2025, 3, 20), D(2025, 4, 1), D(2025, 6, 1)):
        night(day)
    assert not CommissionEntry.objects.exists()
    assert settlement.pending_commission(alice.pk) == Decimal("239.94")
    assert Order.objects.get().reconciliation == "unmatched"


def test_a_refund_inside_the_return_window_means_never_payable(alice, phones, night):
    order, number = confirmed_order(alice, phones, paid=shanghai(D(2025, 3, 3)), confirmed=shanghai(D(2025, 3, 10)))
    platform_says(
        number,
        status="refunded",
        at=shanghai(D(2025, 3, 12), 20),
        amount=order.total_amount,
        confirmed_at=shanghai(D(2025, 3, 10)),
        refunded_at=shanghai(D(2025, 3, 12)),
    )
    night(D(2025, 3, 13))
    night(D(2025, 3, 25))
    order.refresh_from_db()
    assert order.reconciliation == "status_conflict"  # refunded there, not returned here
    assert not CommissionEntry.objects.exists()
    assert not MonthlyStatement.objects.filter(partner=alice).exists()


def test_a_refund_after_payable_claws_back_in_the_month_learned_and_takes_the_tier_back(alice, phones, night):
    # given March payable (commission 239.94 + the 300 tier) and March closed
    order, number = confirmed_order(alice, phones, paid=shanghai(D(2025, 3, 3)), confirmed=shanghai(D(2025, 3, 10)))
    night(D(2025, 3, 18))
    night(D(2025, 4, 1))
    closed_march = money(statement(alice, MARCH))
    assert closed_march == (Decimal("239.94"), Decimal("300.00"), 0, 0, Decimal("539.94"))
    # when the platform reports a refund on 2 April
    platform_says(
        number,
        status="refunded",
        at=shanghai(D(2025, 4, 2), 9),
        amount=order.total_amount,
        confirmed_at=shanghai(D(2025, 3, 10)),
        refunded_at=shanghai(D(2025, 4, 1), 20),
    )
    night(D(2025, 4, 3))
    # then April takes the commission back and the bonus March no longer reaches
    april = statement(alice, APRIL)
    assert money(april) == (0, 0, Decimal("239.94"), Decimal("-300.00"), Decimal("-539.94"))
    adjustment = CommissionEntry.objects.get(kind="tier_adjustment")
    assert (adjustment.month, adjustment.concerns_month, adjustment.amount) == (APRIL, MARCH, Decimal("-300.00"))
    clawback = CommissionEntry.objects.get(kind="clawback")
    assert (clawback.day, clawback.concerns_month) == (D(2025, 4, 2), MARCH)
    # and March, closed, did not change
    assert money(statement(alice, MARCH)) == closed_march
    # and further nights change nothing
    night(D(2025, 4, 4))
    assert money(statement(alice, APRIL)) == money(april)
    assert CommissionEntry.objects.count() == 3


def test_a_clawback_that_leaves_the_month_over_its_tier_takes_no_bonus_back(alice, phones, night):
    kept, _ = confirmed_order(alice, phones, paid=shanghai(D(2025, 3, 3)), confirmed=shanghai(D(2025, 3, 5)))
    refunded, number = confirmed_order(
        alice, phones, paid=shanghai(D(2025, 3, 4)), confirmed=shanghai(D(2025, 3, 5)), amount="100.00"
    )
    night(D(2025, 3, 20))
    night(D(2025, 4, 1))
    platform_says(
        number,
        status="refunded",
        at=shanghai(D(2025, 4, 8)),
        amount=refunded.total_amount,
        confirmed_at=shanghai(D(2025, 3, 5)),
        refunded_at=shanghai(D(2025, 4, 8)),
    )
    night(D(2025, 4, 9))
    april = statement(alice, APRIL)
    assert (april.clawbacks, april.adjustments) == (Decimal("6.00"), 0)  # 7,998 still ≥ 5,000


def test_paid_on_the_last_day_cancelled_on_the_first_keeps_no_bonus(alice, phones, night):
    # given an order large enough for the tier, paid at 23:00 on 31 March, cancelled the next morning
    order = an_order(
        alice,
        phones,
        paid=shanghai(D(2025, 3, 31), 23),
        cancelled_at=shanghai(D(2025, 4, 1), 9),
    )
    number = record_number(order)
    platform_says(number, status="paid", at=shanghai(D(2025, 3, 31), 23, 30), amount=order.total_amount)
    night(D(2025, 4, 1))
    platform_says(number, status="closed", at=shanghai(D(2025, 4, 1), 10), amount=order.total_amount)
    night(D(2025, 4, 2))
    night(D(2025, 5, 1))
    # then neither March nor April pays anything for it: no commission, no bonus
    assert not CommissionEntry.objects.exists()
    assert not MonthlyStatement.objects.filter(partner=alice).exclude(total=0).exists()
    order.refresh_from_db()
    assert order.reconciliation == "refunded"


def test_a_confirmation_learned_late_is_payable_from_the_day_it_arrived(alice, phones, night):
    # given March closed before the platform's file arrived
    order = an_order(alice, phones, paid=shanghai(D(2025, 3, 3)))
    night(D(2025, 4, 1))
    number = record_number(order, at=shanghai(D(2025, 3, 3)))
    platform_says(
        number,
        status="confirmed",
        at=shanghai(D(2025, 4, 20), 15),
        amount=order.total_amount,
        confirmed_at=shanghai(D(2025, 3, 6)),
    )
    night(D(2025, 4, 21))
    entry = CommissionEntry.objects.get(kind="payable")
    assert (entry.day, entry.month) == (D(2025, 4, 20), APRIL)
    assert statement(alice, APRIL).commission == Decimal("239.94")


def test_an_amount_mismatch_is_not_payable(alice, phones, night):
    order = an_order(alice, phones, paid=shanghai(D(2025, 3, 3)))
    number = record_number(order)
    platform_says(
        number,
        status="confirmed",
        at=shanghai(D(2025, 3, 5)),
        amount=order.total_amount - Decimal("1.01"),
        confirmed_at=shanghai(D(2025, 3, 5)),
    )
    night(D(2025, 3, 20))
    order.refresh_from_db()
    assert order.reconciliation == "amount_mismatch"
    assert not CommissionEntry.objects.exists()
    # a difference of ¥1 or less still matches
    platform_says(
        number,
        status="confirmed",
        at=shanghai(D(2025, 3, 20), 10),
        amount=order.total_amount - Decimal("1.00"),
        confirmed_at=shanghai(D(2025, 3, 5)),
    )
    night(D(2025, 3, 21))
    order.refresh_from_db()
    assert order.reconciliation == "confirmed"
    assert CommissionEntry.objects.get().day == D(2025, 3, 20)  # learned on the 20th


def test_the_pipeline_run_twice_changes_nothing(alice, bob, phones, night):
    confirmed_order(alice, phones, paid=shanghai(D(2025, 3, 3)), confirmed=shanghai(D(2025, 3, 5)))
    confirmed_order(bob, phones, paid=shanghai(D(2025, 3, 4)), confirmed=shanghai(D(2025, 3, 25)))
    night(D(2025, 4, 2))

    def snapshot():
        entries = sorted(
            tuple(v for k, v in row.items() if k not in {"id", "created_at"})
            for row in CommissionEntry.objects.values()
        )
        statements = sorted(
            tuple(v for k, v in row.items() if k not in {"id", "computed_at", "closed_at"})
            for row in MonthlyStatement.objects.values()
        )
        return entries, statements

    first = snapshot()
    assert first[0], "nothing was settled"
    night(D(2025, 4, 2))
    rollups.run_rollups([], trigger="test", full=True)
    assert snapshot() == first


def test_procurement_sales_earn_their_commission_but_no_tier(alice, phones, night):
    # given a big government-procurement order, confirmed by the platform
    order = make_order(
        partner=alice,
        villager=VillagerFactory(partner=alice),
        channel="government_procurement",
        lines=[(phones, 50, Decimal("1999.00"))],
        paid_at=shanghai(D(2025, 3, 3), 10),
    )
    number = record_number(order)
    platform_says(
        number,
        status="confirmed",
        at=shanghai(D(2025, 3, 5), 12),
        amount=order.total_amount,
        confirmed_at=shanghai(D(2025, 3, 5), 10),
    )
    # when it becomes payable
    night(D(2025, 3, 20))
    # then its commission is on the statement, and the tier counts assisted purchases only
    march = statement(alice, MARCH)
    commission = sum(line.commission_amount for line in order.lines.all())
    assert commission > 0
    assert money(march) == (commission, 0, 0, 0, commission)
    assert march.assisted_sales == 0
