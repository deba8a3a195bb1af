"""The reconciliation list: paid orders with what the platform says of them, for admins
(every county) and county staff (their counties), filtered by state, county, partner and
month paid; the same filters for the page, its CSV export and the API.

Only orders that were paid are listed (an order cancelled before payment was never placed
on the platform). Scoped by ``orders_visible_to``; a county filter outside the caller's
counties is ``County.DoesNotExist`` (the page and the API answer 404).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counties.models import County
from counties.selectors import counties_visible_to
from rural_taobao import dates

from .models import Order, Reconciliation, reconciliation_is
from .reconciliation import reconciliation_counts
from .selectors import orders_visible_to

BOM = "\ufeff"
# Months outside these years are typing mistakes (and 9999-12 has no next month).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ReconciliationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=[("", gettext_lazy("All")), *Reconciliation.choices]
    )
    county = forms.CharField(label=gettext_lazy("County"), required=False, max_length=12)
    partner = forms.IntegerField(label=gettext_lazy("Partner (id)"), required=False, min_value=1, max_value=2**31 - 1)
    month = forms.CharField(
        label=gettext_lazy("Month paid"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def __init__(self, *args, counties: Iterable[County] = (), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("All counties"))] + [(c.code, c.name) for c in counties]
        self.fields["county"].widget = forms.Select(choices=choices)

    def clean_month(self) -> dt.date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            month = dates.parse_month(value)
        except ValueError:
            month = None
        if month is None or not (EARLIEST_YEAR <= month.year <= LATEST_YEAR):
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return month


@dataclass
class ReconciliationList:
    form: ReconciliationFilterForm
    orders: QuerySet[Order]  # filtered, with the state filter
    counts: dict[str, int]  # per state, under every filter but the state
    county: County | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count_rows(self) -> list[tuple[str, str, int]]:
        return [(value, str(label), self.counts.get(value, 0)) for value, label in Reconciliation.choices]


def reconciliation_list(user, params) -> ReconciliationList:
    """The caller's paid orders under the filters in ``params`` (a QueryDict or dict).

    Raises ``County.DoesNotExist`` for a county the caller may not see. Invalid filters
    give an empty list (the form carries the errors)."""
    counties = counties_visible_to(user).order_by("code")
    form = ReconciliationFilterForm(params, counties=counties)
    scoped = orders_visible_to(user).filter(paid_at__isnull=False)
    if not form.is_valid():
        empty = scoped.none()
        return ReconciliationList(form=form, orders=empty, counts=reconciliation_counts(empty), county=None)
    data = form.cleaned_data
    county = None
    if data["county"]:
        county = counties.get(code=data["county"])
        scoped = scoped.filter(county=county)
    if data["partner"]:
        scoped = scoped.filter(partner_id=data["partner"])
    if data["month"]:
        start, end = dates.month_bounds(data["month"])
        scoped = scoped.filter(paid_at__gte=start, paid_at__lt=end)
    counts = reconciliation_counts(scoped)
    orders = scoped.filter(reconciliation_is(data["state"])) if data["state"] else scoped
    orders = orders.select_related("partner", "village", "county", "reconciliation_row").order_by("-paid_at", "-id")
    return ReconciliationList(form=form, orders=orders, counts=counts, county=county)


# ── CSV export ───────────────────────────────────────────────────────────────


def _cell(value) -> str | int | Decimal:
    """Typed text that looks like a formula gets a leading ' (as analytics.exports does)."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(dates.shanghai_zone()).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_header() -> list[str]:
    return [
        _("Order"),
        _("Partner"),
        _("County"),
        _("Village"),
        _("Status"),
        _("Total (yuan)"),
        _("Platform amount (yuan)"),
        _("Reconciliation"),
        _("Taobao order numbers"),
        _("Paid at"),
        _("Platform confirmed at"),
    ]


def csv_rows(orders: QuerySet[Order]) -> Iterator[list]:
    for order in orders.prefetch_related("platform_numbers").iterator(chunk_size=2000):
        yield [
            order.order_no,
            order.partner.real_name,
            order.county.name,
            order.village.name,
            order.get_status_display(),
            order.total_amount,
            order.platform_amount,
            order.get_reconciliation_display(),
            " ".join(number.number for number in order.platform_numbers.all()),
            order.paid_at,
            order.platform_confirmed_at,
        ]


def csv_lines(orders: QuerySet[Order]) -> Iterator[str]:
    """The export as lines of text, the first with the byte-order mark (Excel reads UTF-8)."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([_cell(h) for h in csv_header()])
    for row in csv_rows(orders):
        yield writer.writerow([_cell(cell) for cell in row])
