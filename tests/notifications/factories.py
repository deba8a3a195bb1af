"""Outbox rows as a test needs them (``notify`` for the real path)."""

import factory
from django.utils import timezone

from notifications.models import Message, MessageStatus


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    to = factory.Sequence(lambda n: f"1390000{n % 10_000:04d}")
    template = "order_placed"
    text = factory.Sequence(lambda n: f"您的订单 RT{n:06d} 已下单，合计 ¥199.00。")
    status = MessageStatus.QUEUED

    class Params:
        sent = factory.Trait(status=MessageStatus.SENT, attempts=1, sent_at=factory.LazyFunction(timezone.now))
        failed = factory.Trait(status=MessageStatus.FAILED, attempts=5, last_error="gateway answered 503")
