"""The platform feed: the seller-centre export of the platform's (Taobao's) orders, imported
into ``PlatformOrder`` records keyed by the platform's order number.

One function, ``platform_orders_import``, serves the ``import_platform_orders`` command,
the admins' upload page and the API. The file is read with the partner import's helpers
(CSV in UTF-8 with or without BOM or GB18030, or XLSX; English or Chinese headers) and
every row is checked; every bad row is reported (row as a spreadsheet numbers it, column,
message) and nothing is written while one is bad, or with ``dry_run``.

A record moves only forward: a row with a higher ``PLATFORM_STATUS_RANK`` than the stored
record, or the same rank with changed figures, updates it and sets ``changed_at``; the same
content changes nothing (``changed_at`` is what reconciliation reads as "we learned it
today", so a re-import of the same file must not touch it); a lower rank is *skipped*
(counted, not an error). An optional column the file does not have keeps the stored value.

Set-based, for files of a million rows: Python parses and checks each row once and
streams the clean rows into a temporary table (``COPY`` on PostgreSQL, batched inserts on
SQLite); duplicates within the file, the created / updated / unchanged / skipped counts
and the write itself (one ``INSERT … ON CONFLICT DO UPDATE … WHERE changed``) are SQL.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.importing import ImportFileError, RowError, column_map, column_titles, read_records, with_headings

from .models import (
    PLATFORM_ORDER_NO_REGEX,
    PLATFORM_STATUS_RANK,
    Order,
    OrderStatus,
    PlatformOrder,
    PlatformOrderNo,
    PlatformStatus,
)

# Canonical column → the headers that name it (English, the seller centre's Chinese).
COLUMN_HEADERS: dict[str, tuple[str, ...]] = {
    "platform_order_no": ("platform_order_no", "订单编号"),
    "status": ("status", "订单状态"),
    "amount": ("amount", "实付金额"),
    "paid_at": ("paid_at", "付款时间"),
    "confirmed_at": ("confirmed_at", "确认收货时间"),
    "refunded_amount": ("refunded_amount", "退款金额"),
    "refunded_at": ("refunded_at", "退款时间"),
    "carrier": ("carrier", "物流公司"),
    "tracking_no": ("tracking_no", "运单号"),
}
REQUIRED_COLUMNS = ("platform_order_no", "status", "amount")
OPTIONAL_COLUMNS = ("paid_at", "confirmed_at", "refunded_amount", "refunded_at")
# The parcel of a platform order: recorded on its number, and an order of ours that is
# placed or paid moves on to shipped with it.
PARCEL_COLUMNS = ("carrier", "tracking_no")
# The figures of a record; two rows (or a row and the record) with equal figures say the same.
FIGURES = ("status", "amount", "paid_at", "confirmed_at", "refunded_amount", "refunded_at")

STATUS_VALUES: dict[str, str] = {
    "paid": PlatformStatus.PAID,
    "已付款": PlatformStatus.PAID,
    "shipped": PlatformStatus.SHIPPED,
    "已发货": PlatformStatus.SHIPPED,
    "confirmed": PlatformStatus.CONFIRMED,
    "交易成功": PlatformStatus.CONFIRMED,
    "refunded": PlatformStatus.REFUNDED,
    "退款成功": PlatformStatus.REFUNDED,
    "closed": PlatformStatus.CLOSED,
    "交易关闭": PlatformStatus.CLOSED,
}
_RANK = {str(status): rank for status, rank in PLATFORM_STATUS_RANK.items()}

MAX_ROWS = 5_000_000
# Every bad row is checked; the report lists this many problems and counts the rest.
MAX_LISTED_ERRORS = 1000
COPY_BATCH = 100_000
SQLITE_BATCH = 5_000
# Shanghai has kept UTC+8 without daylight saving since 1991: the feed's local times.
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

STAGE = "platform_feed_rows"
DUPLICATES = "platform_feed_duplicates"
RECORDS = PlatformOrder._meta.db_table
NUMBERS = PlatformOrderNo._meta.db_table
ORDERS = Order._meta.db_table
_LOCK_KEY = 0x504C4154  # "PLAT": one import writes at a time

_NUMBER_RE = re.compile(PLATFORM_ORDER_NO_REGEX)
_TRACKING_RE = re.compile(r"^[0-9A-Za-z-]{6,40}$")
_AMOUNT_RE = re.compile(r"^\d{1,16}(?:\.\d{1,2})?$")
_AMOUNT_NOISE = str.maketrans("", "", ",¥￥ 元\u00a0")
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass
class PlatformImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0  # in a dry run: would be created
    updated: int = 0  # a newer status, or the same status with changed figures
    unchanged: int = 0  # the same content as the stored record (or as an earlier row of the file)
    skipped: int = 0  # an older status than the stored record: never moved back
    shipped: int = 0  # our orders moved on to shipped by a tracking number in the file
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "shipped": self.shipped,
            "errors": [error.as_dict() for error in self.errors],
        }


class _Errors:
    """The problems found, listed up to MAX_LISTED_ERRORS and counted beyond."""

    def __init__(self) -> None:
        self.listed: list[RowError] = []
        self.count = 0
        self.titles: dict[str, str] = {}  # canonical column → the file's own header

    def add(self, row: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(RowError(row=row, column=column, message=str(message)))

    def final(self) -> list[RowError]:
        errors = with_headings(sorted(self.listed, key=lambda error: error.row), self.titles)
        if self.count > len(self.listed):
            more = self.count - len(self.listed)
            errors.append(
                RowError(
                    row=0,
                    column="file",
                    message=_("%(n)d more problems are not listed: fix these and check the file again.") % {"n": more},
                )
            )
        return errors


# ── One cell ─────────────────────────────────────────────────────────────────


def parse_amount(text: str) -> str | None:
    """``1,299.00``, ``¥1299``, ``1299.5`` → ``"1299.00"``-like digits; None when not an amount."""
    value = text.translate(_AMOUNT_NOISE)
    if not _AMOUNT_RE.match(value):
        return None
    return value


def parse_moment(text: str) -> dt.datetime | None:
    """A Shanghai local time (``2026-11-03 14:22:05``, also with ``/``) or an ISO 8601 moment
    with its offset; None when it is neither."""
    value = text.replace("/", "-")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
        for fmt in _LOCAL_FORMATS:
            try:
                moment = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


# ── Reading and checking the file ────────────────────────────────────────────


def _copy_text(text: str) -> str:
    """A text value in COPY's text format (tabs, newlines and backslashes escaped)."""
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


