"""The statement after the nightly run closes it: approved by an admin, paid by a payout,
back to approved when a payout fails.

    open ──(nightly, month over)──▶ closed ──statement_approve──▶ approved
    approved ──statements_mark_paid──▶ paid
    paid / approved ──statement_payout_failed──▶ approved (payout_failure says why)

The figures of a statement that is not open never change (``analytics.settlement``
writes open statements only); these services move only the status and the approval and
payout fields. Each locks the statement rows it moves (``select_for_update``): two admins
approving the same month, or a payout marked paid while another fails, cannot interleave.
``statements_for_admin`` is the admins' list (page and API).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from partners.models import Partner
from rural_taobao.errors import Conflict, InvalidInput, NotFound

from .models import MonthlyStatement, StatementStatus

MAX_REFERENCE = 100
MAX_FAILURE = 300


class StatementStateConflict(Conflict):
    """The statement is not in the status the move starts from (409, with its status)."""

    def __init__(self, message: str, *, statement_id: int, status: str):
        super().__init__(message)
        self.statement_id = statement_id
        self.status = status

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "code": "illegal_status", "status": self.status}


def _locked(ids: Iterable[int]) -> dict[int, MonthlyStatement]:
    """The statements with these ids, locked, in id order (one lock order: no deadlock)."""
    rows = MonthlyStatement.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk")
    return {statement.pk: statement for statement in rows}


def _not_found(statement_id: Any) -> NotFound:
    return NotFound(_("No statement %(id)s.") % {"id": statement_id})


# ── Approval ─────────────────────────────────────────────────────────────────


@transaction.atomic
def statement_approve(*, statement_id: int, by_user: User) -> MonthlyStatement:
    """closed → approved, recording who and when. 409 unless the statement is closed."""
    statement = _locked([statement_id]).get(statement_id)
    if statement is None:
        raise _not_found(statement_id)
    if statement.status != StatementStatus.CLOSED:
        raise StatementStateConflict(
            _("Only a closed statement can be approved; this one is “%(status)s”.")
            % {"status": statement.get_status_display()},
            statement_id=statement.pk,
            status=statement.status,
        )
    statement.status = StatementStatus.APPROVED
    statement.approved_at = timezone.now()
    statement.approved_by = by_user
    statement.save(update_fields=["status", "approved_at", "approved_by"])
    return statement


@dataclass(frozen=True)
class ApprovalResult:
    id: int
    ok: bool
    status: str  # the statement's status afterwards ("" when there is no such statement)
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "status": self.status, "detail": self.detail}


def statements_approve(*, ids: Iterable[int], by_user: User) -> list[ApprovalResult]:
    """Approve several statements, each on its own: one that is not closed (or does not
    exist) is reported and the others are approved anyway. Results in id order."""
    results = []
    for statement_id in sorted({int(i) for i in ids}):
        try:
            statement = statement_approve(statement_id=statement_id, by_user=by_user)
        except StatementStateConflict as exc:
            results.append(ApprovalResult(statement_id, False, exc.status, exc.message))
        except NotFound as exc:
            results.append(ApprovalResult(statement_id, False, "", exc.message))
        else:
            results.append(ApprovalResult(statement_id, True, statement.status))
    return results


# ── Payout ───────────────────────────────────────────────────────────────────


def _reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(_("Enter the bank's or Alipay's reference of the transfer."), field="reference")
    if len(reference) > MAX_REFERENCE:
        raise InvalidInput(_("At most %(max)d characters.") % {"max": MAX_REFERENCE}, field="reference")
    return reference


@transaction.atomic
def statements_mark_paid(*, statement_ids: Iterable[int], reference: str, paid_on: dt.date) -> list[MonthlyStatement]:
    """approved → paid with the transfer's reference and day, all or none: 409 when one of
    them is not approved (a statement already paid with this very reference is left as it is)."""
    reference = _reference(reference)
    if not isinstance(paid_on, dt.date):
        raise InvalidInput(_("Enter the day the transfer was made."), field="paid_on")
    ids = sorted({int(i) for i in statement_ids})
    statements = _locked(ids)
    for statement_id in ids:
        statement = statements.get(statement_id)
        if statement is None:
            raise _not_found(statement_id)
        already = statement.status == StatementStatus.PAID and statement.payout_reference == reference
        if statement.status != StatementStatus.APPROVED and not already:
            raise StatementStateConflict(
                _("Statement %(ref)s is “%(status)s”: only approved statements can be paid.")
                % {"ref": statement.reference, "status": statement.get_status_display()},
                statement_id=statement.pk,
                status=statement.status,
            )
    to_pay = [s for s in statements.values() if s.status == StatementStatus.APPROVED]
    for statement in to_pay:
        statement.status = StatementStatus.PAID
        statement.paid_on = paid_on
        statement.payout_reference = reference
        statement.payout_failure = ""
    MonthlyStatement.objects.bulk_update(to_pay, ["status", "paid_on", "payout_reference", "payout_failure"])
    phones = dict(
        Partner.objects.filter(pk__in={s.partner_id for s in to_pay}).values_list("pk", "phone")
    )
    for statement in to_pay:
        notify(phones[statement.partner_id], "statement_paid", text_statement_paid(statement, paid_on))
    return [statements[i] for i in ids]


def text_statement_paid(statement: MonthlyStatement, paid_on: dt.date) -> str:
    """The partner's SMS when a statement is paid on ``paid_on`` (Chinese, one segment)."""
    month = statement.month
    return (
        f"【农村淘宝】您{month.year}年{month.month}月的佣金¥{statement.total:,}已于"
        f"{paid_on.month}月{paid_on.day}日打款，请查收。"
    )


