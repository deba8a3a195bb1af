from django.contrib import admin
from django.db import transaction

from rural_taobao.read_only_admin import ReadOnlyAdmin

from .models import County, CountyProfileEdit, CountyStaffAssignment, Province, ServicePoint, StaffPhone, Village
from .services import ADMIN_PROFILE_FIELDS, county_profile_record, profile_changes, service_point_next_code


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name", "name_en"]


class CountyStaffInline(admin.TabularInline):
    model = CountyStaffAssignment
    fk_name = "county"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["assigned_at", "assigned_by"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province", "region", "economic_focus", "is_poverty_county", "yearly_sales_target"]
    list_filter = ["region", "economic_focus", "is_poverty_county", "province"]
    search_fields = ["code", "name", "name_en", "characteristic_products"]
    list_select_related = ["province"]
    inlines = [CountyStaffInline]

    def save_model(self, request, obj, form, change):
        """An edit here is recorded in the county's profile history like one on the profile page."""
        if not change:
            return super().save_model(request, obj, form, change)
        before = County.objects.filter(pk=obj.pk).values(*ADMIN_PROFILE_FIELDS).get()
        super().save_model(request, obj, form, change)
        after = {name: getattr(obj, name) for name in ADMIN_PROFILE_FIELDS}
        county_profile_record(county=obj, by_user=request.user, changes=profile_changes(before, after))


class ServicePointInline(admin.StackedInline):
    model = ServicePoint
    extra = 0
    readonly_fields = ["code"]


def _with_code(point: ServicePoint) -> None:
    # A new point takes its county's next code; a point's code never changes afterwards.
    if not point.code:
        point.code = service_point_next_code(point.village.county)


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "township", "county"]
    list_filter = ["county__region", "county__province"]
    search_fields = ["name", "township", "county__name", "county__code"]
    list_select_related = ["county"]
    autocomplete_fields = ["county"]
    inlines = [ServicePointInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is ServicePoint:
            with transaction.atomic():
                for point in formset.save(commit=False):
                    _with_code(point)
                    point.save()
                for point in formset.deleted_objects:
                    point.delete()
            return
        super().save_formset(request, form, formset, change)


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["code", "village", "address", "opened_on", "closed_on"]
    readonly_fields = ["code"]
    list_filter = ["village__county__province", ("closed_on", admin.EmptyFieldListFilter)]
    search_fields = ["code", "address", "village__name", "village__county__name"]
    list_select_related = ["village__county"]
    autocomplete_fields = ["village"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            _with_code(obj)
            super().save_model(request, obj, form, change)


@admin.register(CountyStaffAssignment)
class CountyStaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "county", "assigned_at", "assigned_by"]
    list_filter = ["county__province"]
    search_fields = ["user__username", "county__name", "county__code"]
    list_select_related = ["user", "county", "assigned_by"]
    autocomplete_fields = ["user", "county"]


@admin.register(StaffPhone)
class StaffPhoneAdmin(admin.ModelAdmin):
    """A staff login's mobile number (the integrity checks compare villagers' phones with it)."""

    list_display = ["user", "phone"]
    search_fields = ["user__username", "phone"]
    autocomplete_fields = ["user"]


# ── Profile history: read-only (the profile service writes it) ──


@admin.register(CountyProfileEdit)
class CountyProfileEditAdmin(ReadOnlyAdmin):
    list_display = ["county", "edited_at", "edited_by", "changes"]
    search_fields = ["county__code", "county__name", "edited_by__username"]
    list_select_related = ["county", "edited_by"]
