"""The outbox in /admin/: listed with its filters and search, read-only, and the
"retry failed" action queues failed messages again (sent at once here: eager)."""

import pytest

from notifications.models import Message, MessageStatus
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db

URL = "/admin/notifications/message/"


def test_the_outbox_lists_filters_and_searches(admin_client_en):
    MessageFactory(to="13800138000", template="order_placed")
    MessageFactory(to="13900139000", template="pickup_code", failed=True)
    page = admin_client_en.get(URL)
    assert page.status_code == 200
    assert b"13800138000" in page.content and b"13900139000" in page.content
    assert b"Retry the selected failed messages" in page.content
    searched = admin_client_en.get(f"{URL}?q=13900139000")
    assert b"13800138000" not in searched.content and b"13900139000" in searched.content
    filtered = admin_client_en.get(f"{URL}?status__exact=failed&template=pickup_code")
    assert filtered.status_code == 200 and b"13900139000" in filtered.content
    assert admin_client_en.get(f"{URL}add/").status_code == 403


def test_retry_failed_queues_them_again(admin_client_en, django_capture_on_commit_callbacks):
    failed = MessageFactory(failed=True)
    queued = MessageFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_en.post(
            URL, {"action": "retry_failed", "_selected_action": [failed.pk, queued.pk]}, follow=True
        )
    assert b"1 message queued again." in response.content
    again = Message.objects.get(pk=failed.pk)
    assert (again.status, again.attempts) == (MessageStatus.SENT, 1)
    assert Message.objects.get(pk=queued.pk).status == MessageStatus.QUEUED


def test_the_outbox_speaks_chinese(client, admin_user):
    # given: the default language (Simplified Chinese)
    MessageFactory(failed=True)
    client.force_login(admin_user)
    # when
    page = client.get(URL).content.decode()
    # then: the app, the model, its fields, its statuses and the action in Chinese
    for text in ("短信通知", "收信号码", "尝试次数", "发送失败", "重发所选的失败短信"):
        assert text in page, text
