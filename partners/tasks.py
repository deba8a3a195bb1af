"""Celery tasks of the partners app: thin wrappers around ``partners.cohort``."""

from celery import shared_task

from . import cohort


@shared_task(acks_late=True)
def activate_cohort_task(job_id: int) -> dict:
    """Run a queued cohort activation job; its figures."""
    job = cohort.cohort_activation_run(job_id)
    return {"id": job.pk, "status": job.status, "done": job.done, "total": job.total}
