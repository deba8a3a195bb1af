"""The outbox: every SMS the programme sends, queued in the transaction that decided to
send it, then sent by a Celery task (``notifications.tasks``) through the configured
backend (``rural_taobao.sms``), with its attempts and last error kept for the admins."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rural_taobao.phones import MOBILE_PHONE_REGEX, mobile_phone_validator
from rural_taobao.sms import SMS_SEGMENT_CHARS

# A template is a short code naming why a message is sent (``order_placed``,
# ``pickup_code`` …): what the admins filter the outbox by.
TEMPLATE_REGEX = r"^[a-z][a-z0-9_]{0,31}$"
MAX_ERROR_CHARS = 500


class MessageStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("message status", "Queued")
    SENT = "sent", pgettext_lazy("message status", "Sent")
    FAILED = "failed", pgettext_lazy("message status", "Failed")


class Message(models.Model):
    to = models.CharField(pgettext_lazy("sms", "to"), max_length=11, validators=[mobile_phone_validator])
    template = models.CharField(_("template"), max_length=32)
    text = models.CharField(_("text"), max_length=SMS_SEGMENT_CHARS)
    status = models.CharField(_("status"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=MAX_ERROR_CHARS, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = pgettext_lazy("sms", "message")
        verbose_name_plural = pgettext_lazy("sms", "messages")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="message_status_valid"),
            # One SMS segment: a longer text would be billed, and may arrive, as several.
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("text"), 1) & LessThanOrEqual(Length("text"), SMS_SEGMENT_CHARS),
                name="message_text_one_segment",
            ),
            models.CheckConstraint(condition=Q(to__regex=MOBILE_PHONE_REGEX), name="message_to_mainland_mobile"),
            models.CheckConstraint(condition=Q(template__regex=TEMPLATE_REGEX), name="message_template_code"),
            # Sent means a send time; queued and failed messages have none.
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="message_sent_has_time",
            ),
        ]
        indexes = [
            # The outbox filters (admin list filters, the API's ?status=&template=), newest first.
            models.Index(fields=["status", "template", "-created_at"], name="message_status_template_idx"),
            models.Index(fields=["template", "-created_at"], name="message_template_idx"),
            # One phone's messages (?to=): what the villager was told.
            models.Index(fields=["to", "-created_at"], name="message_to_idx"),
        ]

    def __str__(self):
        return f"{self.template} #{self.pk}"
