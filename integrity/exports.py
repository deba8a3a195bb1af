"""The review list as CSV (UTF-8 with BOM, for Excel); a cell that starts like a formula
is quoted so a spreadsheet never runs it."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Flag, Rule
from .rules import flag_detail

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(flags: QuerySet[Flag]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    header = [
        _("Flag"),
        _("Order"),
        _("County"),
        _("Partner"),
        _("Rule"),
        _("Rule code"),
        _("Severity"),
        _("Detail"),
        _("Status"),
        _("Flagged at"),
        _("Reviewed by"),
        _("Reviewed at"),
        _("Reason"),
    ]
    yield BOM + writer.writerow(header)
    for flag in flags.iterator(chunk_size=2000):
        reviewed_at = timezone.localtime(flag.reviewed_at).strftime("%Y-%m-%d %H:%M") if flag.reviewed_at else ""
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    flag.pk,
                    flag.order.order_no,
                    flag.county.code,
                    flag.partner.real_name,
                    Rule(flag.rule).label,
                    flag.rule,
                    flag.get_severity_display(),
                    flag_detail(flag.rule, flag.evidence),
                    flag.get_status_display(),
                    timezone.localtime(flag.created_at).strftime("%Y-%m-%d %H:%M"),
                    flag.reviewed_by.username if flag.reviewed_by else "",
                    reviewed_at,
                    flag.reason,
                )
            ]
        )
