"""Bulk onboarding: partners from a CSV or XLSX file, validated as a whole, imported in one transaction.

One function, ``import_partners``, serves the ``import_partners`` command, the workspace
upload and the API. It reads every row, validates all of them and reports every bad
row (row number as a spreadsheet shows it — the header is row 1 —, column, message).
Nothing is written while any row is bad or when ``dry_run`` is set. Otherwise one
transaction creates the missing villages (only with ``create_villages``), the partners
and their status history with bulk inserts.

The mobile number is the key: a phone that is already a partner is counted as
"unchanged" and left alone, so importing the same file twice changes nothing.

Rows may enter in status applied, reviewing, approved or training (never active:
activation creates a login and is done one partner at a time). A row entering a later
status gets one history row per step of the legal path — '' → applied → reviewing →
approved → training — each with the reason "imported from <file>", so the history reads
the same as for a partner moved by hand.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.models import County, Village
from rural_taobao.errors import InvalidInput
from rural_taobao.phones import is_mobile_phone, normalize_phone

from .models import PARTNER_TRANSITIONS, Partner, PartnerStatus, PartnerStatusChange

# Canonical column → the headers that name it (compared case-insensitively, spaces trimmed).
COLUMN_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名"),
    "phone": ("phone", "手机号"),
    "county_code": ("county_code", "县代码"),
    "village": ("village", "村"),
    "previous_occupation": ("previous_occupation", "原职业"),
    "service_point_address": ("service_point_address", "服务站地址"),
}
REQUIRED_COLUMNS = ("name", "phone", "county_code", "village")
MAX_LENGTHS = {"name": 50, "village": 60, "previous_occupation": 100, "service_point_address": 200}

IMPORT_STATUSES = (PartnerStatus.APPLIED, PartnerStatus.REVIEWING, PartnerStatus.APPROVED, PartnerStatus.TRAINING)
IMPORT_STATUS_CHOICES = [(status.value, status.label) for status in IMPORT_STATUSES]

BATCH_SIZE = 2000
PROGRESS_EVERY = 1000

_COUNTY_CODE_RE = re.compile(r"^\d{6}$")

Progress = Callable[[str, int, int], None]


class ImportFileError(InvalidInput):
    """The file cannot be read as a partner list at all (format, encoding, missing columns):
    an error of the ``file`` field."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the canonical column (``phone``), stable for programs reading the report
    message: str
    heading: str = ""  # the column as the file's header row names it (``手机号``)

    @property
    def label(self) -> str:
        """The column as the person who made the file knows it."""
        return self.heading or self.column

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "heading": self.label, "message": self.message}


def with_headings(errors: list[RowError], titles: dict[str, str]) -> list[RowError]:
    """The errors, each naming its column as the file did (``titles``: canonical → header)."""
    return [replace(error, heading=titles.get(error.column, error.heading)) for error in errors]


def column_titles(header: list[str], columns: dict[str, int]) -> dict[str, str]:
    """Canonical column → the file's own title for it (as ``column_map`` found it)."""
    return {column: header[index].strip().lstrip("\ufeff").strip() for column, index in columns.items()}


@dataclass
class ImportReport:
    dry_run: bool
    status: str
    rows: int = 0
    created: int = 0  # in a dry run: would be created
    unchanged: int = 0  # phones that are partners already
    villages_created: int = 0  # in a dry run: would be created
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "status": self.status,
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "villages_created": self.villages_created,
            "errors": [error.as_dict() for error in self.errors],
        }


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    village_key: tuple[int, str] | None = None  # (county id, village name) once validated
    exists: bool = False


# ── Reading ──────────────────────────────────────────────────────────────────


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel keeps phone numbers and county codes typed as numbers as floats.
        return str(int(value))
    return str(value).strip()


