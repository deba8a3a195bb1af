"""Dashboard periods: whole Shanghai days from a first to a last day, presets ending
yesterday, and their split into whole calendar months (read from month rows) and edge days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rural_taobao import dates
from rural_taobao.dates import month_start, next_month

PERIOD_CHOICES = [
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("month", _("This month")),
    ("year", _("This year")),
    ("custom", _("Custom")),
]
DEFAULT_PERIOD = "30d"
MAX_PERIOD_DAYS = 731  # two years, a leap day included
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """Whole Shanghai days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date
    key: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period it is compared with: for "this year" (a year to date) the same dates
        last year (1 January to the same day); for any other, the same length just before."""
        if self.key == "year":
            return Period(start=_a_year_before(self.start), end=_a_year_before(self.end), key="previous")
        end = self.start - dt.timedelta(days=1)
        return Period(start=end - dt.timedelta(days=self.days - 1), end=end, key="previous")

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def whole_months(self) -> list[dt.date]:
        """First days of the calendar months that lie wholly inside the period."""
        first = self.start if self.start.day == 1 else next_month(self.start)
        months = []
        while next_month(first) - dt.timedelta(days=1) <= self.end:
            months.append(first)
            first = next_month(first)
        return months

    def edge_days(self) -> list[tuple[dt.date, dt.date]]:
        """The (first, last) day ranges of the period outside its whole months."""
        months = self.whole_months()
        if not months:
            return [(self.start, self.end)]
        edges = []
        if self.start < months[0]:
            edges.append((self.start, months[0] - dt.timedelta(days=1)))
        after = next_month(months[-1])
        if after <= self.end:
            edges.append((after, self.end))
        return edges

    def edge_days_q(self) -> Q:
        """``day`` inside the edge ranges (an empty match when there are none)."""
        q = Q(pk__in=[])
        for first, last in self.edge_days():
            q |= Q(day__gte=first, day__lte=last)
        return q


def _a_year_before(day: dt.date) -> dt.date:
    """The same date a year earlier; 29 February becomes the 28th."""
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def preset_period(key: str, *, today: dt.date | None = None) -> Period:
    """A preset ending yesterday: the last 7 or 30 days, this month or this year so far."""
    end = (today or dates.shanghai_today()) - dt.timedelta(days=1)
    if key == "7d":
        start = end - dt.timedelta(days=6)
    elif key == "month":
        start = month_start(end)
    elif key == "year":
        start = end.replace(month=1, day=1)
    else:
        key, start = "30d", end - dt.timedelta(days=29)
    return Period(start=start, end=end, key=key)


def custom_period(start: dt.date | None, end: dt.date | None) -> Period:
    """A custom period, or ``ValidationError`` with field errors under ``from`` and ``to``."""
    errors: dict[str, list] = {}
    if start is None:
        errors.setdefault("from", []).append(_("Give the first day of the period."))
    if end is None:
        errors.setdefault("to", []).append(_("Give the last day of the period."))
    for name, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            errors.setdefault(name, []).append(
                _("Choose a day between %(first)s and %(last)s.") % {"first": EARLIEST_DAY, "last": LATEST_DAY}
            )
    if errors or start is None or end is None:  # a missing day is among the errors
        raise ValidationError(errors)
    if start > end:
        errors["from"] = [_("The period must start on or before its last day.")]
    elif (end - start).days + 1 > MAX_PERIOD_DAYS:
        errors["to"] = [_("A period can be at most two years (%(days)s days).") % {"days": MAX_PERIOD_DAYS}]
    if errors:
        raise ValidationError(errors)
    return Period(start=start, end=end, key="custom")