@transaction.atomic
def statement_payout_failed(*, statement_id: int, reason: str) -> MonthlyStatement:
    """A payout that did not reach the partner: paid (or approved) → approved, with the
    reason in ``payout_failure``; it can go into a new batch."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the payout failed."), field="reason")
    reason = reason[:MAX_FAILURE]
    statement = _locked([statement_id]).get(statement_id)
    if statement is None:
        raise _not_found(statement_id)
    if statement.status not in (StatementStatus.PAID, StatementStatus.APPROVED):
        raise StatementStateConflict(
            _("Statement %(ref)s is “%(status)s”: it was never in a payout.")
            % {"ref": statement.reference, "status": statement.get_status_display()},
            statement_id=statement.pk,
            status=statement.status,
        )
    statement.status = StatementStatus.APPROVED
    statement.paid_on = None
    statement.payout_reference = ""
    statement.payout_failure = reason
    statement.save(update_fields=["status", "paid_on", "payout_reference", "payout_failure"])
    return statement


# ── Reading ──────────────────────────────────────────────────────────────────


def statements_for_admin(
    *,
    month: dt.date | None = None,
    status: str | None = None,
    county: str | None = None,
    province: str | None = None,
) -> QuerySet[MonthlyStatement]:
    """Every partner's statements (admins only: callers check the role), filtered by month
    (first day), status, county code and province code; by month, county, partner."""
    rows = MonthlyStatement.objects.select_related("partner__village__county__province", "approved_by")
    if month is not None:
        rows = rows.filter(month=month.replace(day=1))
    if status:
        rows = rows.filter(status=status)
    if county:
        rows = rows.filter(partner__village__county__code=county)
    if province:
        rows = rows.filter(partner__village__county__province__code=province)
    return rows.order_by("-month", "partner__village__county__code", "partner__real_name", "pk")


@dataclass(frozen=True)
class StatementTotals:
    statements: int
    commission: Decimal
    incentive: Decimal
    clawbacks: Decimal
    adjustments: Decimal
    total: Decimal
    held: Decimal


def statement_totals(rows: QuerySet[MonthlyStatement]) -> StatementTotals:
    """The sums of a list of statements (one query)."""
    sums = rows.order_by().aggregate(
        statements=Count("pk"),
        commission=Sum("commission"),
        incentive=Sum("incentive"),
        clawbacks=Sum("clawbacks"),
        adjustments=Sum("adjustments"),
        total=Sum("total"),
        held=Sum("held"),
    )
    zero = Decimal("0.00")
    return StatementTotals(
        statements=sums["statements"] or 0,
        commission=sums["commission"] or zero,
        incentive=sums["incentive"] or zero,
        clawbacks=sums["clawbacks"] or zero,
        adjustments=sums["adjustments"] or zero,
        total=sums["total"] or zero,
        held=sums["held"] or zero,
    )
