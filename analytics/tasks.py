"""Celery tasks of the nightly work: thin wrappers around analytics.rollups (they run on the
``rollups`` queue: see CELERY_TASK_ROUTES)."""

import datetime as dt
import logging

from celery import shared_task
from django.db import DatabaseError

from rural_taobao import dates

from . import rollups, settlement

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    max_retries=8,
)
def run_nightly_rollups_task(self) -> dict:
    """Yesterday and every earlier day touched since the last run (beat: 01:30 Shanghai)."""
    try:
        result = rollups.run_nightly(trigger="nightly")
    except rollups.RollupAlreadyRunning:
        logger.info("nightly rollups: another run holds the lock; skipping")
        return {"skipped": True}
    return {"run_id": result.run_id, "days": [d.isoformat() for d in result.days], "rows": result.rows}


@shared_task(bind=True, acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def run_rollups_for_days_task(self, days: list[str]) -> dict:
    """Backfill: the given ISO days."""
    result = rollups.run_rollups([dt.date.fromisoformat(d) for d in days], trigger="task")
    return {"run_id": result.run_id, "days": days, "rows": result.rows}


@shared_task(bind=True, acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def compute_partner_statements_task(self, month: str) -> int:
    """Rebuild one month's open statements (YYYY-MM-01) from the commission ledger."""
    return settlement.refresh_statements(dates.month_start(dt.date.fromisoformat(month)))
