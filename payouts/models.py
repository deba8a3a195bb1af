"""Payout batches: approved statements paid together by one bank or Alipay batch transfer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from analytics.models import MonthlyStatement
from rural_taobao.money import money_field


class BatchStatus(models.TextChoices):
    OPEN = "open", _("Awaiting transfer")
    PAID = "paid", _("Paid")


class PayoutBatch(models.Model):
    """A set of approved statements sent to the bank (or Alipay) in one transfer file."""

    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=6, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    total = money_field(verbose_name=_("total (yuan)"), default=0)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BatchStatus.values), name="payout_batch_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(reference="")),
                name="payout_batch_paid_has_reference",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d} ({self.status})"


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("In the transfer")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PayoutItem(models.Model):
    """One statement in a batch, with the account it is paid to as the file said it."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="items")
    statement = models.ForeignKey(MonthlyStatement, on_delete=models.PROTECT, related_name="payout_items")
    amount = money_field(verbose_name=_("amount (yuan)"))
    holder_name = models.CharField(_("account holder"), max_length=50)
    account_kind = models.CharField(_("account type"), max_length=6)
    account = models.CharField(_("account"), max_length=50)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=7, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        constraints = [
            # A statement is in at most one batch that has not paid it (or failed it).
            models.UniqueConstraint(
                fields=["statement"], condition=Q(status="pending"), name="payout_item_one_pending_per_statement"
            ),
            models.UniqueConstraint(fields=["batch", "statement"], name="payout_item_once_per_batch"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_item_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="payout_item_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""), name="payout_item_failure_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.batch_id}/{self.statement_id} {self.amount} ({self.status})"
