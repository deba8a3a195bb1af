"""Forms of the partner figures: a month's sales target (page and API) and the ranking's
query (month, province, county, ordering)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from counties.models import County, Province
from rural_taobao import dates
from rural_taobao.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from .partner_performance import RANKING_ORDERING_CHOICES


def parse_month_or_none(value: str | None) -> dt.date | None:
    """'YYYY-MM' → its first day; None for anything else (an empty value too)."""
    if not value:
        return None
    try:
        month = dates.parse_month(value)
    except ValueError:
        return None
    return month if 2000 <= month.year <= 2100 else None


class MonthField(forms.Field):
    """A calendar month as YYYY-MM (2000–2100), cleaned to its first day."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "maxlength": 7}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        month = parse_month_or_none(str(value).strip())
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class SalesTargetField(forms.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(
            max_digits=MONEY_MAX_DIGITS,
            decimal_places=MONEY_DECIMAL_PLACES,
            min_value=Decimal("0.01"),
            error_messages={"min_value": _("The target must be more than zero.")},
            **kwargs,
        )


class PartnerTargetForm(forms.Form):
    month = MonthField(label=_("Month"))
    sales_target = SalesTargetField(label=_("Sales target (¥)"))


class SalesTargetInputForm(forms.Form):
    """The API's body (the month is in the path)."""

    sales_target = SalesTargetField(label=_("Sales target (¥)"))


class RankingForm(forms.Form):
    """The ranking's query; an empty month is last month (its statements are closed)."""

    month = MonthField(label=_("Month"), required=False)
    province = forms.ModelChoiceField(
        queryset=Province.objects.order_by("code"),
        to_field_name="code",
        required=False,
        label=_("Province"),
        empty_label=_("All"),
        error_messages={"invalid_choice": _("No such province.")},
    )
    county = forms.ModelChoiceField(
        queryset=County.objects.order_by("code"),
        to_field_name="code",
        required=False,
        label=_("County"),
        empty_label=_("All"),
        error_messages={"invalid_choice": _("No such county.")},
    )
    ordering = forms.ChoiceField(choices=RANKING_ORDERING_CHOICES, required=False, label=_("Rank by"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The county list of a page is long: the page asks for a code, the select is not rendered.
        self.fields["county"].widget = forms.TextInput(attrs={"placeholder": "410225", "inputmode": "numeric"})

    def clean_month(self):
        return self.cleaned_data.get("month") or dates.add_months(dates.this_month(), -1)

    def clean_ordering(self):
        return self.cleaned_data.get("ordering") or "sales"


class ReplacePartnerForm(forms.Form):
    """"Replace partner" on the partner's page: a successor among those who passed training
    (``orders.replacement.successor_candidates``) and why the partner leaves."""

    successor = forms.TypedChoiceField(label=_("Successor"), coerce=int, empty_value=None)
    reason = forms.CharField(
        label=_("Why the partner leaves"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = [("", _("— choose a trainee who passed —"))] + [
            (p.pk, f"{p.real_name} · {p.village.name}") for p in candidates
        ]
