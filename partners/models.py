"""Village partners and the history of their onboarding status."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rural_taobao import dates
from rural_taobao.money import money_field
from rural_taobao.phones import MOBILE_PHONE_REGEX, mobile_phone_validator


class PartnerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REVIEWING = "reviewing", _("Under review")
    APPROVED = "approved", _("Approved")
    TRAINING = "training", _("In training")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed training")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Legal onboarding transitions: from-status → the statuses it may move to.
PARTNER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PartnerStatus.APPLIED: (PartnerStatus.REVIEWING, PartnerStatus.REJECTED),
    PartnerStatus.REVIEWING: (PartnerStatus.APPROVED, PartnerStatus.REJECTED),
    PartnerStatus.APPROVED: (PartnerStatus.TRAINING, PartnerStatus.WITHDRAWN),
    PartnerStatus.TRAINING: (PartnerStatus.ACTIVE, PartnerStatus.FAILED, PartnerStatus.WITHDRAWN),
    PartnerStatus.ACTIVE: (PartnerStatus.SUSPENDED, PartnerStatus.EXITED),
    PartnerStatus.SUSPENDED: (PartnerStatus.ACTIVE, PartnerStatus.EXITED),
    # The endings. From them the way back is a new application through /apply/
    # (``partners.services.partner_reapply``), never an admin's status change.
    PartnerStatus.EXITED: (),
    PartnerStatus.REJECTED: (),
    PartnerStatus.FAILED: (),
    PartnerStatus.WITHDRAWN: (),
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
    # Where the village's service point will be, as given in the application or the
    # import file; used when activation has to create the service point.
    service_point_address = models.CharField(_("service point address"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("applied at"))
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    exited_at = models.DateTimeField(_("exited at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"))
    # When the current application began, for someone who applied again after an ending
    # (rejected, failed, withdrawn, exited); empty for a first application. Training
    # results from before it belong to the earlier application (``training.current_application_q``).
    # ``applied_at`` stays the first application: the funnel measures application → first activation.
    reapplied_at = models.DateTimeField(_("applied again at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["status_changed_at"])

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
    # A reapplication's change (an ending → applied) keeps the details of the application it
    # replaced: real_name, village (id and name), previous_occupation, motivation,
    # service_point_address. Empty for every other change.
    previous_application = models.JSONField(_("previous application"), null=True, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("partner status change")
        verbose_name_plural = _("partner status changes")
        indexes = [models.Index(fields=["partner", "changed_at"])]

    def __str__(self):
        return f"{self.partner}: {self.from_status or '∅'} → {self.to_status}"


class ServicePointTenure(models.Model):
    """The time one partner ran one service point: from their activation there until they
    exited (open while they hold it, suspended or not). A service point's tenures are its
    history of partners; a replacement closes one and opens the next in one transaction."""

    service_point = models.ForeignKey(
        "counties.ServicePoint", on_delete=models.PROTECT, related_name="tenures", verbose_name=_("service point")
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="tenures", verbose_name=_("partner"))
    started = models.DateTimeField(_("started"))
    ended = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["service_point", "-started", "-id"]
        verbose_name = _("service point tenure")
        verbose_name_plural = _("service point tenures")
        constraints = [
            # One partner runs a service point at a time: at most one open tenure per point.
            models.UniqueConstraint(
                fields=["service_point"], condition=Q(ended__isnull=True), name="one_open_tenure_per_service_point"
            ),
            # And a partner runs one service point at a time.
            models.UniqueConstraint(
                fields=["partner"], condition=Q(ended__isnull=True), name="one_open_tenure_per_partner"
            ),
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(ended__gte=F("started")), name="tenure_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["partner", "started"], name="tenure_partner_started_idx")]

    def __str__(self):
        return f"{self.service_point_id} {self.partner_id} {self.started:%Y-%m-%d}–{self.ended or ''}"


# ── Training ─────────────────────────────────────────────────────────────────


class Course(models.Model):
    """A course of the partners' training. A partner in training becomes active only after
    passing every required one (a score at or above its pass mark in a session attended)."""

    name = models.CharField(_("course"), max_length=100, unique=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    required = models.BooleanField(_("required"), default=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), default=60, help_text=_("0–100"))

    class Meta:
        ordering = ["-required", "name"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="course_pass_mark_0_100"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self):
        return self.name


class TrainingSession(models.Model):
    """One day a course was taught in a county, and by whom."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    county = models.ForeignKey(
        "counties.County", on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("county")
    )
    date = models.DateField(_("date"))
    trainer = models.CharField(_("trainer"), max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["county", "date"], name="training_session_county_idx")]

    def __str__(self):
        return f"{self.course} {self.date:%Y-%m-%d}"


