"""Writes of the outbox: queue a message (``notify``), send one (the task's work), queue
failed ones again (the admins' retry).

``notify`` is what the other apps call, inside their own transaction: the message is
stored with it and its task is enqueued only once it commits, so a rolled-back order
texts nobody, and a committed one is never lost (a task that never reached the broker is
enqueued again by ``send_queued_messages_task``).
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from rural_taobao import sms
from rural_taobao.phones import is_mobile_phone, mask_phone, normalize_phone

from .models import MAX_ERROR_CHARS, TEMPLATE_REGEX, Message, MessageStatus

logger = logging.getLogger(__name__)

# Tries per message before it fails: the first and four retries (backoff in tasks.py).
MAX_ATTEMPTS = 5
# A queued message this old has no live task (the retries of a message span ~8 minutes):
# the sweep enqueues it again.
STALE_AFTER = dt.timedelta(minutes=15)


def notify(to: str, template: str, text: str) -> Message:
    """Queue an SMS of ``text`` to the mobile number ``to``, sent after the caller's
    transaction commits. ``template`` is a short code for why (``order_placed``).

    ValueError for a number that is not a mainland mobile, a template that is not a
    short code, or a text that is empty or longer than one SMS segment (70 characters)."""
    message = _message(to, template, text)
    with transaction.atomic():
        message.save(force_insert=True)
        _enqueue_on_commit([message.pk])
    return message


def notify_many(messages: Iterable[tuple[str, str, str]]) -> list[Message]:
    """``notify`` for many messages at once, each ``(to, template, text)``: all checked
    first (the same ValueErrors, nothing queued if one fails), stored in one INSERT, each
    enqueued after the caller's transaction commits — a delivery run texts 2,000
    villagers in one call."""
    rows = [_message(to, template, text) for to, template, text in messages]
    if not rows:
        return []
    with transaction.atomic():
        Message.objects.bulk_create(rows, batch_size=2000)
        _enqueue_on_commit([message.pk for message in rows])
    return rows


def _message(to: str, template: str, text: str) -> Message:
    phone = normalize_phone(to)
    if not is_mobile_phone(phone):
        raise ValueError(f"not a mainland mobile number: {mask_phone(phone) if phone else '(empty)'}")
    if not re.fullmatch(TEMPLATE_REGEX, template):
        raise ValueError(f"a template is a short code (lowercase letters, digits, _): {template!r}")
    if not text:
        raise ValueError("an SMS needs a text")
    if len(text) > sms.SMS_SEGMENT_CHARS:
        raise ValueError(f"an SMS text is at most {sms.SMS_SEGMENT_CHARS} characters (one segment), not {len(text)}")
    return Message(to=phone, template=template, text=text)


def message_send(*, message_id: int) -> str:
    """One try at sending a queued message; the status it ends in.

    The row is locked for the try, so two workers holding the same message's task (a
    redelivery, the sweep) send it once: the second waits, then finds it sent. A sent or
    failed message is left alone. Raises ``TemporarySmsError`` when the try failed and
    another may follow (the attempt and its error are saved first); the last allowed try
    marks the message failed instead, as a permanent refusal does at once."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            logger.warning("SMS %s: no such message", message_id)
            return "missing"
        if message.status != MessageStatus.QUEUED:
            return message.status
        message.attempts += 1
        retry_error: sms.TemporarySmsError | None = None
        try:
            sms.get_backend().send(message.to, message.text, message_id=str(message.pk))
        except sms.TemporarySmsError as error:
            message.last_error = _error_text(error)
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.FAILED
                logger.warning("SMS %s failed after %s attempts: %s", message.pk, message.attempts, error)
            else:
                retry_error = error
        except sms.PermanentSmsError as error:
            message.last_error = _error_text(error)
            message.status = MessageStatus.FAILED
            logger.warning("SMS %s refused: %s", message.pk, error)
        else:
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    if retry_error is not None:
        raise retry_error
    return message.status


def messages_retry(*, message_ids: list[int]) -> int:
    """Queue failed messages again with a fresh count of attempts; how many were."""
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update()
            .filter(pk__in=message_ids, status=MessageStatus.FAILED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=ids).update(status=MessageStatus.QUEUED, attempts=0)
        _enqueue_on_commit(ids)
    return len(ids)


def messages_enqueue_stale(*, now: dt.datetime | None = None) -> int:
    """Enqueue again the queued messages old enough to have no live task; how many."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    ids = list(
        Message.objects.filter(status=MessageStatus.QUEUED, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def _enqueue_on_commit(ids: list[int]) -> None:
    for pk in ids:
        transaction.on_commit(partial(_enqueue, pk))


def _enqueue(pk: int) -> None:
    from .tasks import send_message_task  # tasks import this module

    try:
        send_message_task.delay(pk)
    except Exception:  # the broker is down: the caller's work is committed and stands
        # Eager mode runs the task here, and its errors propagate too: a backend that is
        # misconfigured must not fail the order that sent the message either.
        logger.exception("SMS %s: not enqueued; the sweep will send it", pk)


def _error_text(error: Exception) -> str:
    return (str(error) or type(error).__name__)[:MAX_ERROR_CHARS]
