"""Dirty-day tracking for the nightly rollups: which Shanghai days must be recomputed.

``mark_days_dirty`` is the one entry point the layers below call into analytics: an
order service marks the day a payment, cancellation or return changed, in its own
transaction (see the layers contract in pyproject.toml).
"""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from .models import RollupDirtyDay


def mark_days_dirty(days: Iterable[dt.date]) -> None:
    """Record days whose orders changed. Idempotent; call it inside the writing transaction
    so the mark commits (or rolls back) with the change itself."""
    unique_days = {day for day in days if day is not None}
    if unique_days:
        now = timezone.now()
        # A re-mark moves marked_at forward, so a rollup already running for that day
        # (which only clears marks older than its own start) leaves this mark in place.
        RollupDirtyDay.objects.bulk_create(
            [RollupDirtyDay(day=day, marked_at=now) for day in sorted(unique_days)],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["marked_at"],
        )