class TrainingResult(models.Model):
    """A partner's attendance and assessment score in one session (recorded again: replaced)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="results")
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="training_results", verbose_name=_("partner")
    )
    attended = models.BooleanField(_("attended"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["session", "partner"]
        verbose_name = _("training result")
        verbose_name_plural = _("training results")
        constraints = [
            models.UniqueConstraint(fields=["session", "partner"], name="training_result_one_per_session"),
            models.CheckConstraint(condition=Q(score__lte=100), name="training_score_0_100"),
            # Nobody is scored in a session they missed.
            models.CheckConstraint(
                condition=Q(attended=True) | Q(score__isnull=True), name="training_score_needs_attendance"
            ),
        ]
        indexes = [models.Index(fields=["partner", "session"], name="training_result_partner_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.session_id}: {self.score}"

    @property
    def passed(self) -> bool:
        """Attended and scored at or above the course's pass mark (``training.passed_q`` in SQL)."""
        return self.attended and self.score is not None and self.score >= self.session.course.pass_mark


# ── Background jobs (cohort activation) ─────────────────────────────────────


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long piece of work run by a Celery task, watched through ``/api/v1/jobs/{id}/``:
    ``done`` of ``total`` items so far, and one result per item (``{"partner", "ok",
    "error"}`` for a cohort activation)."""

    kind = models.CharField(_("kind"), max_length=30)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(_("items"))
    done = models.PositiveIntegerField(_("items done"), default=0)
    payload = models.JSONField(default=list)  # what to work on (the partners' ids)
    results = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status_valid"),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="job_done_at_most_total"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def progress(self) -> int:
        """Percent done, 0–100."""
        return 100 if not self.total else int(100 * self.done / self.total)


class SetPasswordLink(models.Model):
    """A short one-time link (``/s/<code>/``) to a login's set-password page, short enough
    for an SMS and a QR code: it opens Django's token link made at that moment, works until
    the password is set, and ends after ``expires_at``."""

    code = models.CharField(max_length=16, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("set-password link")
        verbose_name_plural = _("set-password links")
        indexes = [models.Index(fields=["user"], name="set_password_link_user_idx")]

    def __str__(self):
        return f"/s/{self.code[:3]}… for {self.user_id}"


# ── Commission rules and partner income ──────────────────────────────────────


def refuse_rewriting_the_past(rate) -> None:
    """A rate is effective-dated: a new rate starts today or later, and a rate that has
    taken effect is never edited (add a new one from a later day instead). Future rates
    may be edited freely."""
    today = dates.shanghai_today()
    if rate.pk is None:
        if rate.effective_from and rate.effective_from < today:
            raise ValidationError({"effective_from": _("A new rate starts today or later; past days keep their rate.")})
        return
    original = type(rate).objects.filter(pk=rate.pk).values_list("effective_from", flat=True).first()
    if original is not None and original <= today:
        raise ValidationError(
            _("This rate is already in force and cannot be changed; add a new rate from a later day.")
        )
    if rate.effective_from and rate.effective_from < today:
        raise ValidationError({"effective_from": _("A rate cannot be moved into the past.")})


class CommissionRate(models.Model):
    """A category's commission rate from a Shanghai day on. History is kept: a new rate
    is a new row; only rates that have not taken effect yet may be edited."""

    category = models.ForeignKey(
        "orders.Category", on_delete=models.PROTECT, related_name="commission_rates", verbose_name=_("category")
    )
    rate = models.DecimalField(_("rate"), max_digits=5, decimal_places=4, help_text=_("0.0300 = 3%"))
    effective_from = models.DateField(_("effective from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "-effective_from"]
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        constraints = [
            models.UniqueConstraint(fields=["category", "effective_from"], name="commission_rate_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte="0.5"), name="commission_rate_range"),
        ]

    history = HistoricalRecords()

    def __str__(self):
        return f"{self.category}: {self.rate:.2%} from {self.effective_from}"

    def clean(self):
        refuse_rewriting_the_past(self)


class ProcurementRate(models.Model):
    """The commission rate of government procurement orders (one rate for all categories)."""

    rate = models.DecimalField(_("rate"), max_digits=5, decimal_places=4)
    effective_from = models.DateField(_("effective from"), unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("procurement commission rate")
        verbose_name_plural = _("procurement commission rates")
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte="0.5"), name="procurement_rate_range"),
        ]

    history = HistoricalRecords()

    def __str__(self):
        return f"{self.rate:.2%} from {self.effective_from}"

    def clean(self):
        refuse_rewriting_the_past(self)


class IncentiveTier(models.Model):
    """A monthly bonus for reaching an assisted-purchase sales level; the highest tier reached is paid."""

    min_monthly_sales = money_field(
        verbose_name=_("monthly assisted-purchase sales at least"), default=models.NOT_PROVIDED, unique=True
    )
    bonus = money_field(verbose_name=_("bonus (yuan)"), default=models.NOT_PROVIDED)

    class Meta:
        ordering = ["min_monthly_sales"]
        verbose_name = _("incentive tier")
        verbose_name_plural = _("incentive tiers")
        constraints = [
            models.CheckConstraint(condition=Q(min_monthly_sales__gt=0), name="incentive_tier_threshold_positive"),
            models.CheckConstraint(condition=Q(bonus__gt=0), name="incentive_tier_bonus_positive"),
        ]

    history = HistoricalRecords()

    def __str__(self):
        return f"≥ {self.min_monthly_sales} → +{self.bonus}"


class PayoutAccountKind(models.TextChoices):
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("Bank card")


class PayoutAccount(models.Model):
    """Where a partner's commission is paid: an Alipay account or a bank card. Set by the
    partner (after re-entering their password) or by an admin; every change is kept."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="payout_account")
    holder_name = models.CharField(_("account holder"), max_length=50)
    kind = models.CharField(_("account type"), max_length=6, choices=PayoutAccountKind.choices)
    account = models.CharField(_("account"), max_length=50, help_text=_("Alipay account (phone or e-mail) or card number"))
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PayoutAccountKind.values), name="payout_account_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind="bank") | ~Q(bank_name=""), name="payout_bank_account_names_bank"
            ),
        ]

    def __str__(self):
        return f"{self.holder_name} {self.get_kind_display()} {self.masked_account}"

    @property
    def masked_account(self) -> str:
        value = self.account
        if "@" in value:
            name, _at, domain = value.partition("@")
            return f"{name[:2]}***@{domain}"
        if len(value) <= 7:
            return value[:1] + "*" * (len(value) - 1)
        return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


class PartnerTarget(models.Model):
    """A partner's sales target for one calendar month (``month`` is its first day), set by
    an admin or the county staff of the partner's county. Progress is the month's net
    sales (paid minus returned) against it."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="targets", verbose_name=_("partner"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    sales_target = money_field(verbose_name=_("sales target"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        ordering = ["partner", "-month"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="partner_target_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="partner_target_month_is_first_day"),
            models.CheckConstraint(condition=Q(sales_target__gt=0), name="partner_target_positive"),
        ]
        # The county dashboard's "behind target" list reads one month's targets.
        indexes = [models.Index(fields=["month"], name="partner_target_month_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.month:%Y-%m} {self.sales_target}"
