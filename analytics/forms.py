"""Forms of the dashboards: the period picker (pages) and the ``from``/``to`` query (API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .periods import DEFAULT_PERIOD, PERIOD_CHOICES, Period, custom_period, preset_period


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
