"""Celery tasks of the outbox: thin wrappers around ``notifications.services``.

``send_message_task`` tries once and, on a temporary failure, retries itself with
exponential backoff (30 s, 60 s, 120 s, 240 s); the message row counts the attempts and
decides the last one (``services.MAX_ATTEMPTS``). In eager mode (no broker: the embedded
default and the tests) a retry runs again at once, in-process: Celery's eager ``apply``
ignores the countdown, so nothing sleeps (a request that sent a message waits for its
tries, each at most SMS_GATEWAY_TIMEOUT).
"""

import logging

from celery import shared_task

from rural_taobao.sms import TemporarySmsError

from . import services

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 30
BACKOFF_MAX_SECONDS = 15 * 60


def backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 30, 60, 120, 240 … at most 15 minutes."""
    return min(BACKOFF_SECONDS * 2**retries, BACKOFF_MAX_SECONDS)


# max_retries only bounds Celery's own count; the message's attempts end the retries
# first (a sweep's second task adds to the same count).
@shared_task(bind=True, acks_late=True, max_retries=services.MAX_ATTEMPTS)
def send_message_task(self, message_id: int):
    """Send one outbox message; the status it ends in."""
    try:
        return services.message_send(message_id=message_id)
    except TemporarySmsError as error:
        countdown = backoff(self.request.retries)
        if self.request.is_eager:
            # Eager with CELERY_TASK_EAGER_PROPAGATES, a raised Retry escapes to the caller;
            # returned, eager ``apply`` runs the retry at once (the countdown is not waited).
            return self.retry(exc=error, countdown=countdown, throw=False)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(acks_late=True)
def send_queued_messages_task() -> int:
    """The sweep (beat, every 5 minutes): queued messages whose task was lost, enqueued again."""
    count = services.messages_enqueue_stale()
    if count:
        logger.info("outbox: %s queued messages enqueued again", count)
    return count
