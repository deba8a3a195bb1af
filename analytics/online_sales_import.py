"""The official county online retail figures (网络零售额) county governments publish each
month, imported from a file into ``CountyOnlineRetailMonth``.

One function, ``county_online_sales_import``, serves the ``import_county_online_sales``
command and the admins' upload page (/dashboard/online-sales/import/). The file is read
with the partner import's helpers (CSV in UTF-8 with or without BOM or GB18030, or XLSX;
English or Chinese headers: ``county_code/县代码, month/月份, online_retail_sales/网络零售额``)
and every row is checked; every bad row is reported (row as a spreadsheet numbers it,
column as the file named it, message), and nothing is written while one is bad, or with
``dry_run``.

A (county, month) is the key: a row with the stored figure changes nothing, so importing
the same file twice changes nothing. What a real import creates or changes it marks for
the nightly run (``mark_days_dirty``), in the same transaction, so ``run_rollups --dirty``
rebuilds the county summaries with the new figures.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from counties.models import County
from partners.importing import (
    ImportFileError,
    RowError,
    column_map,
    column_titles,
    looks_like_a_formula,
    read_records,
    with_headings,
)
from rural_taobao import dates
from rural_taobao.money import CENT, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from .dirty_days import mark_days_dirty
from .models import CountyOnlineRetailMonth

COLUMN_HEADERS: dict[str, tuple[str, ...]] = {
    "county_code": ("county_code", "县代码"),
    "month": ("month", "月份"),
    "online_retail_sales": ("online_retail_sales", "网络零售额"),
}
REQUIRED_COLUMNS = ("county_code", "month", "online_retail_sales")
MAX_ROWS = 100_000
MAX_LISTED_ERRORS = 1000
# The earliest month a figure may be for (the programme began in 2014).
FIRST_MONTH = dt.date(2010, 1, 1)

_COUNTY_CODE_RE = re.compile(r"^\d{6}$")
# 2025-03, 2025/3, 2025.03, 202503, 2025年3月; an Excel date cell reads 2025-03-01 00:00:00.
_MONTH_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]0?1(?: 00:00(?::00)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
)
_AMOUNT_NOISE = str.maketrans("", "", ",，¥￥ 元\u00a0")
_LARGEST = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)


@dataclass
class OnlineSalesImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0  # in a dry run: would be created
    updated: int = 0  # a (county, month) whose figure changes
    unchanged: int = 0  # the stored figure already
    months: list[dt.date] = field(default_factory=list)  # months created or changed (marked for the rollups)
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
            "errors": [error.as_dict() for error in self.errors],
        }


def parse_month(text: str) -> dt.date | None:
    """The first day of the month a cell names, or None."""
    for pattern in _MONTH_RES:
        match = pattern.match(text.strip())
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return dt.date(year, month, 1)
            return None
    return None


def parse_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.translate(_AMOUNT_NOISE))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@dataclass
class _Clean:
    row: int
    county_id: int
    month: dt.date
    amount: Decimal


def _check_rows(source, filename: str) -> tuple[int, list[_Clean], list[RowError], dict[str, str]]:
    """(data rows, the clean rows, the errors, canonical column → the file's heading)."""
    columns: dict[str, int] | None = None
    titles: dict[str, str] = {}
    errors: list[RowError] = []
    parsed: list[tuple[int, str, dt.date, Decimal]] = []
    rows = 0
    this_month = dates.this_month()

    def bad(row: int, column: str, message: str) -> None:
        if len(errors) < MAX_LISTED_ERRORS:
            errors.append(RowError(row=row, column=column, message=message))

    for number, record in enumerate(read_records(source, filename), start=1):
        if columns is None:
            if any(cell.strip() for cell in record):
                columns = column_map(record, COLUMN_HEADERS, REQUIRED_COLUMNS)
                titles = column_titles(record, columns)
            continue
        values = {c: (record[i].strip() if i < len(record) and record[i] else "") for c, i in columns.items()}
        if not any(values.values()):
            continue  # blank lines, e.g. at the end of an Excel export
        rows += 1
        if rows > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(n)d rows; split it into smaller files.") % {"n": MAX_ROWS}
            )
        code, month_text, amount_text = values["county_code"], values["month"], values["online_retail_sales"]
        clean = True
        for column, value in values.items():
            if looks_like_a_formula(value):
                bad(number, column, _("A formula is not allowed: type the value itself."))
                clean = False
        if not clean:
            continue
        if not code:
            bad(number, "county_code", _("The county code is missing."))
            clean = False
        elif not _COUNTY_CODE_RE.match(code):
            bad(number, "county_code", _("“%(value)s” is not a county code (6 digits).") % {"value": code})
            clean = False
        month = parse_month(month_text) if month_text else None
        if not month_text:
            bad(number, "month", _("The month is missing."))
            clean = False
        elif month is None:
            bad(
                number,
                "month",
                _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2025-03.") % {"value": month_text},
            )
            clean = False
        elif month > this_month:
            bad(number, "month", _("%(month)s has not begun yet.") % {"month": month.strftime("%Y-%m")})
            clean = False
        elif month < FIRST_MONTH:
            bad(number, "month", _("%(month)s is before 2010.") % {"month": month.strftime("%Y-%m")})
            clean = False
        amount = parse_amount(amount_text) if amount_text else None
        if not amount_text:
            bad(number, "online_retail_sales", _("The online retail sales figure is missing."))
            clean = False
        elif amount is None:
            bad(number, "online_retail_sales", _("“%(value)s” is not an amount of yuan.") % {"value": amount_text})
            clean = False
        elif amount < 0:
            bad(number, "online_retail_sales", _("The amount cannot be negative."))
            clean = False
        elif amount >= _LARGEST:
            bad(number, "online_retail_sales", _("The amount is too large."))
            clean = False
        elif amount != amount.quantize(CENT):
            bad(number, "online_retail_sales", _("At most 2 decimal places (fen)."))
            clean = False
        if clean:
            assert month is not None and amount is not None
            parsed.append((number, code, month, amount.quantize(CENT)))
    if columns is None:
        raise ImportFileError(_("The file is empty."))

    counties = dict(County.objects.filter(code__in={code for _, code, _, _ in parsed}).values_list("code", "pk"))
    seen: dict[tuple[str, dt.date], int] = {}
    clean_rows: list[_Clean] = []
    for number, code, month, amount in parsed:
        if code not in counties:
            bad(number, "county_code", _("No county has the code %(code)s.") % {"code": code})
            continue
        first = seen.setdefault((code, month), number)
        if first != number:
            bad(
                number,
                "month",
                _("%(code)s %(month)s is also on row %(row)d: one figure per county and month.")
                % {"code": code, "month": month.strftime("%Y-%m"), "row": first},
            )
            continue
        clean_rows.append(_Clean(number, counties[code], month, amount))
    errors.sort(key=lambda error: (error.row, list(COLUMN_HEADERS).index(error.column)))
    return rows, clean_rows, with_headings(errors, titles), titles


