"""Reads of the outbox: programme admins see every message; nobody else sees any (the
texts carry villagers' pickup codes)."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from rural_taobao.access import is_admin

from .models import Message


def messages_visible_to(user: User | AnonymousUser) -> QuerySet[Message]:
    return Message.objects.all() if is_admin(user) else Message.objects.none()


def message_list(
    user: User | AnonymousUser, *, to: str | None = None, template: str | None = None, status: str | None = None
) -> QuerySet[Message]:
    """The outbox newest first, filtered by exact phone, template and status."""
    messages = messages_visible_to(user)
    if to:
        messages = messages.filter(to=to)
    if template:
        messages = messages.filter(template=template)
    if status:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-id")
