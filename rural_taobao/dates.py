"""Shanghai days and months: the one definition of "a day" and "a month" in the product.

A day is a calendar day in Asia/Shanghai (``settings.TIME_ZONE``); a month is named by
its first day. Every layer uses these helpers instead of its own arithmetic.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def shanghai_zone() -> ZoneInfo:
    """The product's time zone (``TIME_ZONE`` is Asia/Shanghai)."""
    return ZoneInfo(settings.TIME_ZONE)


def shanghai_day(moment: dt.datetime) -> dt.date:
    """The Shanghai calendar day of an aware datetime."""
    return timezone.localtime(moment, shanghai_zone()).date()


def shanghai_today() -> dt.date:
    return timezone.localdate(timezone=shanghai_zone())


def shanghai_yesterday() -> dt.date:
    return shanghai_today() - dt.timedelta(days=1)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of a Shanghai day (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=shanghai_zone())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a Shanghai day, aware datetimes."""
    return day_start(day), day_start(day + dt.timedelta(days=1))


def days_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of ``first``, end of ``last``) — whole Shanghai days, both included."""
    return day_start(first), day_start(last + dt.timedelta(days=1))


def month_start(day: dt.date) -> dt.date:
    """The first day of the day's month."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after the day's month."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before, when negative) the day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a Shanghai calendar month, aware datetimes."""
    return day_start(month_start(month)), day_start(next_month(month))


def this_month() -> dt.date:
    return month_start(shanghai_today())


def month_has_ended(month: dt.date) -> bool:
    """Whether the Shanghai month of ``month`` is over: its statements close, its figures
    are final."""
    return month_start(month) < this_month()


def parse_month(value: str | None) -> dt.date:
    """'YYYY-MM' → the first day of that month; empty → this Shanghai month.

    Raises ``ValueError`` for anything else.
    """
    if not value:
        return this_month()
    year, month = value.split("-")
    if len(year) != 4 or len(month) != 2 or not (year.isdigit() and month.isdigit()):
        raise ValueError(value)
    return dt.date(int(year), int(month), 1)
