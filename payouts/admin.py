"""Admin pages of payout batches: read-only (the payout services write them)."""

from django.contrib import admin

from rural_taobao.read_only_admin import ReadOnlyAdmin

from .models import PayoutBatch, PayoutItem


class PayoutItemInline(admin.TabularInline):
    model = PayoutItem
    extra = 0
    can_delete = False
    fields = ["statement", "amount", "holder_name", "account_kind", "account", "bank_name", "status", "failure_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "description", "status", "total", "reference", "paid_on"]
    list_filter = ["status"]
    inlines = [PayoutItemInline]


@admin.register(PayoutItem)
class PayoutItemAdmin(ReadOnlyAdmin):
    list_display = ["batch", "statement", "amount", "holder_name", "account_kind", "status", "failure_reason"]
    list_filter = ["status", "account_kind"]
    search_fields = ["holder_name", "account"]
    list_select_related = ["batch", "statement"]
