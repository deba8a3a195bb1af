"""Reads of payout batches (admins only: the callers check the role) and how an account
is shown to whom."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from partners.models import PayoutAccount
from rural_taobao.access import is_admin

from .models import ItemStatus, PayoutBatch, PayoutItem


def batches_list() -> QuerySet[PayoutBatch]:
    return (
        PayoutBatch.objects.select_related("created_by", "paid_by")
        .annotate(
            item_count=Count("items"),
            failed_count=Count("items", filter=Q(items__status=ItemStatus.FAILED)),
            pending_count=Count("items", filter=Q(items__status=ItemStatus.PENDING)),
        )
        .order_by("-created_at", "-id")
    )


def batch_items(batch: PayoutBatch) -> QuerySet[PayoutItem]:
    return batch.items.select_related("statement__partner__village__county").order_by("pk")


def mask_account(account: str) -> str:
    """The masking partners see (``PayoutAccount.masked_account``), for a snapshot."""
    return PayoutAccount(account=account).masked_account


def account_shown_to(user, account: str) -> str:
    """In full for admins, masked for everyone else."""
    return account if is_admin(user) else mask_account(account)