def county_online_sales_import(
    *, source, filename: str = "", dry_run: bool = False, by_user=None
) -> OnlineSalesImportReport:
    """Check every row; unless a row is bad or ``dry_run``, create and update the figures
    in one transaction and mark the changed months for the nightly rollups."""
    rows, clean, errors, _titles = _check_rows(source, filename)
    report = OnlineSalesImportReport(dry_run=dry_run, rows=rows, errors=errors)
    if errors:
        return report
    with transaction.atomic():
        # Locked so two uploads of overlapping files count and write one after the other.
        stored = {
            (r.county_id, r.month): r
            for r in CountyOnlineRetailMonth.objects.select_for_update()
            .filter(county_id__in={c.county_id for c in clean}, month__in={c.month for c in clean})
            .order_by("pk")
        }
        now = timezone.now()
        source_name = (filename or "")[:200]
        to_create, to_update = [], []
        for row in clean:
            existing = stored.get((row.county_id, row.month))
            if existing is None:
                to_create.append(
                    CountyOnlineRetailMonth(
                        county_id=row.county_id,
                        month=row.month,
                        online_retail_sales=row.amount,
                        imported_at=now,
                        source=source_name,
                    )
                )
            elif existing.online_retail_sales != row.amount:
                existing.online_retail_sales, existing.imported_at, existing.source = row.amount, now, source_name
                to_update.append(existing)
            else:
                report.unchanged += 1
        report.created, report.updated = len(to_create), len(to_update)
        report.months = sorted({r.month for r in (*to_create, *to_update)})
        if dry_run:
            return report
        if to_create:
            bulk_create_with_history(to_create, CountyOnlineRetailMonth, batch_size=2000, default_user=by_user)
        if to_update:
            bulk_update_with_history(
                to_update,
                CountyOnlineRetailMonth,
                ["online_retail_sales", "imported_at", "source"],
                batch_size=2000,
                default_user=by_user,
            )
        # The summaries read the figures; a changed month makes its first day (or
        # yesterday, for the month under way) dirty, which the next run picks up with the
        # county summary it always rebuilds.
        yesterday = dates.shanghai_yesterday()
        mark_days_dirty(min(month, yesterday) for month in report.months)
    return report
