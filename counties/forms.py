"""Forms of the geography layer: the county profile editor and county staff logins."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from rural_taobao.phones import is_mobile_phone

from .models import County
from .services import county_profile_fields_for

# Text that took someone a while to write: emptying it is asked about first.
ASK_BEFORE_CLEARING = ("profile", "characteristic_products")


class CountyProfileForm(forms.ModelForm):
    """The profile editor: only the fields the editor may change are on the form.

    Emptying the profile text or the characteristic products is not saved at once: the
    form comes back with the question and a "yes, clear" box, ``confirm_clear`` (no script
    needed; not a county field, so it is read from the data)."""

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
        self.clearing: list[str] = []

    @property
    def profile_fields(self) -> list[str]:
        """The county's fields on the form (not the confirmation box)."""
        return list(self.fields)

    @property
    def confirmed_clearing(self) -> bool:
        return self.is_bound and self.data.get("confirm_clear") in ("on", "1", "true")

    def clean(self):
        cleaned = super().clean()
        self.clearing = [
            str(self.fields[name].label)
            for name in ASK_BEFORE_CLEARING
            if name in self.fields and (self.initial.get(name) or "").strip() and not (cleaned.get(name) or "").strip()
        ]
        if self.clearing and not self.confirmed_clearing:
            raise ValidationError(
                _("Saving this empties %(fields)s. Tick “Yes, clear them” and save again, or put the text back.")
                % {"fields": "、".join(self.clearing) if _is_chinese() else ", ".join(self.clearing)},
                code="confirm_clear",
            )
        return cleaned


def _is_chinese() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("zh")


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
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        help_text=_("Optional. Orders logged for a villager with a staff member's number are flagged for review."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            ("staff", _("County staff: the county's figures and reviews")),
            ("centre", _("County centre: receives and dispatches parcels")),
        ],
        initial="staff",
        required=False,
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
