"""Payout batches: approved statements paid together by one bank or Alipay batch transfer.

    payout_batch_create      approved statements (chosen, or a month by county/province)
                             → a batch of pending items, each with the partner's account
                             as it was (the snapshot the transfer file is written from)
    payout_transfer_file     the CSV the bank or Alipay batch transfer takes
    payout_batch_mark_paid   the transfer went through: items, statements and batch paid
    payout_results_import    the bank's per-row results: failed rows send the statement
                             back to approved with the reason (it can go into a new batch)

A statement is in at most one pending item (a partial unique index decides when two
admins race); the statements' status moves are ``analytics.statements``'.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import statements as statement_moves
from analytics.models import MonthlyStatement, StatementStatus
from partners.importing import column_map, read_records
from partners.models import PayoutAccount, PayoutAccountKind
from rural_taobao import dates
from rural_taobao.errors import Conflict, InvalidInput, NotFound

from .models import BatchStatus, ItemStatus, PayoutBatch, PayoutItem

MAX_RESULT_ROWS = 100_000
MAX_REASON = 300

# The results file: a memo (the statement's reference) and a status per row.
RESULT_HEADERS: dict[str, tuple[str, ...]] = {
    "memo": ("memo", "备注", "reference", "statement_reference", "摘要", "附言", "转账备注"),
    "status": ("status", "状态", "结果", "处理结果"),
    "reason": ("reason", "失败原因", "原因", "备注说明"),
}
RESULT_REQUIRED = ("memo", "status")
SUCCESS_VALUES = frozenset({"success", "succeeded", "paid", "ok", "成功", "转账成功", "已到账"})
FAILURE_VALUES = frozenset({"failed", "failure", "fail", "失败", "转账失败", "退回", "退票"})


class BatchRefused(InvalidInput):
    """The statements cannot make a batch: 400, one message per statement at fault under
    ``statements`` and the same as ``problems`` ({statement, reference, message})."""

    def __init__(self, problems: list[tuple[int | None, str, str]]):
        super().__init__(_("These statements cannot be paid in a batch."), field="statements")
        self.problems = problems
        self.errors = {"statements": [f"{ref}: {message}" if ref else message for _id, ref, message in problems]}

    def api_body(self) -> dict[str, Any]:
        return {
            **self.errors,
            "problems": [{"statement": sid, "reference": ref, "message": msg} for sid, ref, msg in self.problems],
        }


class BatchConflict(Conflict):
    """The batch is not in a state that allows this (already paid, nothing pending…)."""


def _batch_locked(batch_id: int) -> PayoutBatch:
    batch = PayoutBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("No payout batch %(id)s.") % {"id": batch_id})
    return batch


# ── Making a batch ───────────────────────────────────────────────────────────


def _chosen_statements(
    statement_ids, month: dt.date | None, county_code: str | None, province_code: str | None
) -> tuple[QuerySet[MonthlyStatement], str]:
    if statement_ids is not None:
        try:
            ids = sorted({int(i) for i in statement_ids})
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("Statement ids are whole numbers."), field="statements") from exc
        if not ids:
            raise InvalidInput(_("Choose at least one statement."), field="statements")
        return MonthlyStatement.objects.filter(pk__in=ids), _("%(n)d chosen statements") % {"n": len(ids)}
    if month is None:
        raise InvalidInput(_("Choose statements, or a month (with a county or province)."), field="month")
    rows = MonthlyStatement.objects.filter(month=month.replace(day=1), status=StatementStatus.APPROVED, total__gt=0)
    description = f"{month:%Y-%m}"
    if county_code:
        rows = rows.filter(partner__village__county__code=county_code)
        description += f" · {county_code}"
    if province_code:
        rows = rows.filter(partner__village__county__province__code=province_code)
        description += f" · {province_code}"
    # A month's selection leaves out what is already on its way.
    rows = rows.exclude(payout_items__status=ItemStatus.PENDING)
    return rows, description


@transaction.atomic
def payout_batch_create(
    *,
    statement_ids=None,
    month: dt.date | None = None,
    county_code: str | None = None,
    province_code: str | None = None,
    by_user: User,
) -> PayoutBatch:
    """A batch of the chosen statements (``statement_ids``) or of the approved statements
    of ``month`` (optionally of one county or province). Each must be approved, owe more
    than nothing, have a payout account and be in no other pending batch: otherwise 400
    naming each statement at fault, and no batch."""
    chosen, description = _chosen_statements(statement_ids, month, county_code, province_code)
    statements = list(chosen.select_for_update(of=("self",)).order_by("pk"))
    chosen_ids = {int(i) for i in statement_ids} if statement_ids is not None else set()
    missing = sorted(chosen_ids - {s.pk for s in statements})
    if not statements and not missing:
        raise InvalidInput(_("No approved statements to pay for this choice."), field="statements")
    accounts = {
        a.partner_id: a for a in PayoutAccount.objects.filter(partner_id__in={s.partner_id for s in statements})
    }
    pending = set(
        PayoutItem.objects.filter(statement__in=statements, status=ItemStatus.PENDING).values_list(
            "statement_id", flat=True
        )
    )
    problems: list[tuple[int | None, str, str]] = [(i, "", _("No statement %(id)s.") % {"id": i}) for i in missing]
    for s in statements:
        if s.status != StatementStatus.APPROVED:
            problems.append(
                (
                    s.pk,
                    s.reference,
                    _("It is “%(status)s”: only approved statements are paid.") % {"status": s.get_status_display()},
                )  # fmt: skip
            )
        elif s.total <= 0:
            problems.append((s.pk, s.reference, _("Its total is %(total)s: nothing to pay.") % {"total": s.total}))
        elif s.partner_id not in accounts:
            problems.append((s.pk, s.reference, _("The partner has no payout account.")))
        elif s.pk in pending:
            problems.append((s.pk, s.reference, _("It is already in a batch awaiting transfer.")))
    if problems:
        raise BatchRefused(problems)
    batch = PayoutBatch.objects.create(
        created_at=timezone.now(),
        created_by=by_user,
        description=description[:200],
        total=sum((s.total for s in statements), Decimal("0.00")),
    )
    items = []
    for s in statements:
        account = accounts[s.partner_id]
        items.append(
            PayoutItem(
                batch=batch,
                statement=s,
                amount=s.total,
                holder_name=account.holder_name,
                account_kind=account.kind,
                account=account.account,
                bank_name=account.bank_name if account.kind == PayoutAccountKind.BANK else "",
            )
        )
    try:
        with transaction.atomic():
            PayoutItem.objects.bulk_create(items)
    except IntegrityError as exc:
        # Another batch took one of them between our check and the insert.
        raise BatchConflict(_("One of these statements was just put in another batch; reload and try again.")) from exc
    return batch


# ── The transfer file ────────────────────────────────────────────────────────

TRANSFER_COLUMNS = ("name", "account", "amount", "memo", "bank_name")


def payout_transfer_file(batch: PayoutBatch) -> bytes:
    """The batch's transfer as CSV, UTF-8 with a BOM (Excel and the banks' upload pages
    read it): name, account, amount, memo (the statement's reference) and the bank of a
    bank card. Failed lines are left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TRANSFER_COLUMNS)
    items = batch.items.exclude(status=ItemStatus.FAILED).select_related("statement").order_by("pk")
    for item in items:
        writer.writerow(
            [
                item.holder_name,
                item.account,
                f"{item.amount:.2f}",
                item.statement.reference,
                item.bank_name if item.account_kind == PayoutAccountKind.BANK else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ── Paid ─────────────────────────────────────────────────────────────────────


def _paid_on(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("Enter the day of the transfer as YYYY-MM-DD."), field="paid_on") from exc


@transaction.atomic
def payout_batch_mark_paid(*, batch_id: int, reference: str, paid_on, by_user: User) -> PayoutBatch:
    """The transfer went through: every pending item paid, their statements paid with the
    reference and the day, the batch paid. 409 for a batch that is paid already."""
    paid_on = _paid_on(paid_on)
    if paid_on > dates.shanghai_today():
        raise InvalidInput(_("The transfer day cannot be in the future."), field="paid_on")
    reference = (reference or "").strip()
    if not reference:
        raise InvalidInput(_("Enter the bank's or Alipay's reference of the transfer."), field="reference")
    batch = _batch_locked(batch_id)
    if batch.status != BatchStatus.OPEN:
        raise BatchConflict(_("This batch was marked paid already."))
    items = list(batch.items.select_for_update().filter(status=ItemStatus.PENDING).order_by("pk"))
    if not items:
        raise BatchConflict(_("Nothing in this batch is awaiting transfer."))
    statement_moves.statements_mark_paid(
        statement_ids=[item.statement_id for item in items], reference=reference, paid_on=paid_on
    )
    PayoutItem.objects.filter(pk__in=[item.pk for item in items]).update(status=ItemStatus.PAID)
    batch.status = BatchStatus.PAID
    batch.reference = reference[:100]
    batch.paid_on = paid_on
    batch.paid_by = by_user
    batch.save(update_fields=["status", "reference", "paid_on", "paid_by"])
    return batch


# ── Results ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ResultRowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ResultsReport:
    rows: int = 0
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    errors: list[ResultRowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "paid": self.paid,
            "failed": self.failed,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


def _result_rows(source, filename: str) -> list[tuple[int, dict[str, str]]]:
    columns: dict[str, int] | None = None
    rows = []
    for number, record in enumerate(read_records(source, filename), start=1):
        if columns is None:
            if any(cell.strip() for cell in record):
                columns = column_map(record, RESULT_HEADERS, RESULT_REQUIRED)
            continue
        values = {name: (record[i].strip() if i < len(record) and record[i] else "") for name, i in columns.items()}
        if any(values.values()):
            rows.append((number, values))
        if len(rows) > MAX_RESULT_ROWS:
            raise InvalidInput(_("The file has too many rows."), field="file")
    if columns is None:
        raise InvalidInput(_("The file is empty."), field="file")
    return rows


def payout_results_import(
    *, batch_id: int, source, filename: str = "", reference: str = "", paid_on=None
) -> ResultsReport:
    """The bank's (or Alipay's) per-row results of a batch: CSV (UTF-8/BOM/GB18030) or
    XLSX, columns memo/备注 (the statement reference), status/状态 (success/成功,
    failed/失败) and reason/失败原因. Failed rows: the item failed with the reason, the
    statement back to approved with ``payout_failure``. Success rows: item and statement
    paid (with the batch's reference and day, or ``reference``/``paid_on``; the batch
    is paid once nothing in it is pending). Every bad row is reported and nothing is
    written while one is; importing the same file again changes nothing."""
    rows = _result_rows(source, filename)
    report = ResultsReport(rows=len(rows))
    with transaction.atomic():
        batch = _batch_locked(batch_id)
        items = {
            item.statement.reference: item
            for item in batch.items.select_for_update().select_related("statement").order_by("pk")
        }
        decided: dict[str, tuple[str, str]] = {}
        for number, values in rows:
            memo, status = values.get("memo", ""), values.get("status", "").strip().lower()
            item = items.get(memo) or items.get(memo.upper())
            if item is None:
                report.errors.append(ResultRowError(number, "memo", _("No line of this batch has this memo.")))
                continue
            outcome: str
            if status in SUCCESS_VALUES:
                outcome = ItemStatus.PAID
            elif status in FAILURE_VALUES:
                outcome = ItemStatus.FAILED
            else:
                report.errors.append(ResultRowError(number, "status", _("Write success/成功 or failed/失败.")))
                continue
            if item.status == ItemStatus.FAILED and outcome == ItemStatus.PAID:
                report.errors.append(
                    ResultRowError(number, "status", _("This line was reported failed before; it cannot become paid."))
                )
                continue
            key = item.statement.reference
            reason = (values.get("reason") or "").strip()[:MAX_REASON] or _("The transfer failed.")
            if key in decided and decided[key][0] != outcome:
                report.errors.append(ResultRowError(number, "status", _("Another row says otherwise of this line.")))
                continue
            decided[key] = (outcome, reason)
        if report.errors:
            return report
        pay_reference = (reference or "").strip() or batch.reference or f"PB{batch.pk:06d}"
        pay_day = _paid_on(paid_on) if paid_on else (batch.paid_on or dates.shanghai_today())
        to_pay = []
        for key, (outcome, reason) in decided.items():
            item = items[key]
            if item.status == outcome:
                report.unchanged += 1
            elif outcome == ItemStatus.FAILED:
                statement_moves.statement_payout_failed(statement_id=item.statement_id, reason=reason)
                item.status, item.failure_reason = ItemStatus.FAILED, reason
                item.save(update_fields=["status", "failure_reason"])
                report.failed += 1
            else:
                to_pay.append(item)
        if to_pay:
            statement_moves.statements_mark_paid(
                statement_ids=[item.statement_id for item in to_pay], reference=pay_reference, paid_on=pay_day
            )
            PayoutItem.objects.filter(pk__in=[item.pk for item in to_pay]).update(status=ItemStatus.PAID)
            report.paid += len(to_pay)
        still_pending = batch.items.filter(status=ItemStatus.PENDING).exists()
        if (
            batch.status == BatchStatus.OPEN
            and not still_pending
            and batch.items.filter(status=ItemStatus.PAID).exists()
        ):
            batch.status, batch.reference, batch.paid_on = BatchStatus.PAID, pay_reference, pay_day
            batch.save(update_fields=["status", "reference", "paid_on"])
    return report
