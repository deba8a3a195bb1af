"""Forms of the public application and the onboarding workspace. They validate input; services decide."""

from __future__ import annotations

from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from counties.models import County, Village
from rural_taobao.phones import mobile_phone_validator, normalize_phone

from .importing import IMPORT_STATUS_CHOICES
from .models import PartnerStatus
from .selectors import application_counties, villages_of_county

MAX_IMPORT_FILE_BYTES = 20 * 1024 * 1024


class MobilePhoneField(forms.CharField):
    """A mainland mobile number; spaces, dashes and +86 are forgiven."""

    default_validators = [mobile_phone_validator]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "tel", "pattern": r"[0-9 +\-]*", "placeholder": "138 0000 0000"}
        )

    def to_python(self, value):
        return normalize_phone(super().to_python(value))


def local_name(place) -> str:
    """A province's or county's name in the page's language: the English name on English
    pages when it has one."""
    language = get_language() or ""
    english = getattr(place, "name_en", "")
    return english if language.startswith("en") and english else place.name


class ApplicationForm(forms.Form):
    # Each required field says what it wants: five "This field is required" in a row read
    # as one error repeated (issue 19, point 22).
    real_name = forms.CharField(label=_("Your name"), max_length=50, error_messages={"required": _("Enter your name.")})
    phone = MobilePhoneField(label=_("Mobile phone"), error_messages={"required": _("Enter your mobile number.")})
    # Only for the browser's chained province → county select; the county decides.
    province = forms.ChoiceField(label=_("Province"), required=False)
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=County.objects.all(),
        to_field_name="code",
        empty_label=_("Choose your county"),
        error_messages={"required": _("Choose your county.")},
    )
    # Validated against every village, then checked against the county in clean():
    # a clear "not in this county" beats Django's "select a valid choice".
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Village.objects.all(),
        empty_label=_("Choose"),
        error_messages={"required": _("Choose your village.")},
    )
    previous_occupation = forms.CharField(label=_("What do you do now?"), max_length=100, required=False)
    motivation = forms.CharField(
        label=_("Why do you want to be a village partner?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Tell us in a few words why you want to be a village partner.")},
    )
    service_point_address = forms.CharField(
        label=_("Where could the service point be?"),
        max_length=200,
        required=False,
        help_text=_("For example a shop or a room near the village committee."),
    )

    def __init__(self, *args, county: County | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        counties = list(application_counties())
        # (province code, province name, [(county code, county name)]) in the page's language.
        self.county_groups = [
            (province.code, local_name(province), [(c.code, local_name(c)) for c in group])
            for province, group in groupby(counties, key=lambda c: c.province)
        ]
        self.fields["county"].choices = [("", _("Choose your county"))] + [
            (name, choices) for _code, name, choices in self.county_groups
        ]
        self.fields["province"].choices = [("", _("Choose your province"))] + [
            (code, name) for code, name, _choices in self.county_groups
        ]
        self.selected_county = county or self._county_from_data()
        self.selected_province = self.selected_county.province.code if self.selected_county else ""
        self.selected_county_name = local_name(self.selected_county) if self.selected_county else ""
        villages = list(villages_of_county(self.selected_county))
        self.villages_with_partner = sum(1 for v in villages if v.has_active_partner)
        self.fields["village"].choices = [("", _("Choose your village"))] + [
            (v.pk, _("%(village)s (has a partner)") % {"village": v.name} if v.has_active_partner else v.name)
            for v in villages
        ]
        self.fields["real_name"].widget.attrs["autocomplete"] = "name"

    def _county_from_data(self) -> County | None:
        code = (self.data.get(self.add_prefix("county")) if self.is_bound else None) or self.initial.get("county")
        if not code:
            return None
        return County.objects.filter(code=code).select_related("province").first()

    # No check that the phone is new: the form answers alike either way
    # (partners.applications.partner_application_submit).

    def clean(self):
        cleaned = super().clean()
        county, village = cleaned.get("county"), cleaned.get("village")
        if county and village and village.county_id != county.pk:
            self.add_error("village", _("This village is not in the county you chose."))
        return cleaned


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=PartnerStatus.choices, widget=forms.HiddenInput)
    expected_status = forms.ChoiceField(choices=PartnerStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Whether a reason is required is the service's rule (partner_transition): its
    # refusal comes back to the page like any other.


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: name/姓名, phone/手机号, county_code/县代码, village/村, "
            "previous_occupation/原职业, service_point_address/服务站地址."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    status = forms.ChoiceField(
        label=_("Imported partners enter the status"),
        choices=IMPORT_STATUS_CHOICES,
        initial=PartnerStatus.APPLIED,
        help_text=_("Later statuses record each step of the legal path, with the reason “imported”."),
    )
    create_villages = forms.BooleanField(
        label=_("Create villages that do not exist yet in a known county"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_FILE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        return upload
