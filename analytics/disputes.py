"""Disputes: a partner objects to a statement (optionally naming an order on it); an
admin accepts (with an amount, which becomes an adjustment on the partner's next open
statement) or rejects it, with an answer the partner reads."""

import contextlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Order
from partners.models import Partner
from rural_taobao import dates
from rural_taobao.errors import Conflict
from rural_taobao.money import CENT

from . import settlement
from .models import CommissionEntry, Dispute, DisputeStatus, EntryKind, MonthlyStatement, StatementStatus

MAX_MESSAGE = 2000
MAX_AMOUNT = Decimal("1000000.00")


class DisputeAlreadyResolved(Conflict):
    """The dispute was answered already."""


def dispute_open(*, partner: Partner, statement_id: Any, message: str, order_id: Any = None) -> Dispute:
    """The partner disputes one of their statements that is no longer open."""
    errors: dict[str, list[str]] = {}
    message = (message or "").strip()
    statement = None
    with contextlib.suppress(TypeError, ValueError):
        statement = MonthlyStatement.objects.filter(partner=partner, pk=int(statement_id)).first()
    if statement is None:
        errors["statement"] = [_("Choose one of your statements.")]
    elif statement.status == StatementStatus.OPEN:
        errors["statement"] = [_("This month's statement is still open: dispute it once it is closed.")]
    order = None
    if order_id not in (None, ""):
        try:
            order = Order.objects.filter(placed_by=partner, pk=int(order_id)).first()
        except (TypeError, ValueError):
            order = None
        if order is None:
            errors["order"] = [_("Choose one of your orders.")]
    if not message:
        errors["message"] = [_("Say what is wrong with the statement.")]
    elif len(message) > MAX_MESSAGE:
        errors["message"] = [_("At most %(max)d characters.") % {"max": MAX_MESSAGE}]
    if errors:
        raise ValidationError(errors)
    return Dispute.objects.create(partner=partner, statement=statement, order=order, message=message)


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def dispute_resolve(*, dispute_id: int, decision: str, reason: str, by_user, amount: Any = None) -> Dispute:
    """Accept (with an amount, which lands on the partner's open statement of this month
    as an adjustment naming the disputed month) or reject a dispute, with an answer."""
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if decision not in ("accept", "reject"):
        errors["decision"] = [_("Choose accept or reject.")]
    if not reason:
        errors["reason"] = [_("Give the partner an answer.")]
    value = _amount(amount)
    if decision == "accept":
        if value is None:
            errors["amount"] = [_("Enter the amount to pay (yuan), e.g. 12.50.")]
        elif value == 0 or abs(value) > MAX_AMOUNT or value != value.quantize(CENT):
            errors["amount"] = [_("Enter a non-zero amount in yuan with at most two decimals.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("statement").get(pk=dispute_id)
        if dispute.status != DisputeStatus.OPEN:
            raise DisputeAlreadyResolved(_("This dispute was already answered."))
        now = timezone.now()
        dispute.resolved_at = now
        dispute.resolved_by = by_user
        dispute.reason = reason
        if decision == "accept":
            today = dates.shanghai_today()
            month = dates.month_start(today)
            dispute.entry = CommissionEntry.objects.create(
                partner_id=dispute.partner_id,
                kind=EntryKind.DISPUTE,
                order_id=dispute.order_id,
                day=today,
                month=month,
                amount=value,
                concerns_month=dispute.statement.month,
                note=reason[:300],
                created_at=now,
            )
            dispute.amount = value
            dispute.status = DisputeStatus.ACCEPTED
        else:
            dispute.status = DisputeStatus.REJECTED
        dispute.save()
        if decision == "accept":
            settlement.refresh_statements(dates.this_month(), partner_ids=[dispute.partner_id])
    return dispute
