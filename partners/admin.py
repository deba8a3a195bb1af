from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rural_taobao import dates

from .models import (
    CommissionRate,
    IncentiveTier,
    Partner,
    PartnerStatusChange,
    ProcurementRate,
)


class PartnerStatusChangeInline(admin.TabularInline):
    model = PartnerStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]

    def has_add_permission(self, request, obj=None):
        # Status changes are written by the onboarding services only.
        return False


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["real_name", "phone", "village", "status", "applied_at", "activated_at"]
    list_filter = ["status", "village__county__region", "village__county__province", "applied_at"]
    search_fields = ["real_name", "phone", "village__name", "village__county__name"]
    list_select_related = ["village__county"]
    autocomplete_fields = ["village"]
    date_hierarchy = "applied_at"
    # Status, login and station move through the onboarding workflow (partners.services)
    # so that history is recorded and the one-active-partner rule is checked first.
    readonly_fields = [
        "workspace_link",
        "status",
        "user",
        "service_point",
        "status_changed_at",
        "activated_at",
        "exited_at",
    ]
    inlines = [PartnerStatusChangeInline]
    list_per_page = 50
    # 100,000 partners: no second COUNT(*) over the whole table on every filtered page.
    show_full_result_count = False

    @admin.display(description=_("onboarding workspace"))
    def workspace_link(self, partner):
        if partner.pk is None:
            return "—"
        url = reverse("onboarding:detail", kwargs={"partner_id": partner.pk})
        return format_html('<a href="{}">{}</a>', url, _("Status changes, login and set-password link"))


@admin.register(PartnerStatusChange)
class PartnerStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["partner", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status", "from_status", "changed_at"]
    search_fields = ["partner__real_name", "partner__phone", "reason"]
    list_select_related = ["partner", "changed_by"]
    readonly_fields = ["partner", "from_status", "to_status", "changed_by", "changed_at", "reason"]

    def has_add_permission(self, request):
        return False


class EffectiveDatedRateAdmin(SimpleHistoryAdmin):
    """Rates that took effect are history: not editable, not deletable (see the model's clean())."""

    date_hierarchy = "effective_from"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.effective_from <= dates.shanghai_today():
            return [f.name for f in self.model._meta.fields]
        return ["created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.effective_from > dates.shanghai_today()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CommissionRate)
class CommissionRateAdmin(EffectiveDatedRateAdmin):
    list_display = ["category", "rate", "effective_from", "created_by", "created_at"]
    list_filter = ["category", "effective_from"]
    search_fields = ["category__slug", "category__name_zh", "category__name_en"]
    list_select_related = ["category", "created_by"]


@admin.register(ProcurementRate)
class ProcurementRateAdmin(EffectiveDatedRateAdmin):
    list_display = ["rate", "effective_from", "created_by", "created_at"]


@admin.register(IncentiveTier)
class IncentiveTierAdmin(SimpleHistoryAdmin):
    list_display = ["min_monthly_sales", "bonus"]
