"""Provinces → counties → villages → service points, and who staffs which county."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rural_taobao.money import money_field
from rural_taobao.phones import MOBILE_PHONE_REGEX, mobile_phone_validator

county_code_validator = RegexValidator(r"^\d{6}$", _("An administrative code is exactly six digits."))
province_code_validator = RegexValidator(r"^\d{2}$", _("A province code is two digits."))
# A service point's stable code: its county's administrative code, a dash, four digits
# numbered within the county (410225-0007). It never changes, whoever runs the point.
SERVICE_POINT_CODE_REGEX = r"^[0-9]{6}-[0-9]{4}$"


class Region(models.TextChoices):
    EAST = "east", _("East")
    CENTRAL = "central", _("Central")
    WEST = "west", _("West")
    NORTHEAST = "northeast", _("Northeast")


class EconomicFocus(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    TOURISM = "tourism", _("Tourism")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    HANDICRAFT = "handicraft", _("Handicraft")
    MIXED = "mixed", _("Mixed")


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True, validators=[province_code_validator])
    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}$"), name="province_code_two_digits"),
            models.CheckConstraint(condition=Q(region__in=Region.values), name="province_region_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the page's language: the English one on English pages where known."""
        return in_page_language(self.name, self.name_en)


def in_page_language(name: str, name_en: str) -> str:
    """``name_en`` when the active language is English and it is known, else ``name``."""
    return name_en if name_en and (get_language() or "").startswith("en") else name


class County(models.Model):
    code = models.CharField(_("administrative code"), max_length=6, unique=True, validators=[county_code_validator])
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="counties", verbose_name=_("province")
    )
    region = models.CharField(_("region"), max_length=10, choices=Region.choices)
    economic_focus = models.CharField(
        _("economic focus"), max_length=15, choices=EconomicFocus.choices, default=EconomicFocus.MIXED
    )
    characteristic_products = models.CharField(_("characteristic products"), max_length=300, blank=True)
    profile = models.TextField(_("profile"), blank=True)
    is_poverty_county = models.BooleanField(_("national poverty county"), default=False)
    partnership_since = models.DateField(_("government partnership since"), null=True, blank=True)
    partner_office = models.CharField(_("partner office"), max_length=200, blank=True)
    yearly_sales_target = money_field(verbose_name=_("yearly sales target (yuan)"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CountyStaffAssignment",
        through_fields=("county", "user"),
        related_name="assigned_counties",
        blank=True,
        verbose_name=_("county staff"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="county_code_six_digits"),
            models.CheckConstraint(condition=Q(region__in=Region.values), name="county_region_valid"),
            models.CheckConstraint(condition=Q(economic_focus__in=EconomicFocus.values), name="county_focus_valid"),
            models.CheckConstraint(condition=Q(yearly_sales_target__gte=0), name="county_target_not_negative"),
        ]
        indexes = [models.Index(fields=["province", "code"])]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def local_name(self) -> str:
        """The county's name in the page's language: "Lankao County" on English pages
        where the English name is known, 兰考县 otherwise (never both in one heading)."""
        return in_page_language(self.name, self.name_en)


class Village(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="villages", verbose_name=_("county"))
    name = models.CharField(_("name"), max_length=60)
    township = models.CharField(_("township"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="village_name_unique_in_county"),
        ]

    def __str__(self):
        return self.name


class ServicePoint(models.Model):
    """A village's station. Its history outlives any one partner who runs it: its code
    stays, and ``partners.ServicePointTenure`` records who ran it when."""

    code = models.CharField(
        _("service point code"),
        max_length=11,
        unique=True,
        editable=False,
        help_text=_("County code and a number within the county, e.g. 410225-0007; it never changes."),
    )
    village = models.OneToOneField(
        Village, on_delete=models.PROTECT, related_name="service_point", verbose_name=_("village")
    )
    address = models.CharField(_("address"), max_length=200)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["village__county__code", "village__name"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="service_point_closes_after_opening",
            ),
            models.CheckConstraint(condition=Q(code__regex=SERVICE_POINT_CODE_REGEX), name="service_point_code_format"),
        ]

    def __str__(self):
        return f"{self.village} — {self.address}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class CountyStaffAssignment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="county_assignments")
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="staff_assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("county staff assignment")
        verbose_name_plural = _("county staff assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "county"], name="county_staff_assignment_unique"),
        ]

    def __str__(self):
        return f"{self.user} → {self.county}"


class StaffPhone(models.Model):
    """The mobile number of a staff login (county staff or admin), when they gave one: the
    integrity checks flag orders logged for a villager with a staff member's phone."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_phone")
    phone = models.CharField(_("mobile phone"), max_length=11, unique=True, validators=[mobile_phone_validator])

    class Meta:
        verbose_name = _("staff mobile phone")
        verbose_name_plural = _("staff mobile phones")
        constraints = [
            models.CheckConstraint(condition=Q(phone__regex=MOBILE_PHONE_REGEX), name="staff_phone_mainland_mobile"),
        ]

    def __str__(self):
        return f"{self.user} {self.phone}"


# ── County profile history ───────────────────────────────────────────────────


class CountyProfileEdit(models.Model):
    """One edit of a county's profile: who, when, and each changed field's old and new value.

    Written by ``counties.services.county_profile_update`` in the same transaction as the
    change; shown on the county profile page.
    """

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="profile_edits")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)
    # {"field name": {"old": "…", "new": "…"}}, values as the profile page shows them.
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        ordering = ["-edited_at", "-id"]
        verbose_name = _("county profile edit")
        verbose_name_plural = _("county profile edits")
        indexes = [models.Index(fields=["county", "-edited_at"], name="county_profile_edit_idx")]

    def __str__(self):
        return f"{self.county_id} {self.edited_at:%Y-%m-%d %H:%M}"