class _Stage:
    """The clean rows, streamed into the temp table STAGE."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.pending: list = []
        self.rows = 0
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        if self.postgres:
            cursor.execute(
                f"""CREATE TEMP TABLE {STAGE} (row_no integer, number varchar(40), status varchar(10), rank smallint,
                    amount numeric(18, 2), paid_at timestamptz, confirmed_at timestamptz,
                    refunded_amount numeric(18, 2), refunded_at timestamptz, carrier varchar(50),
                    tracking_no varchar(40))"""
            )
        else:
            cursor.execute(
                f"""CREATE TEMP TABLE {STAGE} (row_no integer, number varchar(40), status varchar(10), rank integer,
                    amount decimal, paid_at datetime, confirmed_at datetime, refunded_amount decimal,
                    refunded_at datetime, carrier varchar(50), tracking_no varchar(40))"""
            )

    def moment(self, moment: dt.datetime | None):
        if moment is None:
            return r"\N" if self.postgres else None
        if self.postgres:
            return moment.isoformat(sep=" ")
        return connection.ops.adapt_datetimefield_value(moment)

    def add(
        self,
        row_no,
        number,
        status,
        amount,
        paid_at,
        confirmed_at,
        refunded_amount,
        refunded_at,
        carrier="",
        tracking="",
    ) -> None:
        rank = _RANK[status]
        if self.postgres:
            self.pending.append(
                f"{row_no}\t{number}\t{status}\t{rank}\t{amount}\t{self.moment(paid_at)}\t{self.moment(confirmed_at)}"
                f"\t{refunded_amount}\t{self.moment(refunded_at)}\t{_copy_text(carrier)}\t{tracking}\n"
            )
            if len(self.pending) >= COPY_BATCH:
                self.flush()
        else:
            self.pending.append(
                (
                    row_no,
                    number,
                    status,
                    rank,
                    amount,
                    self.moment(paid_at),
                    self.moment(confirmed_at),
                    refunded_amount,
                    self.moment(refunded_at),
                    carrier,
                    tracking,
                )
            )
            if len(self.pending) >= SQLITE_BATCH:
                self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.rows += len(self.pending)
        if self.postgres:
            self.cursor.copy_expert(f"COPY {STAGE} FROM STDIN", io.StringIO("".join(self.pending)))
        else:
            self.cursor.executemany(f"INSERT INTO {STAGE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.pending)  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
        self.pending = []

    def close(self) -> None:
        self.flush()
        if self.postgres:
            self.cursor.execute(f"ANALYZE {STAGE}")


def _read_and_stage(source, filename: str, stage: _Stage, errors: _Errors) -> tuple[int, set[str]]:
    """Check every row, stage the clean ones; returns (data rows, columns the header has)."""
    columns: dict[str, int] | None = None
    rows = 0
    records = read_records(source, filename)
    for row_no, record in enumerate(records, start=1):
        if columns is None:
            if any(cell.strip() for cell in record):
                columns = column_map(record, COLUMN_HEADERS, REQUIRED_COLUMNS)
                errors.titles = column_titles(record, columns)
                i_number, i_status, i_amount = (columns[c] for c in REQUIRED_COLUMNS)
                i_paid, i_confirmed, i_refund, i_refunded = (columns.get(c) for c in OPTIONAL_COLUMNS)
                i_carrier, i_tracking = (columns.get(c) for c in PARCEL_COLUMNS)
                width = max(columns.values()) + 1
            continue
        if len(record) < width:
            if not any(cell.strip() for cell in record):
                continue  # blank lines, e.g. at the end of an Excel export
            record = record + [""] * (width - len(record))
        number = record[i_number].strip()
        status_text = record[i_status].strip()
        amount_text = record[i_amount].strip()
        paid_text = record[i_paid].strip() if i_paid is not None else ""
        confirmed_text = record[i_confirmed].strip() if i_confirmed is not None else ""
        refund_text = record[i_refund].strip() if i_refund is not None else ""
        refunded_text = record[i_refunded].strip() if i_refunded is not None else ""
        carrier = record[i_carrier].strip() if i_carrier is not None else ""
        tracking = record[i_tracking].strip().replace(" ", "").upper() if i_tracking is not None else ""
        if not (number or status_text or amount_text or paid_text or confirmed_text or refund_text or refunded_text):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(n)d rows; split it into smaller files.") % {"n": MAX_ROWS}
            )
        clean = True
        if not number:
            errors.add(row_no, "platform_order_no", _("The platform order number is missing."))
            clean = False
        elif not _NUMBER_RE.match(number):
            errors.add(
                row_no,
                "platform_order_no",
                _("“%(value)s” is not a platform order number (6–40 letters, digits or dashes).")
                % {"value": number[:60]},
            )
            clean = False
        status = STATUS_VALUES.get(status_text) or STATUS_VALUES.get(status_text.lower())
        if status is None:
            clean = False
            if not status_text:
                errors.add(row_no, "status", _("The status is missing."))
            else:
                errors.add(
                    row_no,
                    "status",
                    _(
                        "Unknown status “%(value)s”: use paid/已付款, shipped/已发货, confirmed/交易成功, "
                        "refunded/退款成功 or closed/交易关闭."
                    )
                    % {"value": status_text[:60]},
                )
        amount = parse_amount(amount_text) if amount_text else None
        if amount is None:
            clean = False
            if not amount_text:
                errors.add(row_no, "amount", _("The amount is missing."))
            else:
                errors.add(
                    row_no,
                    "amount",
                    _("“%(value)s” is not an amount of yuan (like 1,299.00).") % {"value": amount_text[:60]},
                )
        refunded_amount = "0"
        if refund_text:
            refunded_amount = parse_amount(refund_text)
            if refunded_amount is None:
                clean = False
                errors.add(
                    row_no,
                    "refunded_amount",
                    _("“%(value)s” is not an amount of yuan (like 1,299.00).") % {"value": refund_text[:60]},
                )
            elif amount is not None and Decimal(refunded_amount) > Decimal(amount):
                clean = False
                errors.add(row_no, "refunded_amount", _("The refund is larger than the amount paid."))
        moments = []
        for column, text in (("paid_at", paid_text), ("confirmed_at", confirmed_text), ("refunded_at", refunded_text)):
            moment = None
            if text:
                moment = parse_moment(text)
                if moment is None:
                    clean = False
                    errors.add(
                        row_no,
                        column,
                        _("“%(value)s” is not a time (like 2026-11-03 14:22:05, Shanghai time).")
                        % {"value": text[:60]},
                    )
            moments.append(moment)
        if status == PlatformStatus.CONFIRMED and not confirmed_text:
            clean = False
            errors.add(row_no, "confirmed_at", _("A confirmed order needs the time of the confirmation."))
        if status == PlatformStatus.REFUNDED and not refunded_text:
            clean = False
            errors.add(row_no, "refunded_at", _("A refunded order needs the time of the refund."))
        if len(carrier) > 50:
            clean = False
            errors.add(row_no, "carrier", _("A carrier's name has at most 50 characters."))
        if tracking and not _TRACKING_RE.match(tracking):
            clean = False
            errors.add(
                row_no,
                "tracking_no",
                _("“%(value)s” is not a tracking number (6–40 letters, digits or dashes).") % {"value": tracking[:60]},
            )
        if clean:
            stage.add(
                row_no, number, status, amount, moments[0], moments[1], refunded_amount, moments[2], carrier, tracking
            )
    if columns is None:
        raise ImportFileError(_("The file is empty."))
    stage.close()
    return rows, set(columns)


# ── SQL over the staged rows ─────────────────────────────────────────────────


def _distinct(a: str, b: str) -> str:
    operator = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return f"{a} {operator} {b}"


def _differs(new: str, old: str, figures) -> str:
    return " OR ".join(_distinct(f"{new}.{name}", f"{old}.{name}") for name in figures)


def _old_rank(old: str) -> str:
    cases = " ".join(f"WHEN '{status}' THEN {rank}" for status, rank in _RANK.items())
    return f"(CASE {old}.status {cases} END)"


def _moves_on(new: str, old: str, figures, *, staged: bool = True) -> str:
    """SQL: the row ``new`` moves the record ``old`` on (a higher rank, or the same with
    changed figures). A staged row carries its rank; a proposed row (EXCLUDED) has only its status."""
    rank = _old_rank(old)
    new_rank = f"{new}.rank" if staged else _old_rank(new)
    return f"({new_rank} > {rank} OR ({new_rank} = {rank} AND ({_differs(new, old, figures)})))"


def _duplicates(cursor, errors: _Errors) -> int:
    """Rows whose number an earlier row of the file has: an error when the content
    contradicts it; otherwise dropped from the stage. Returns the rows dropped."""
    cursor.execute(f"DROP TABLE IF EXISTS {DUPLICATES}")
    cursor.execute(
        f"CREATE TEMP TABLE {DUPLICATES} AS SELECT number, MIN(row_no) AS first_row FROM {STAGE} "
        "GROUP BY number HAVING COUNT(*) > 1"  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
    )
    cursor.execute(f"SELECT COUNT(*) FROM {DUPLICATES}")  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
    if not cursor.fetchone()[0]:
        return 0
    cursor.execute(
        f"""
        SELECT s.row_no, s.number, f.row_no
          FROM {STAGE} s
          JOIN {DUPLICATES} d ON d.number = s.number
          JOIN {STAGE} f ON f.number = d.number AND f.row_no = d.first_row
         WHERE s.row_no <> f.row_no AND ({_differs("s", "f", FIGURES)})
         ORDER BY s.row_no
        """  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
    )
    for row_no, number, first_row in cursor.fetchall():
        errors.add(
            row_no,
            "platform_order_no",
            _("%(number)s appears in row %(row)d with other content.") % {"number": number, "row": first_row},
        )
    cursor.execute(
        f"DELETE FROM {STAGE} WHERE EXISTS (SELECT 1 FROM {DUPLICATES} d "
        f"WHERE d.number = {STAGE}.number AND {STAGE}.row_no > d.first_row)"  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
    )
    return max(cursor.rowcount, 0)


def _counts(cursor, figures) -> tuple[int, int, int, int]:
    """(staged rows, created, updated, skipped) against the stored records."""
    cursor.execute(
        f"""
        SELECT COUNT(*),
               SUM(CASE WHEN p.id IS NULL THEN 1 ELSE 0 END),
               SUM(CASE WHEN p.id IS NOT NULL AND {_moves_on("s", "p", figures)} THEN 1 ELSE 0 END),
               SUM(CASE WHEN p.id IS NOT NULL AND s.rank < {_old_rank("p")} THEN 1 ELSE 0 END)
          FROM {STAGE} s LEFT JOIN {RECORDS} p ON p.number = s.number
        """  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
    )
    staged, created, updated, skipped = cursor.fetchone()
    return staged, created or 0, updated or 0, skipped or 0


def _write(cursor, present: set[str], now: dt.datetime) -> int:
    """One upsert of the new and moved-on records; returns rows written."""
    figures = [name for name in FIGURES if name in present or name in ("status", "amount")]
    # An optional column the file lacks keeps the stored value.
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in figures)
    moment = connection.ops.adapt_datetimefield_value(now)
    postgres = connection.vendor == "postgresql"
    excluded = "EXCLUDED" if postgres else "excluded"
    cursor.execute(
        f"""
        INSERT INTO {RECORDS} AS p
               (number, status, amount, paid_at, confirmed_at, refunded_amount, refunded_at, first_seen_at, changed_at)
        SELECT s.number, s.status, s.amount, s.paid_at, s.confirmed_at, s.refunded_amount, s.refunded_at, %s, %s
          FROM {STAGE} s LEFT JOIN {RECORDS} o ON o.number = s.number
         WHERE o.id IS NULL OR {_moves_on("s", "o", figures)}
        ON CONFLICT (number) DO UPDATE SET {assignments.replace("EXCLUDED", excluded)}, changed_at = {excluded}.changed_at
         WHERE {_moves_on(excluded, "p", figures, staged=False)}
        """,  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
        [moment, moment],
    )
    return max(cursor.rowcount, 0)


def _apply_parcels(cursor, by_user) -> int:
    """The file's tracking numbers: recorded on the platform order numbers our orders hold
    (when they change), and each such order still placed or paid moves on to shipped (a
    placed one through paid, as the platform says it was), with the parcel's carrier and
    tracking number. Returns the orders moved to shipped."""
    from .services import OrderError, order_transition

    cursor.execute(
        f"""
        SELECT n.id, n.order_id, s.carrier, s.tracking_no
          FROM {STAGE} s JOIN {NUMBERS} n ON n.number = s.number
         WHERE s.tracking_no <> '' AND (n.tracking_no <> s.tracking_no OR n.carrier <> s.carrier)
        """  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
    )
    changed = cursor.fetchall()
    for number_id, _order_id, carrier, tracking in changed:
        PlatformOrderNo.objects.filter(pk=number_id).update(carrier=carrier, tracking_no=tracking)
    cursor.execute(
        f"""
        SELECT o.id, MIN(s.carrier), MIN(s.tracking_no)
          FROM {STAGE} s JOIN {NUMBERS} n ON n.number = s.number JOIN {ORDERS} o ON o.id = n.order_id
         WHERE s.tracking_no <> '' AND o.status IN ('placed', 'paid')
         GROUP BY o.id ORDER BY o.id
        """  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; feed values bound or COPY'd
    )
    shipped = 0
    for order_id, carrier, tracking in cursor.fetchall():
        try:
            order = Order.objects.get(pk=order_id)
            if order.status == OrderStatus.PLACED:
                order_transition(order_id=order_id, to_status=OrderStatus.PAID, by_user=by_user)
            order_transition(
                order_id=order_id, to_status=OrderStatus.SHIPPED, by_user=by_user, carrier=carrier, tracking_no=tracking
            )
        except (OrderError, ValidationError):
            continue  # a partner no longer active, an order moved meanwhile: left as it is
        shipped += 1
    return shipped


def _drop(cursor) -> None:
    for table in (STAGE, DUPLICATES):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


# ── The import ───────────────────────────────────────────────────────────────


def platform_orders_import(*, source, filename: str = "", dry_run: bool = False, by_user=None) -> PlatformImportReport:
    """Check the whole file, then (unless ``dry_run`` or any row is bad) create and move on
    the platform records in one transaction. Raises ``ImportFileError`` when the file cannot
    be read (format, encoding, missing columns). ``by_user`` is who imported (kept for the
    callers' symmetry with the partner import; records carry no author)."""
    report = PlatformImportReport(dry_run=dry_run)
    errors = _Errors()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
            if not dry_run:
                # One import at a time: the counts below are what the write does.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        try:
            stage = _Stage(cursor)
            report.rows, present = _read_and_stage(source, filename, stage, errors)
            repeated = _duplicates(cursor, errors)
            figures = [name for name in FIGURES if name in present]
            staged, report.created, report.updated, report.skipped = _counts(cursor, figures)
            report.unchanged = staged - report.created - report.updated - report.skipped + repeated
            report.errors = errors.final()
            if report.errors:
                report.created = report.updated = report.unchanged = report.skipped = 0
            elif not dry_run:
                if report.created or report.updated:
                    _write(cursor, present, timezone.now())
                if "tracking_no" in present:
                    report.shipped = _apply_parcels(cursor, by_user)
        finally:
            _drop(cursor)
    return report
