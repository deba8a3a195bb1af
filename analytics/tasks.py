"""Celery tasks of the nightly work: thin wrappers around analytics.rollups (they run on the
``rollups`` queue: see CELERY_TASK_ROUTES).

Backfills are ``manage.py run_rollups --from D --to D`` (or ``--all``); statements are
rebuilt by the nightly run's settlement, under the rollup lock."""

import logging

from celery import shared_task
from django.db import DatabaseError

from . import rollups

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
