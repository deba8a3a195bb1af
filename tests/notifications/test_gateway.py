"""The HTTP gateway backend against a real gateway on loopback, and the sending task's
retries (eager Celery: a retry runs again at once, no countdown is waited out)."""

import hashlib
import hmac
import json
import socket
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from notifications.models import Message, MessageStatus
from notifications.services import MAX_ATTEMPTS, message_send, notify
from notifications.tasks import backoff, send_message_task
from rural_taobao import sms
from tests.notifications.factories import MessageFactory
from tests.notifications.gateway import HANG

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
SECRET = "shared-secret-for-tests"
TEXT = "您的包裹已到张庄村服务站，取件码 123456，请凭码取件。"


@pytest.fixture
def retries(monkeypatch):
    """The countdown of every retry the task asks for (eager: each runs at once)."""
    asked = []
    retry = send_message_task.retry

    def record(*args, **kwargs):
        asked.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(send_message_task, "retry", record)
    return asked


def send(django_capture_on_commit_callbacks, text=TEXT) -> Message:
    with django_capture_on_commit_callbacks(execute=True):
        message = notify(PHONE, "pickup_code", text)
    return Message.objects.get(pk=message.pk)


def test_the_request_is_signed_json_and_the_signature_is_the_hmac_of_the_exact_body(
    gateway, django_capture_on_commit_callbacks
):
    # when
    message = send(django_capture_on_commit_callbacks)
    # then: one POST whose X-Signature is HMAC-SHA256 of the bytes received
    (received,) = gateway.received
    expected = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.path == "/sms/send"
    assert hmac.compare_digest(received.headers["X-Signature"], expected)
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    assert received.json == {"id": str(message.pk), "to": PHONE, "text": TEXT}
    assert TEXT.encode() in received.body  # UTF-8, not \\u escapes
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)


def test_a_wrong_secret_gives_a_signature_the_gateway_would_reject(gateway):
    sms.HttpGatewayBackend(url=gateway.url, secret="another secret").send(PHONE, "好", message_id="1")
    (received,) = gateway.received
    good = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Signature"] != good


def test_a_500_then_a_200_is_retried_to_exactly_one_delivery(gateway, django_capture_on_commit_callbacks, retries):
    # given: the gateway fails once
    gateway.script[:] = [500, 200]
    # when
    message = send(django_capture_on_commit_callbacks)
    # then: two requests with the same id, one delivery, attempts 2; the retry asked for 30 s
    assert [r.json["id"] for r in gateway.received] == [str(message.pk)] * 2
    assert len(gateway.deliveries) == 1
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, "")
    assert message.sent_at is not None
    assert retries == [30]


def test_a_400_fails_at_once_without_a_retry(gateway, django_capture_on_commit_callbacks, retries):
    gateway.script[:] = [400]
    message = send(django_capture_on_commit_callbacks)
    assert len(gateway.received) == 1 and gateway.deliveries == []
    assert (message.status, message.attempts, message.sent_at) == (MessageStatus.FAILED, 1, None)
    assert "400" in message.last_error
    assert retries == []


def test_a_timeout_is_retried(gateway, django_capture_on_commit_callbacks, retries):
    # given: the gateway holds the first request past the client's timeout
    gateway.script[:] = [HANG, 200]
    # when
    message = send(django_capture_on_commit_callbacks)
    # then
    assert len(gateway.received) == 2 and len(gateway.deliveries) == 1
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert retries == [30]


def test_the_gateway_down_for_good_fails_after_the_last_attempt_with_backoff(
    gateway, django_capture_on_commit_callbacks, retries
):
    gateway.script[:] = [503] * 10
    message = send(django_capture_on_commit_callbacks)
    assert len(gateway.received) == MAX_ATTEMPTS == 5
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 5)
    assert "503" in message.last_error
    assert retries == [30, 60, 120, 240]


def test_a_429_is_retried(gateway, django_capture_on_commit_callbacks):
    gateway.script[:] = [429, 200]
    assert send(django_capture_on_commit_callbacks).attempts == 2


def test_a_refused_connection_is_temporary(settings, django_capture_on_commit_callbacks):
    # given: a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = sms.HttpGatewayBackend(url=f"http://127.0.0.1:{port}/", secret=SECRET, timeout=0.5)
    with pytest.raises(sms.TemporarySmsError, match="unreachable"):
        backend.send(PHONE, "好", message_id="1")


def test_the_task_on_a_sent_message_sends_nothing(gateway):
    message = MessageFactory(sent=True)
    assert send_message_task.delay(message.pk).get() == MessageStatus.SENT
    assert gateway.received == []


def test_backoff_doubles_up_to_fifteen_minutes():
    assert [backoff(n) for n in range(7)] == [30, 60, 120, 240, 480, 900, 900]


def test_the_gateway_backend_refuses_to_run_unconfigured():
    with pytest.raises(ImproperlyConfigured):
        sms.HttpGatewayBackend(url="", secret=SECRET)
    with pytest.raises(ImproperlyConfigured):
        sms.HttpGatewayBackend(url="ftp://gateway/", secret=SECRET)
    with pytest.raises(ImproperlyConfigured):
        sms.HttpGatewayBackend(url="http://gateway/", secret="")


def test_the_body_is_compact_utf8_json():
    body = sms.gateway_body(PHONE, "好", "7")
    assert body == '{"id":"7","to":"13800138000","text":"好"}'.encode()
    assert json.loads(body) == {"id": "7", "to": PHONE, "text": "好"}


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_message_send_it_once(gateway, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    # given: a queued message; the gateway holds the first worker's request
    message = MessageFactory()
    gateway.script[:] = [200]
    results = []
    received = threading.Event()
    original = sms.HttpGatewayBackend.send

    def send_and_signal(self, *args, **kwargs):
        received.set()  # the first worker holds the row lock from here until it commits
        return original(self, *args, **kwargs)

    def worker():
        try:
            results.append(message_send(message_id=message.pk))
        finally:
            connection.close()

    monkeypatch.setattr(sms.HttpGatewayBackend, "send", send_and_signal)
    first = threading.Thread(target=worker)
    first.start()
    assert received.wait(10)
    # when: a second worker takes the same message while the first is sending
    second = threading.Thread(target=worker)
    second.start()
    first.join(10)
    second.join(10)
    # then: one request to the gateway; both workers end on "sent"
    assert len(gateway.received) == 1
    assert results == [MessageStatus.SENT, MessageStatus.SENT]
    assert Message.objects.get(pk=message.pk).attempts == 1
