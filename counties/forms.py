"""Forms of the county profiles: the profile editor."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator

from .models import County
from .services import county_profile_fields_for


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
