from django.contrib import admin

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
    autocomplete_fields = ["user", "village", "service_point"]
    date_hierarchy = "applied_at"
    # Status moves through the onboarding workflow so that history is recorded.
    readonly_fields = ["status", "status_changed_at", "activated_at", "exited_at"]
    inlines = [PartnerStatusChangeInline]


@admin.register(PartnerStatusChange)
class PartnerStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["partner", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status", "from_status", "changed_at"]
    search_fields = ["partner__real_name", "partner__phone", "reason"]
    list_select_related = ["partner", "changed_by"]
    readonly_fields = ["partner", "from_status", "to_status", "changed_by", "changed_at", "reason"]

    def has_add_permission(self, request):
        return False
