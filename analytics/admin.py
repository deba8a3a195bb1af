"""Admin pages of the nightly tables: read-only (the nightly run writes them)."""

from django.contrib import admin

from rural_taobao.read_only_admin import ReadOnlyAdmin

from .models import (
    CommissionEntry,
    CountyDay,
    CountyOnlineRetailMonth,
    CountySummary,
    Dispute,
    MonthlyStatement,
    NationalDay,
    PartnerDailyIncome,
    ProvinceDay,
    RollupRun,
)


@admin.register(CountySummary)
class CountySummaryAdmin(ReadOnlyAdmin):
    list_display = ["county", "as_of", "trailing_12m_sales", "prior_12m_sales", "year_to_date_sales",
                    "is_billion_yuan", "national_rank", "provincial_rank"]  # fmt: skip
    list_filter = ["is_billion_yuan", "county__region", "county__is_poverty_county"]
    search_fields = ["county__code", "county__name"]
    list_select_related = ["county"]
    ordering = ["national_rank"]


@admin.register(CountyOnlineRetailMonth)
class CountyOnlineRetailMonthAdmin(ReadOnlyAdmin):
    """Written by the import only (/dashboard/online-sales/import/, import_county_online_sales)."""

    list_display = ["county", "month", "online_retail_sales", "imported_at", "source"]
    list_filter = ["month"]
    search_fields = ["county__code", "county__name"]
    list_select_related = ["county"]
    ordering = ["-month", "county__code"]


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "trigger", "status", "finished_at", "days_done", "first_day", "last_day",
                    "rows_written", "duration_seconds"]  # fmt: skip
    list_filter = ["status", "trigger"]


@admin.register(CountyDay)
class CountyDayAdmin(ReadOnlyAdmin):
    list_display = ["county", "day", "sales", "returns", "orders", "returned_orders", "buyers", "active_partners"]
    search_fields = ["county__code"]
    list_select_related = ["county"]
    ordering = ["-day", "county__code"]


@admin.register(ProvinceDay)
class ProvinceDayAdmin(ReadOnlyAdmin):
    list_display = ["province", "day", "sales", "returns", "orders", "buyers", "active_partners"]
    list_filter = ["province"]
    list_select_related = ["province"]
    ordering = ["-day", "province__code"]


@admin.register(NationalDay)
class NationalDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "sales", "returns", "orders", "buyers", "active_partners"]
    ordering = ["-day"]


@admin.register(PartnerDailyIncome)
class PartnerDailyIncomeAdmin(ReadOnlyAdmin):
    list_display = ["partner", "day", "orders", "sales", "returned_sales", "commission", "reversals"]
    list_filter = ["day"]
    search_fields = ["partner__real_name", "partner__phone"]
    list_select_related = ["partner"]
    date_hierarchy = "day"


@admin.register(MonthlyStatement)
class MonthlyStatementAdmin(ReadOnlyAdmin):
    list_display = ["partner", "month", "status", "commission", "incentive", "clawbacks", "adjustments", "total"]
    list_filter = ["status", "month"]
    search_fields = ["partner__real_name", "partner__phone"]
    list_select_related = ["partner"]


@admin.register(CommissionEntry)
class CommissionEntryAdmin(ReadOnlyAdmin):
    list_display = ["partner", "month", "day", "kind", "order", "amount", "concerns_month"]
    list_filter = ["kind", "month"]
    search_fields = ["order__order_no", "partner__real_name"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["partner", "statement", "order", "status", "amount", "created_at", "resolved_at"]
    list_filter = ["status"]
