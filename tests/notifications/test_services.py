"""notify: a queued message stored in the caller's transaction, sent once it commits
(eager Celery, the console backend); what it refuses; the sweep; the admins' retry."""

import datetime as dt
import logging

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from notifications.models import Message, MessageStatus
from notifications.services import STALE_AFTER, message_send, messages_enqueue_stale, messages_retry, notify
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
TEXT = "您的订单 RT000123 已下单，合计 ¥199.00。请留意取件短信。"


def test_notify_queues_in_the_transaction_and_sends_through_the_console_after_commit(
    django_capture_on_commit_callbacks, caplog
):
    # given / when
    caplog.set_level(logging.INFO, logger="rural_taobao.sms")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = notify(PHONE, "order_placed", TEXT)
    # then: stored queued, nothing sent before the commit
    assert Message.objects.get(pk=message.pk).status == MessageStatus.QUEUED
    assert len(callbacks) == 1
    assert "SMS" not in caplog.text
    # when: the transaction commits (the task runs in-process: eager mode)
    callbacks[0]()
    # then
    sent = Message.objects.get(pk=message.pk)
    assert (sent.status, sent.attempts, sent.last_error) == (MessageStatus.SENT, 1, "")
    assert sent.sent_at is not None and sent.to == PHONE and sent.template == "order_placed" and sent.text == TEXT
    assert "138****8000" in caplog.text and PHONE not in caplog.text
    assert TEXT in caplog.text


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(PHONE, "order_placed", TEXT)
        raise RuntimeError("the order failed")
    assert callbacks == [] and not Message.objects.exists()


def test_notify_normalises_the_number():
    assert notify("+86 138-0013-8000", "order_placed", "好").to == PHONE


def test_seventy_characters_fit_and_seventy_one_are_refused(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fits = notify(PHONE, "order_placed", "字" * 70)
    assert Message.objects.get(pk=fits.pk).status == MessageStatus.SENT
    with pytest.raises(ValueError, match="70"):
        notify(PHONE, "order_placed", "字" * 71)
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("to", "template", "text"),
    [("12345", "order_placed", "好"), (PHONE, "Order Placed", "好"), (PHONE, "", "好"), (PHONE, "order_placed", "")],
)
def test_notify_refuses_a_bad_number_template_or_empty_text(to, template, text):
    with pytest.raises(ValueError):
        notify(to, template, text)
    assert not Message.objects.exists()


def test_the_database_refuses_a_text_over_one_segment_and_a_bad_status():
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Message.objects.create(to=PHONE, template="x", text="字" * 71)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(to=PHONE, template="x", text="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(to=PHONE, template="x", text="好", status="lost")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(to=PHONE, template="x", text="好", status=MessageStatus.SENT)  # no sent_at
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(to="12345678901", template="x", text="好")


def test_a_sent_or_failed_message_is_never_sent_again(caplog):
    caplog.set_level(logging.INFO, logger="rural_taobao.sms")
    sent, failed = MessageFactory(sent=True), MessageFactory(failed=True)
    assert message_send(message_id=sent.pk) == MessageStatus.SENT
    assert message_send(message_id=failed.pk) == MessageStatus.FAILED
    assert message_send(message_id=10**9) == "missing"
    assert "rural_taobao.sms" not in {record.name for record in caplog.records}
    assert Message.objects.get(pk=sent.pk).attempts == 1 and Message.objects.get(pk=failed.pk).attempts == 5


def test_retry_queues_failed_messages_again_with_fresh_attempts(django_capture_on_commit_callbacks):
    failed, sent = MessageFactory(failed=True), MessageFactory(sent=True)
    with django_capture_on_commit_callbacks(execute=True):
        count = messages_retry(message_ids=[failed.pk, sent.pk])
    assert count == 1
    again = Message.objects.get(pk=failed.pk)
    assert (again.status, again.attempts) == (MessageStatus.SENT, 1)


def test_the_sweep_sends_queued_messages_whose_task_was_lost():
    # given: one message queued long ago (its task never reached the broker), one just now
    old = MessageFactory(created_at=timezone.now() - STALE_AFTER - dt.timedelta(minutes=1))
    fresh = MessageFactory()
    # when
    count = messages_enqueue_stale()
    # then: the old one is sent (eager), the fresh one left to its own task
    assert count == 1
    assert Message.objects.get(pk=old.pk).status == MessageStatus.SENT
    assert Message.objects.get(pk=fresh.pk).status == MessageStatus.QUEUED


def test_the_sweep_command_shares_the_service(capsys):
    MessageFactory(created_at=timezone.now() - dt.timedelta(hours=1))
    from django.core.management import call_command

    call_command("send_queued_messages")
    assert "1 queued message(s)" in capsys.readouterr().out
    assert Message.objects.get().status == MessageStatus.SENT
