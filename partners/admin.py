from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Partner, PartnerStatusChange


class PartnerStatusChangeInline(admin.TabularInline):
    model = PartnerStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]

    def has_add_permission(self, request, obj=None):
        # Status changes are written by the onboarding services only.
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
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
