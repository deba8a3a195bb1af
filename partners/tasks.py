"""Celery tasks of partner income: thin wrappers around counties.rollups' statement step."""

import datetime as dt

from celery import shared_task
from django.db import DatabaseError

from counties import rollups


@shared_task(bind=True, acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=5)
def compute_partner_statements_task(self, month: str) -> int:
    """Rebuild one month's open statements (YYYY-MM-01); months that ended are closed."""
    month_day = rollups.month_start(dt.date.fromisoformat(month))
    return rollups.compute_statements(month_day, close=month_day < rollups.month_start(rollups.shanghai_today()))
