"""The review page's forms: filters, one decision, a bulk clear, a rule's settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FlagStatus, Rule, Severity
from .rules import RULE_PARAMS, RuleConfig
from .services import MAX_REASON


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *FlagStatus.choices], initial=FlagStatus.OPEN
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=[("", _("All rules")), *Rule.choices])
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=[("", _("All")), *Severity.choices])
    county = forms.ChoiceField(label=_("County"), required=False)
    partner = forms.IntegerField(label=_("Partner (id)"), required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("All counties"))] + [(c.code, c.name) for c in counties]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("clear", _("Clear"))], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for your decision.")},
    )


class BulkClearForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), choices=Rule.choices)
    county = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        error_messages={"required": _("Give the reason for your decision.")},
    )


class RuleSettingForm(forms.Form):
    """One rule: enabled, severity and its thresholds (fields named after them)."""

    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)

    def __init__(self, *args, config: RuleConfig, **kwargs):
        kwargs.setdefault(
            "initial",
            {"enabled": config.enabled, "severity": config.severity, **config.params},
        )
        kwargs.setdefault("prefix", config.rule)
        super().__init__(*args, **kwargs)
        self.rule = config.rule
        for param in RULE_PARAMS[config.rule]:
            self.fields[param.name] = forms.DecimalField(
                label=param.label,
                min_value=param.minimum,
                max_value=1_000_000_000,
                decimal_places=0 if param.integer else 2,
                max_digits=12,
            )
