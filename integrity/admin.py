"""Admin pages of the integrity review: read-only (the checks and the review pages write
flags; the rules page writes settings with their audit)."""

from django.contrib import admin

from rural_taobao.read_only_admin import ReadOnlyAdmin

from .models import Flag, RuleSetting, RuleSettingChange


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "order", "county", "rule", "severity", "status", "created_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "rule", "severity"]
    raw_id_fields = ["order", "partner", "county"]
    search_fields = ["order__order_no"]


@admin.register(RuleSetting)
class RuleSettingAdmin(ReadOnlyAdmin):
    list_display = ["rule", "enabled", "severity", "params", "updated_at", "updated_by"]


@admin.register(RuleSettingChange)
class RuleSettingChangeAdmin(ReadOnlyAdmin):
    list_display = ["rule", "changed_at", "changed_by", "before", "after"]
