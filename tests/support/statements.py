"""Monthly statements made directly (no nightly pipeline) for approval and payout tests."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from analytics.models import MonthlyStatement, StatementStatus
from partners.models import PayoutAccount

MONTH = dt.date(2025, 1, 1)


def closed_statement(partner, *, month=MONTH, total="123.45", status=StatementStatus.CLOSED, approver=None):
    total = Decimal(total)
    statement = MonthlyStatement.objects.create(
        partner=partner,
        month=month,
        commission=total,
        total=total,
        status=status,
        closed_at=timezone.now(),
        approved_at=timezone.now() if status in (StatementStatus.APPROVED, StatementStatus.PAID) else None,
        approved_by=approver,
        paid_on=MONTH.replace(month=2, day=10) if status == StatementStatus.PAID else None,
        payout_reference="PAID-BEFORE" if status == StatementStatus.PAID else "",
    )
    return statement


def approved_statement(partner, **kwargs):
    return closed_statement(partner, status=StatementStatus.APPROVED, **kwargs)


def give_account(partner, *, kind="alipay", account="13812345678", bank_name="", holder_name=None):
    return PayoutAccount.objects.create(
        partner=partner,
        holder_name=holder_name or partner.real_name,
        kind=kind,
        account=account,
        bank_name=bank_name,
        updated_at=timezone.now(),
    )
