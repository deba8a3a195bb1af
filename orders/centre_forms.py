"""Forms of the county centre's workspace."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .parcels import MAX_NUMBERS, numbers_normalise


class ReceiveForm(forms.Form):
    numbers = forms.CharField(
        label=_("Tracking or order numbers"),
        max_length=MAX_NUMBERS * 45,
        widget=forms.Textarea(
            attrs={"rows": 6, "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("One per line: paste a list, or scan the parcels one after another."),
    )

    def clean_numbers(self):
        numbers = numbers_normalise(self.cleaned_data["numbers"])
        if not numbers:
            raise forms.ValidationError(_("Enter at least one number."))
        if len(numbers) > MAX_NUMBERS:
            raise forms.ValidationError(_("At most %(n)s numbers at once.") % {"n": MAX_NUMBERS})
        return numbers


class DispatchForm(forms.Form):
    service_points = forms.TypedMultipleChoiceField(
        label=_("Service points on this run"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the service points of the run.")},
    )

    def __init__(self, *args, overview=None, **kwargs):
        super().__init__(*args, **kwargs)
        rows = [row for row in (overview.service_points if overview else []) if row.at_centre and row.service_point_id]
        self.fields["service_points"].choices = [
            (
                row.service_point_id,
                _("%(village)s — %(n)s parcels") % {"village": row.village, "n": row.at_centre},
            )
            for row in rows
        ]


class HandOverForm(forms.Form):
    order_no = forms.CharField(label=_("Order number"), max_length=32)
    reason = forms.CharField(
        label=_("Why without the code"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the pickup, e.g. the villager lost their phone and showed their ID card."),
    )

    def clean_order_no(self):
        return self.cleaned_data["order_no"].strip().upper()
