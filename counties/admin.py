from django.contrib import admin

from .models import County, CountyStaffAssignment, Province, ServicePoint, Village


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


class ServicePointInline(admin.StackedInline):
    model = ServicePoint
    extra = 0


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "township", "county"]
    list_filter = ["county__region", "county__province"]
    search_fields = ["name", "township", "county__name", "county__code"]
    list_select_related = ["county"]
    autocomplete_fields = ["county"]
    inlines = [ServicePointInline]


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["village", "address", "opened_on", "closed_on"]
    list_filter = ["village__county__province", ("closed_on", admin.EmptyFieldListFilter)]
    search_fields = ["address", "village__name", "village__county__name"]
    list_select_related = ["village__county"]
    autocomplete_fields = ["village"]


@admin.register(CountyStaffAssignment)
class CountyStaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "county", "assigned_at", "assigned_by"]
    list_filter = ["county__province"]
    search_fields = ["user__username", "county__name", "county__code"]
    list_select_related = ["user", "county", "assigned_by"]
    autocomplete_fields = ["user", "county"]