def _read_bytes(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _csv_records(data: bytes) -> Iterator[list[str]]:
    # Excel's "CSV UTF-8" starts with a BOM, which utf-8-sig drops; a plain Excel "CSV" on
    # Chinese Windows is GB18030 (GBK), accepted as a fallback.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _("The file is not UTF-8 text: save it as “CSV UTF-8” or as an Excel workbook.")
            ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


# An XLSX is a zip of XML parts. A real workbook of even 100,000 rows unpacks to a few
# dozen parts and some tens of MB, each part compressed about 5–20 times; a "zip bomb"
# declares hundreds of MB (or thousands of parts) in a file small enough to upload.
# zipfile never inflates a part beyond its declared size, so the declared sizes, checked
# before openpyxl opens anything, bound what parsing can unpack.
MAX_XLSX_ENTRIES = 1000
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_XLSX_COMPRESSION_RATIO = 100
XLSX_RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # small parts (styles, themes) may compress more


def _refuse_zip_bomb(data: bytes) -> None:
    """Raise ``ImportFileError`` when the archive's parts are out of proportion to a workbook."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(_("The file cannot be opened as an Excel workbook (.xlsx).")) from exc
    unpacked = sum(entry.file_size for entry in entries)
    out_of_proportion = (
        len(entries) > MAX_XLSX_ENTRIES
        or unpacked > MAX_XLSX_UNPACKED_BYTES
        or any(
            entry.file_size > XLSX_RATIO_CHECKED_FROM_BYTES
            and entry.file_size > MAX_XLSX_COMPRESSION_RATIO * max(entry.compress_size, 1)
            for entry in entries
        )
    )
    if out_of_proportion:
        raise ImportFileError(
            _(
                "This .xlsx file unpacks to far more data than a spreadsheet of its size holds, so it is refused. "
                "Save the sheet again in Excel, or as CSV UTF-8."
            )
        )


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    import openpyxl

    _refuse_zip_bomb(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The file cannot be opened as an Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def read_records(source, filename: str = "") -> Iterator[list[str]]:
    """The file's rows as lists of strings, header first. XLSX is recognised by its zip signature."""
    data = _read_bytes(source)
    if data[:4] == b"PK\x03\x04":
        return _xlsx_records(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("The file cannot be opened as an Excel workbook (.xlsx)."))
    if filename.lower().endswith(".xls"):
        raise ImportFileError(_("Old .xls workbooks are not supported: save the file as .xlsx or CSV UTF-8."))
    if b"\x00" in data[:1024]:
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    return _csv_records(data)


def column_map(
    header: list[str],
    headers: dict[str, tuple[str, ...]] = COLUMN_HEADERS,
    required: tuple[str, ...] = REQUIRED_COLUMNS,
) -> dict[str, int]:
    """Canonical column → its index in ``header`` (any of the column's ``headers``, English
    or Chinese); raises ``ImportFileError`` naming the ``required`` columns the header lacks.
    The defaults are the partner file's columns; other imports pass their own."""
    lookup = {alias.lower(): column for column, aliases in headers.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        column = lookup.get(title.strip().lstrip("\ufeff").strip().lower())
        if column and column not in columns:
            columns[column] = index
    missing = [column for column in required if column not in columns]
    if missing:
        names = ", ".join(f"{headers[c][0]}/{headers[c][1]}" for c in missing)
        raise ImportFileError(_("The header row lacks the column(s): %(columns)s.") % {"columns": names})
    return columns


def read_rows(source, filename: str = "", titles: dict[str, str] | None = None) -> list[_Row]:
    """The data rows, numbered as a spreadsheet shows them (the header is usually row 1).
    ``titles``, when given, is filled with the file's own name of each column."""
    columns: dict[str, int] | None = None
    rows = []
    for number, record in enumerate(read_records(source, filename), start=1):
        if columns is None:
            if any(cell.strip() for cell in record):
                columns = column_map(record)
                if titles is not None:
                    titles.update(column_titles(record, columns))
            continue
        values = {
            column: (record[index].strip() if index < len(record) and record[index] else "")
            for column, index in columns.items()
        }
        if not any(values.values()):
            continue  # blank lines, e.g. at the end of an Excel export
        rows.append(_Row(number=number, values=values))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(n)d rows; split it into smaller files.") % {"n": MAX_ROWS}
            )
    if columns is None:
        raise ImportFileError(_("The file is empty."))
    return rows


# ── Validating ───────────────────────────────────────────────────────────────

MAX_ROWS = 100_000
_FORMULA_START = ("=", "@", "\t=", "\r=")


def looks_like_a_formula(value: str) -> bool:
    """A spreadsheet formula (=cmd|…, @SUM(…), +A1, -2+3): refused, never stored, so it
    can never run when someone exports and opens the data again."""
    if not value:
        return False
    if value.startswith(_FORMULA_START):
        return True
    return value[0] in "+-" and len(value) > 1 and not value[1:].replace(".", "", 1).isdigit()


def import_path(status: str) -> list[str]:
    """The legal path from applied to ``status`` (applied first), found in PARTNER_TRANSITIONS."""
    paths = {PartnerStatus.APPLIED.value: [PartnerStatus.APPLIED.value]}
    queue = [PartnerStatus.APPLIED.value]
    while queue:
        current = queue.pop(0)
        for following in PARTNER_TRANSITIONS[current]:
            if following not in paths:
                paths[following] = [*paths[current], str(following)]
                queue.append(following)
    return paths[status]


def _validate(
    rows: list[_Row], *, create_villages: bool, progress: Progress | None
) -> tuple[list[RowError], set[tuple[int, str]], dict]:
    errors: list[RowError] = []
    codes = {row.values.get("county_code", "") for row in rows}
    counties = {county.code: county for county in County.objects.filter(code__in=[c for c in codes if c])}
    villages: dict[tuple[int, str], int] = {
        (county_id, name): pk
        for pk, county_id, name in Village.objects.filter(county__in=counties.values()).values_list(
            "pk", "county_id", "name"
        )
    }
    phones = {normalize_phone(row.values.get("phone")) for row in rows}
    existing_phones: set[str] = set()
    phone_list = sorted(phone for phone in phones if phone)
    for start in range(0, len(phone_list), BATCH_SIZE):
        chunk = phone_list[start : start + BATCH_SIZE]
        existing_phones.update(Partner.objects.filter(phone__in=chunk).values_list("phone", flat=True))

    first_row_of_phone: dict[str, int] = {}
    new_villages: set[tuple[int, str]] = set()
    for done, row in enumerate(rows, start=1):
        values = row.values

        def bad(column: str, message: str, row=row) -> None:
            errors.append(RowError(row=row.number, column=column, message=str(message)))

        for column, value in values.items():
            if looks_like_a_formula(value):
                bad(column, _("Formulas are not accepted: enter the value itself."))
        if not values.get("name"):
            bad("name", _("The name is missing."))
        for column, limit in MAX_LENGTHS.items():
            if len(values.get(column, "")) > limit:
                bad(column, _("Longer than %(limit)d characters.") % {"limit": limit})

        phone = normalize_phone(values.get("phone"))
        values["phone"] = phone
        if not phone:
            bad("phone", _("The mobile number is missing."))
        elif not is_mobile_phone(phone):
            bad(
                "phone",
                _("“%(phone)s” is not a mainland China mobile number (11 digits starting with 13–19).")
                % {"phone": phone},
            )
        elif phone in first_row_of_phone:
            bad(
                "phone",
                _("%(phone)s appears twice in the file (first in row %(row)d).")
                % {"phone": phone, "row": first_row_of_phone[phone]},
            )
        else:
            first_row_of_phone[phone] = row.number
            row.exists = phone in existing_phones

        code = values.get("county_code", "")
        village_name = values.get("village", "")
        county = counties.get(code)
        if not code:
            bad("county_code", _("The county code is missing."))
        elif not _COUNTY_CODE_RE.match(code):
            bad("county_code", _("“%(code)s” is not a six-digit county code.") % {"code": code})
        elif county is None:
            bad("county_code", _("Unknown county code %(code)s.") % {"code": code})
        if not village_name:
            bad("village", _("The village is missing."))
        elif county is not None and len(village_name) <= MAX_LENGTHS["village"]:
            key = (county.pk, village_name)
            if key in villages:
                row.village_key = key
            elif create_villages:
                row.village_key = key
                new_villages.add(key)
            else:
                bad(
                    "village",
                    _("There is no village “%(village)s” in %(county)s; allow creating villages to add it.")
                    % {"village": village_name, "county": county},
                )
        if progress and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            progress("validated", done, len(rows))
    return errors, new_villages, villages


# ── Importing ────────────────────────────────────────────────────────────────


def import_partners(
    *,
    source,
    filename: str = "",
    status: str = PartnerStatus.APPLIED,
    dry_run: bool = False,
    create_villages: bool = False,
    by_user: User | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the whole file, then (unless ``dry_run`` or any row is bad) import it in one transaction.

    Raises ``ImportFileError`` when the file cannot be read or ``status`` is not allowed.
    """
    if status == PartnerStatus.ACTIVE:
        raise ImportFileError(
            _("Partners cannot be imported as active: activation creates a login and is done one partner at a time.")
        )
    if status not in IMPORT_STATUSES:
        raise ImportFileError(
            _("Partners can be imported as %(statuses)s only.") % {"statuses": ", ".join(IMPORT_STATUSES)}
        )
    titles: dict[str, str] = {}
    rows = read_rows(source, filename, titles)
    report = ImportReport(dry_run=dry_run, status=str(status), rows=len(rows))
    errors, new_villages, villages = _validate(rows, create_villages=create_villages, progress=progress)
    report.errors = with_headings(sorted(errors, key=lambda error: error.row), titles)
    to_create = [row for row in rows if not row.exists]
    report.unchanged = len(rows) - len(to_create)
    if not report.ok:
        return report
    # Only villages that a new partner needs are created.
    new_villages = {row.village_key for row in to_create if row.village_key in new_villages}
    report.created = len(to_create)
    report.villages_created = len(new_villages)
    if dry_run or not to_create:
        return report
    try:
        _write(
            to_create,
            new_villages=new_villages,
            villages=villages,
            status=status,
            by_user=by_user,
            reason=_("imported from %(file)s") % {"file": filename} if filename else _("imported"),
            progress=progress,
        )
    except IntegrityError:
        # Someone applied with one of these numbers (or added a village) while we imported:
        # the transaction is rolled back whole, and a second run sees the new state.
        report.created = report.villages_created = 0
        report.errors = [
            RowError(
                row=0,
                column="file",
                message=_("The partners changed while importing; nothing was imported. Run the import again."),
            )
        ]
    return report


@transaction.atomic
def _write(
    rows: list[_Row],
    *,
    new_villages: set[tuple[int, str]],
    villages: dict[tuple[int, str], int],
    status: str,
    by_user: User | None,
    reason: str,
    progress: Progress | None,
) -> None:
    if new_villages:
        created = Village.objects.bulk_create(
            [Village(county_id=county_id, name=name) for county_id, name in sorted(new_villages)],
            batch_size=BATCH_SIZE,
        )
        villages.update({(village.county_id, village.name): village.pk for village in created})
    now = timezone.now()
    partners = [
        Partner(
            real_name=row.values["name"],
            phone=row.values["phone"],
            village_id=villages[row.village_key],
            previous_occupation=row.values.get("previous_occupation", ""),
            service_point_address=row.values.get("service_point_address", ""),
            status=status,
            applied_at=now,
            status_changed_at=now,
        )
        for row in rows
    ]
    path = import_path(status)
    for start in range(0, len(partners), BATCH_SIZE):
        Partner.objects.bulk_create(partners[start : start + BATCH_SIZE])
        if progress:
            progress("imported", min(start + BATCH_SIZE, len(partners)), len(partners))
    steps = list(zip(["", *path[:-1]], path, strict=True))
    PartnerStatusChange.objects.bulk_create(
        [
            PartnerStatusChange(
                partner_id=partner.pk,
                from_status=from_status,
                to_status=to_status,
                changed_by=by_user,
                changed_at=now,
                reason=reason,
            )
            for partner in partners
            for from_status, to_status in steps
        ],
        batch_size=BATCH_SIZE * 2,
    )


# ── The template file ────────────────────────────────────────────────────────

TEMPLATE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template_file(fmt: str, *, chinese: bool) -> bytes:
    """An empty partner file to fill in: the header row (Chinese or English titles, the
    required columns first) as a CSV UTF-8 with BOM (Excel opens it right) or an XLSX
    whose phone and county code columns are text (so Excel keeps leading digits)."""
    titles = [aliases[1] if chinese else aliases[0] for aliases in COLUMN_HEADERS.values()]
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerow(titles)
        return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(fmt)
    import openpyxl
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "partners"
    sheet.append(titles)
    for index, column in enumerate(COLUMN_HEADERS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 16 if column in ("phone", "county_code") else 22
        if column in ("phone", "county_code"):
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
