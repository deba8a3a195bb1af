"""Forms of the dashboards and county profiles: the period picker and the profile editor."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import County
from .selectors import DEFAULT_PERIOD, PERIOD_CHOICES, Period, custom_period, preset_period
from .services import county_profile_fields_for


class PeriodForm(forms.Form):
    """The period picker of the dashboards, and the ``from``/``to`` query of the API.

    A preset ending yesterday (last 7 / 30 days, this month, this year), or a custom
    ``from``–``to`` (YYYY-MM-DD, at most two years). Dates alone mean a custom period;
    nothing at all means the last 30 days. The previous period is the same length just before.
    """

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two are added by name.
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": _("Enter a day as YYYY-MM-DD.")},
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": _("Enter a day as YYYY-MM-DD.")},
        )
        self._period: Period | None = None

    def clean(self):
        data = super().clean()
        key = data.get("period") or ""
        start, end = data.get("from"), data.get("to")
        if self.errors:
            return data
        if key == "custom" or (not key and (start or end)):
            self._period = custom_period(start, end)
        else:
            self._period = preset_period(key or DEFAULT_PERIOD)
        return data

    @property
    def chosen_period(self) -> Period:
        """The valid period, or the default one (the page shows the errors beside it)."""
        if self.is_bound and self.is_valid() and self._period is not None:
            return self._period
        return preset_period(DEFAULT_PERIOD)


def period_form_for(query) -> PeriodForm:
    """A bound form from a query string (an empty query is the default period)."""
    return PeriodForm(query or {"period": DEFAULT_PERIOD})


class CountyProfileForm(forms.ModelForm):
    """The profile editor: only the fields the editor may change are on the form."""

    class Meta:
        model = County
        fields = [
            "profile",
            "characteristic_products",
            "partner_office",
            "name",
            "name_en",
            "code",
            "region",
            "economic_focus",
            "is_poverty_county",
            "partnership_since",
            "yearly_sales_target",
        ]
        widgets = {
            "profile": forms.Textarea(attrs={"rows": 8}),
            "partnership_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = county_profile_fields_for(user)
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]
        if "yearly_sales_target" in self.fields:
            self.fields["yearly_sales_target"].min_value = 0
            self.fields["yearly_sales_target"].validators.append(MinValueValidator(0))
