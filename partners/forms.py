"""Forms of the public application and the onboarding workspace. They validate input; services decide."""

from __future__ import annotations

import re
from itertools import groupby

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from counties.models import County, Village
from rural_taobao.phones import is_mobile_phone, mobile_phone_validator, normalize_phone

from .importing import IMPORT_STATUS_CHOICES
from .models import Partner, PartnerStatus
from .selectors import application_counties, villages_of_county
from .services import REASON_REQUIRED_STATUSES

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


class ApplicationForm(forms.Form):
    real_name = forms.CharField(label=_("Your name"), max_length=50)
    phone = MobilePhoneField(label=_("Mobile phone"))
    county = forms.ModelChoiceField(
        label=_("County"), queryset=County.objects.all(), to_field_name="code", empty_label=_("Choose your county")
    )
    # Validated against every village, then checked against the county in clean():
    # a clear "not in this county" beats Django's "select a valid choice".
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.all(), empty_label=_("Choose"))
    previous_occupation = forms.CharField(label=_("What do you do now?"), max_length=100, required=False)
    motivation = forms.CharField(
        label=_("Why do you want to be a village partner?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
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
        self.fields["county"].choices = [("", _("Choose your county"))] + [
            (province.name, [(c.code, c.name) for c in group])
            for province, group in groupby(counties, key=lambda c: c.province)
        ]
        self.selected_county = county or self._county_from_data()
        villages = villages_of_county(self.selected_county)
        self.fields["village"].choices = [("", _("Choose your village"))] + [(v.pk, str(v)) for v in villages]
        self.fields["real_name"].widget.attrs["autocomplete"] = "name"

    def _county_from_data(self) -> County | None:
        code = (self.data.get(self.add_prefix("county")) if self.is_bound else None) or self.initial.get("county")
        if not code:
            return None
        return County.objects.filter(code=code).first()

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if Partner.objects.filter(phone=phone).exists():
            raise ValidationError(
                _("This mobile number has already applied. We will contact you about it."), code="already_applied"
            )
        return phone

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

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to_status") in REASON_REQUIRED_STATUSES and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give a reason for this change."))
        return cleaned


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


class StaffCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=User._meta.get_field("username").validators,
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to get a one-time link at which they set their own password."),
    )
    counties = forms.CharField(
        label=_("County codes"),
        max_length=2000,
        help_text=_("One or more six-digit county codes, separated by spaces or commas."),
        widget=forms.TextInput(attrs={"list": "county-codes", "inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exists():
            raise ValidationError(_("This username is taken: add counties to the existing staff login below."))
        if is_mobile_phone(username):
            # Mobile numbers are partners' usernames; keep the two kinds of login apart.
            raise ValidationError(_("A mobile number is reserved for a partner's login; choose another username."))
        return username

    def clean_counties(self):
        codes = [code for code in re.split(r"[\s,;，、]+", self.cleaned_data["counties"]) if code]
        found = {county.code: county for county in County.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(_("Unknown county code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
        if not codes:
            raise ValidationError(_("Give at least one county code."))
        return [found[code] for code in dict.fromkeys(codes)]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                validate_password(password, User(username=cleaned.get("username", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class StaffAssignForm(forms.Form):
    county = forms.ModelChoiceField(
        label=_("County code"),
        queryset=County.objects.all(),
        to_field_name="code",
        widget=forms.TextInput(
            attrs={"list": "county-codes", "inputmode": "numeric", "autocomplete": "off", "size": 8}
        ),
        error_messages={"invalid_choice": _("Unknown county code.")},
    )
