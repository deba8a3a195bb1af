"""How fresh the figures are: the last successful rollup run, for the dashboards' freshness line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .models import (
    RollupRun,
    RollupRunStatus,
)

STALE_AFTER = dt.timedelta(hours=36)


@dataclass
class Freshness:
    finished_at: dt.datetime | None  # the last successful rollup run
    failed_at: dt.datetime | None = None  # the last run, when it failed
    is_stale: bool = False

    @property
    def warning(self) -> str:
        """ "failed", "stale", "never" or "" (all is well)."""
        if self.failed_at:
            return "failed"
        if self.finished_at is None:
            return "never"
        return "stale" if self.is_stale else ""


def rollup_freshness(*, now: dt.datetime | None = None) -> Freshness:
    """When the figures were computed, and whether to warn: the last run failed, or the last
    success is older than 36 hours (the nightly run did not happen)."""
    now = now or timezone.now()
    runs = list(
        RollupRun.objects.filter(status__in=[RollupRunStatus.SUCCEEDED, RollupRunStatus.FAILED])
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .only("status", "finished_at")[:1]
    )
    last = runs[0] if runs else None
    success: RollupRun | None
    if last is not None and last.status == RollupRunStatus.SUCCEEDED:
        success = last
    else:
        success = (
            RollupRun.objects.filter(status=RollupRunStatus.SUCCEEDED)
            .exclude(finished_at=None)
            .order_by("-finished_at")
            .only("finished_at")
            .first()
        )
    finished_at = success.finished_at if success else None
    return Freshness(
        finished_at=finished_at,
        failed_at=last.finished_at if last is not None and last.status == RollupRunStatus.FAILED else None,
        is_stale=finished_at is not None and now - finished_at > STALE_AFTER,
    )
