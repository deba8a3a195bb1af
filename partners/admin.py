from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rural_taobao import dates

from .models import (
    CommissionRate,
    Course,
    IncentiveTier,
    Partner,
    PartnerStatusChange,
    PayoutAccount,
    ProcurementRate,
    TrainingResult,
    TrainingSession,
)
from .payout_accounts import clean_payout_account


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


class PayoutAccountAdminForm(forms.ModelForm):
    """The account rules of ``partners.payout_accounts`` (Alipay phone or e-mail, 12–19 digit card)."""

    class Meta:
        model = PayoutAccount
        fields = ["partner", "holder_name", "kind", "account", "bank_name"]

    def clean(self):
        cleaned = super().clean()
        try:
            values = clean_payout_account(
                holder_name=cleaned.get("holder_name", ""),
                kind=cleaned.get("kind", ""),
                account=cleaned.get("account", ""),
                bank_name=cleaned.get("bank_name", ""),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            cleaned.update(values)
        return cleaned


@admin.register(PayoutAccount)
class PayoutAccountAdmin(SimpleHistoryAdmin):
    """Admins see the full account here; every change is kept (History, with who)."""

    form = PayoutAccountAdminForm
    list_display = ["partner", "holder_name", "kind", "account", "bank_name", "updated_at", "updated_by"]
    list_filter = ["kind"]
    search_fields = ["partner__real_name", "partner__phone", "holder_name", "account"]
    list_select_related = ["partner", "updated_by"]
    autocomplete_fields = ["partner"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)  # sets obj._history_user


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "hours", "required", "pass_mark"]
    list_filter = ["required"]
    search_fields = ["name"]


class TrainingResultInline(admin.TabularInline):
    model = TrainingResult
    extra = 0
    fields = ["partner", "attended", "score", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    raw_id_fields = ["partner"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["date", "course", "county", "trainer"]
    list_filter = ["course"]
    search_fields = ["trainer", "county__name", "county__code"]
    raw_id_fields = ["county"]
    inlines = [TrainingResultInline]
