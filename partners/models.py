"""Village partners and the history of their onboarding status."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# A mainland China mobile number: 11 digits, 1 then 3–9.
MOBILE_PHONE_REGEX = r"^1[3-9][0-9]{9}$"
mobile_phone_validator = RegexValidator(
    MOBILE_PHONE_REGEX, _("Enter a mainland China mobile number: 11 digits starting with 13–19.")
)


class PartnerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REVIEWING = "reviewing", _("Under review")
    APPROVED = "approved", _("Approved")
    TRAINING = "training", _("In training")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")
    REJECTED = "rejected", _("Rejected")


# Legal onboarding transitions: from-status → the statuses it may move to.
PARTNER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PartnerStatus.APPLIED: (PartnerStatus.REVIEWING, PartnerStatus.REJECTED),
    PartnerStatus.REVIEWING: (PartnerStatus.APPROVED, PartnerStatus.REJECTED),
    PartnerStatus.APPROVED: (PartnerStatus.TRAINING,),
    PartnerStatus.TRAINING: (PartnerStatus.ACTIVE,),
    PartnerStatus.ACTIVE: (PartnerStatus.SUSPENDED, PartnerStatus.EXITED),
    PartnerStatus.SUSPENDED: (PartnerStatus.ACTIVE, PartnerStatus.EXITED),
    PartnerStatus.EXITED: (),
    PartnerStatus.REJECTED: (),
}


class Partner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner",
        verbose_name=_("login"),
    )
    real_name = models.CharField(_("real name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, unique=True, validators=[mobile_phone_validator])
    village = models.ForeignKey(
        "counties.Village", on_delete=models.PROTECT, related_name="partners", verbose_name=_("village")
    )
    service_point = models.ForeignKey(
        "counties.ServicePoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("service point"),
    )
    status = models.CharField(_("status"), max_length=12, choices=PartnerStatus.choices, default=PartnerStatus.APPLIED)
    previous_occupation = models.CharField(_("previous occupation"), max_length=100, blank=True)
    motivation = models.TextField(_("why they want to be a partner"), blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    exited_at = models.DateTimeField(_("exited at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"))

    class Meta:
        ordering = ["-applied_at"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            # One village has at most one active partner.
            models.UniqueConstraint(
                fields=["village"], condition=Q(status="active"), name="one_active_partner_per_village"
            ),
            models.CheckConstraint(condition=Q(phone__regex=MOBILE_PHONE_REGEX), name="partner_phone_mainland_mobile"),
            models.CheckConstraint(condition=Q(status__in=PartnerStatus.values), name="partner_status_valid"),
            # An active partner has a login and a service point.
            models.CheckConstraint(
                condition=~Q(status="active") | (Q(user__isnull=False) & Q(service_point__isnull=False)),
                name="active_partner_has_login_and_service_point",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "applied_at"]),
            models.Index(fields=["village", "status"]),
        ]

    def __str__(self):
        return f"{self.real_name} ({self.phone})"

    @property
    def county(self):
        return self.village.county

    @property
    def is_active(self) -> bool:
        return self.status == PartnerStatus.ACTIVE

    def legal_next_statuses(self) -> tuple[str, ...]:
        return PARTNER_TRANSITIONS[self.status]


class PartnerStatusChange(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=12, choices=PartnerStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=PartnerStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("partner status change")
        verbose_name_plural = _("partner status changes")
        indexes = [models.Index(fields=["partner", "changed_at"])]

    def __str__(self):
        return f"{self.partner}: {self.from_status or '∅'} → {self.to_status}"
