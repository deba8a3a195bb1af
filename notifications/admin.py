"""The outbox in /admin/: read-only (messages are written by ``notify`` and the sending
task), with one action: queue failed messages again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rural_taobao.access import is_admin
from rural_taobao.read_only_admin import ReadOnlyAdmin

from . import services
from .models import Message, MessageStatus


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "to", "template", "text", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["template", "status"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]

    @admin.action(description=_("Retry the selected failed messages"), permissions=["retry"])
    def retry_failed(self, request, queryset):
        ids = list(queryset.filter(status=MessageStatus.FAILED).values_list("pk", flat=True))
        count = services.messages_retry(message_ids=ids)
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def has_retry_permission(self, request) -> bool:
        return is_admin(request.user)
