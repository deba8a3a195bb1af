"""Order integrity: the rules the nightly checks apply, their thresholds (admins edit
them, every change recorded) and the flags they raise on orders, which county staff and
admins review.

An order has at most one flag per rule. An open flag holds the order's commission; a
cleared one releases it into the next statement; a confirmed one means the commission
is never paid (clawed back if it was) and the order leaves the sales figures.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Rule(models.TextChoices):
    SELF_DEALING = "self_dealing", _("Villager phone is a partner's or staff's")
    VILLAGER_BURST = "villager_burst", _("Too many orders for one villager")
    PRICE_OUTLIER = "price_outlier", _("Unit price far outside the category's range")
    BULK_QUANTITY = "bulk_quantity", _("Bulk quantity on an assisted purchase")
    TOO_FAST = "too_fast", _("Picked up too soon after payment")
    PARTNER_SPIKE = "partner_spike", _("Partner's sales spike")
    PROCUREMENT_CHECK = "procurement_check", _("Large government-procurement order")


class Severity(models.TextChoices):
    HIGH = "high", pgettext_lazy("severity", "High")
    MEDIUM = "medium", pgettext_lazy("severity", "Medium")
    LOW = "low", pgettext_lazy("severity", "Low")


SEVERITY_RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag status", "Open")
    CONFIRMED = "confirmed", pgettext_lazy("flag status", "Confirmed")
    CLEARED = "cleared", pgettext_lazy("flag status", "Cleared")


class RuleSetting(models.Model):
    """One rule's switch, severity and thresholds (``integrity.rules`` names and checks the
    thresholds each rule has; missing ones take the defaults there)."""

    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["rule"]
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        constraints = [
            models.CheckConstraint(condition=Q(rule__in=Rule.values), name="rule_setting_rule_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="rule_setting_severity_valid"),
        ]

    def __str__(self):
        return self.rule


class RuleSettingChange(models.Model):
    """The audit of the rules: who changed what, when, from what to what."""

    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")

    def __str__(self):
        return f"{self.rule} {self.changed_at:%Y-%m-%d %H:%M}"


class Flag(models.Model):
    """One rule's finding on one order. ``evidence`` holds the figures behind it (rendered
    in the reader's language by ``integrity.rules.flag_detail``); ``county`` and
    ``partner`` are the order's, kept here for scoping and filters."""

    # The foreign keys' own indexes are left out: the unique key (order, rule) and the
    # county and partner indexes below lead with them (a promotion day writes a million
    # flags, and every index is paid for on each).
    #
    # ``county`` and ``partner`` are copies of the order's, written only by the checks'
    # INSERT … SELECT that joins the order in: the database checks the order's foreign key,
    # not theirs (on a promotion day their two checks cost ~9 s of the ~27 s run, for a
    # value that comes from a row the order's key already proves). A county or partner with
    # orders cannot be deleted (the orders PROTECT them), so a flag's copies never dangle.
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="flags", db_index=False)
    county = models.ForeignKey(
        "counties.County", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    day = models.DateField(_("day checked"), help_text="The Shanghai day whose orders raised it.")
    evidence = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["order", "rule"], name="flag_one_per_order_and_rule"),
            models.CheckConstraint(condition=Q(rule__in=Rule.values), name="flag_rule_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="flag_severity_valid"),
            models.CheckConstraint(condition=Q(status__in=FlagStatus.values), name="flag_status_valid"),
            # A reviewed flag names when and why; an open one neither.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(reviewed_at__isnull=True))
                | (~Q(status="open") & Q(reviewed_at__isnull=False) & ~Q(reason="")),
                name="flag_review_has_time_and_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "status", "created_at"], name="flag_county_status_idx"),
            models.Index(fields=["status", "rule"], name="flag_status_rule_idx"),
            models.Index(fields=["partner", "status"], name="flag_partner_status_idx"),
            # Settlement: flags reviewed since the last night.
            models.Index(fields=["reviewed_at"], name="flag_reviewed_at_idx", condition=Q(reviewed_at__isnull=False)),
            # A reviewer's flags (and the reviewer's deletion): only reviewed flags name one.
            models.Index(fields=["reviewed_by"], name="flag_reviewed_by_idx", condition=Q(reviewed_by__isnull=False)),
        ]

    def __str__(self):
        return f"{self.rule} {self.order_id}"
