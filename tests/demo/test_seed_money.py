"""seed_demo's money history: platform records in every reconciliation state, months
settled by the real pipeline, approved and paid in payout batches (one line failed), the
last month awaiting approval, the current one open, payout accounts and disputes."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from analytics import settlement
from analytics.models import CommissionEntry, Dispute, DisputeStatus, EntryKind, MonthlyStatement, StatementStatus
from orders.models import Order, OrderReconciliation, PlatformOrder, PlatformOrderNo, Reconciliation
from orders.reconciliation import reconcile_orders
from partners.models import Partner, PayoutAccount, PayoutAccountKind
from payouts.models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem
from rural_taobao import dates

# 100 days ending 2025-11-30: August (in part) to November; December 2025 is the month
# after the period, the "current" one of its last night.
MONEY = ["--orders", "2500", "--days", "100", "--partners", "60", "--end-date", "2025-11-30"]
AUG, SEP, OCT, NOV, DEC = (date(2025, m, 1) for m in (8, 9, 10, 11, 12))

pytestmark = pytest.mark.django_db


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *MONEY, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def ledger_snapshot():
    return (
        sorted(CommissionEntry.objects.values_list("partner_id", "kind", "order_id", "month", "amount")),
        sorted(
            MonthlyStatement.objects.values_list(
                "partner_id", "month", "status", "commission", "incentive", "clawbacks", "adjustments", "total"
            )
        ),
        sorted(OrderReconciliation.objects.values_list("order_id", "state", "payable_from")),
    )


def test_every_reconciliation_state_shows_and_most_paid_orders_are_confirmed(seeded):
    paid = Order.objects.filter(paid_at__isnull=False)
    counts = dict(
        paid.order_by()
        .values_list("reconciliation_row__state")
        .annotate(n=Count("id"))
        .values_list("reconciliation_row__state", "n")
    )
    without_row = counts.pop(None, 0)  # no number recorded: unmatched
    assert set(counts) == set(Reconciliation.values)
    assert counts[Reconciliation.CONFIRMED] > 0.8 * paid.count()
    for state in (Reconciliation.AMOUNT_MISMATCH, Reconciliation.STATUS_CONFLICT, Reconciliation.UNMATCHED):
        assert 0 < counts[state] < 0.05 * paid.count(), state
    assert 0 < without_row < 0.03 * paid.count()
    # refunded = undone here and there; a platform refund is never on an order still picked up
    assert not Order.objects.filter(reconciliation_row__state=Reconciliation.REFUNDED).exclude(
        status__in=["cancelled", "returned"]
    )
    # numbers derive from the order number; a split basket has two
    order = Order.objects.filter(platform_numbers__isnull=False).order_by("order_no").first()
    code, day, seq = order.order_no.split("-")
    assert order.platform_numbers.first().number.startswith(f"{day}{code}{seq}")
    assert PlatformOrderNo.objects.values("order").annotate(n=Count("id")).filter(n=2).exists()
    # records carry the times the platform keeps, and arrived after them
    for record in PlatformOrder.objects.filter(status="confirmed")[:50]:
        assert record.paid_at <= record.confirmed_at < record.changed_at


def test_months_are_settled_approved_paid_and_waiting_as_a_programme_would_have_them(seeded):
    statuses = dict(MonthlyStatement.objects.values_list("month").annotate(n=Count("id")).values_list("month", "n"))
    # (and the month the accepted dispute was answered in: this month)
    assert set(statuses) <= {AUG, SEP, OCT, NOV, dates.this_month()}
    # paid months: every statement paid, unless it owes nothing, has no account, or failed
    for month in (AUG, SEP, OCT):
        rows = MonthlyStatement.objects.filter(month=month)
        assert set(rows.values_list("status", flat=True)) <= {StatementStatus.PAID, StatementStatus.APPROVED}
        for s in rows.filter(status=StatementStatus.APPROVED):
            has_account = PayoutAccount.objects.filter(partner_id=s.partner_id).exists()
            assert s.total <= 0 or not has_account or s.payout_failure, s
        for s in rows.filter(status=StatementStatus.PAID):
            assert s.payout_reference.startswith("ALIPAY-") and s.paid_on == date(month.year, month.month + 1, 10)
            assert s.approved_at is not None and s.approved_by.username == "demo_admin"
    # the last month waits for approval; nothing is open before December
    assert set(MonthlyStatement.objects.filter(month=NOV).values_list("status", flat=True)) == {"closed"}
    assert not MonthlyStatement.objects.filter(status=StatementStatus.OPEN, month__lt=DEC).exists()
    # a statement is its ledger: commission = the month's payable entries
    for s in MonthlyStatement.objects.filter(month=OCT)[:20]:
        payable = CommissionEntry.objects.filter(partner_id=s.partner_id, month=OCT, kind=EntryKind.PAYABLE)
        assert s.commission == (payable.aggregate(t=Sum("amount"))["t"] or Decimal("0.00"))
    # refunds after the window were clawed back in a later month
    clawback = CommissionEntry.objects.filter(kind=EntryKind.CLAWBACK).first()
    assert clawback is not None and clawback.concerns_month is not None and clawback.month >= clawback.concerns_month


def test_payout_batches_one_per_paid_month_with_one_line_failed_at_the_bank(seeded):
    batches = list(PayoutBatch.objects.order_by("created_at"))
    # (the period starts late in August: nothing became payable before September)
    assert [b.description for b in batches] == ["2025-09", "2025-10"]
    assert all(b.status == BatchStatus.PAID and b.reference and b.paid_by.username == "demo_admin" for b in batches)
    failed = PayoutItem.objects.get(status=ItemStatus.FAILED)
    assert failed.batch.description == "2025-09" and failed.failure_reason
    statement = failed.statement
    assert statement.status == StatementStatus.APPROVED and statement.payout_failure == failed.failure_reason
    assert statement.partner.user.username != "demo_partner"
    for batch in batches:
        paid = batch.items.filter(status=ItemStatus.PAID)
        assert paid.exists()
        assert set(paid.values_list("statement__payout_reference", flat=True)) == {batch.reference}
    # a month's batch paid exactly its paid statements
    paid_oct = MonthlyStatement.objects.filter(month=OCT, status=StatementStatus.PAID)
    assert sum(s.total for s in paid_oct) == batches[-1].items.aggregate(t=Sum("amount"))["t"]


def test_payout_accounts_disputes_and_demo_partners_money(seeded):
    demo = Partner.objects.get(user__username="demo_partner")
    account = demo.payout_account
    assert account.kind == PayoutAccountKind.ALIPAY and account.account == demo.phone
    assert account.history.count() == 1
    assert PayoutAccount.objects.filter(kind=PayoutAccountKind.BANK).exclude(bank_name="").exists()
    ever_active = Partner.objects.filter(status__in=["active", "suspended", "exited"]).count()
    assert 0.8 * ever_active <= PayoutAccount.objects.count() < ever_active

    accepted = Dispute.objects.get(partner=demo, status=DisputeStatus.ACCEPTED)
    assert accepted.statement.status == StatementStatus.PAID and accepted.order is not None
    assert accepted.entry.kind == EntryKind.DISPUTE and accepted.entry.amount == Decimal("8.60")
    assert accepted.entry.concerns_month == accepted.statement.month and accepted.reason
    waiting = Dispute.objects.get(partner=demo, status=DisputeStatus.OPEN)
    assert waiting.statement.month == NOV and waiting.statement.status == StatementStatus.CLOSED
    rejected = Dispute.objects.get(status=DisputeStatus.REJECTED)
    assert rejected.partner != demo and rejected.statement.clawbacks > 0 and rejected.reason

    money = settlement.money_summary(demo.pk)
    assert money.paid > 0 and money.payable > 0


def test_the_next_night_changes_nothing(seeded):
    before = ledger_snapshot()
    assert reconcile_orders(full=True).changed == 0
    settlement.settle(as_of=date(2025, 11, 30), since=date(2025, 11, 30))
    settlement.settle(as_of=date(2025, 11, 30))
    assert ledger_snapshot() == before


def test_no_money_leaves_the_money_out(db):
    seed("--no-money")
    assert Order.objects.filter(paid_at__isnull=False).exists()
    assert not PlatformOrder.objects.exists() and not PlatformOrderNo.objects.exists()
    assert not MonthlyStatement.objects.exists() and not PayoutAccount.objects.exists()
