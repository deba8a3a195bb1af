from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Category,
    Order,
    OrderLine,
    OrderReconciliation,
    OrderStatusChange,
    PlatformOrderNo,
    Promotion,
    Villager,
)


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "name_zh", "name_en", "is_farm_produce", "sort_order"]
    list_filter = ["is_farm_produce"]
    search_fields = ["slug", "name_zh", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Promotion)
class PromotionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "starts_on", "ends_on"]
    search_fields = ["name", "code"]
    date_hierarchy = "starts_on"


@admin.register(Villager)
class VillagerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "masked_phone", "village", "created_at"]
    list_filter = ["village__county__province"]
    search_fields = ["name", "phone", "village__name"]
    list_select_related = ["village"]
    autocomplete_fields = ["village"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "product_name",
        "category",
        "quantity",
        "unit_price",
        "line_total",
        "commission_rate",
        "commission_amount",
    ]


class OrderStatusChangeInline(ReadOnlyInline):
    model = OrderStatusChange
    fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]


class PlatformOrderNoInline(ReadOnlyInline):
    model = PlatformOrderNo
    fields = ["number", "created_at", "added_by"]


class OrderReconciliationInline(ReadOnlyInline):
    """What the platform says of the order (written by the nightly reconciliation)."""

    model = OrderReconciliation
    fields = ["state", "amount", "confirmed_at", "known_at", "refund_known_at", "payable_from"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["order_no", "partner", "county", "channel", "status", "total_amount", "placed_at", "paid_at"]
    list_filter = ["status", "channel", "promotion", "county__region", "placed_at"]
    search_fields = [
        "order_no",
        "partner__real_name",
        "partner__phone",
        "villager__phone",
        "buyer_organisation",
        "reference",
    ]
    list_select_related = ["partner", "county"]
    # Orders are placed and moved only by their partner, through orders.services (one
    # transaction, a history row, commission snapshots, rollup days): here admins read.
    readonly_fields = [
        "order_no",
        "partner",
        "villager",
        "village",
        "county",
        "channel",
        "promotion",
        "buyer_organisation",
        "reference",
        "client_request_id",
        "status",
        "total_amount",
        "placed_at",
        "paid_at",
        "shipped_at",
        "at_county_centre_at",
        "at_service_point_at",
        "picked_up_at",
        "cancelled_at",
        "returned_at",
    ]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, PlatformOrderNoInline, OrderReconciliationInline, OrderStatusChangeInline]
    show_full_result_count = False  # a COUNT(*) over tens of millions of orders is not free

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrderStatusChange)
class OrderStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["order", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status", "changed_at"]
    search_fields = ["order__order_no", "reason"]
    list_select_related = ["order", "changed_by"]
    readonly_fields = ["order", "from_status", "to_status", "changed_by", "changed_at", "reason"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
