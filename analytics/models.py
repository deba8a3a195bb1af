"""The tables the nightly run derives from orders: which days wait for a rebuild, the
sales rollups that dashboards read, the runs themselves, and each partner's daily income
and monthly statement.

These models moved here from ``counties`` and ``partners`` (the analytics layer sits on
top of geography, partners and orders); each keeps its original table (``db_table``),
so no data was copied.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from counties.models import County, Province, Village
from partners.models import IncentiveTier, Partner
from rural_taobao.money import money_field


class RollupDirtyDay(models.Model):
    """A Shanghai day whose orders changed since its rollups were computed.

    Order services mark the day of every payment, cancellation and return; the nightly
    run recomputes exactly these days instead of rescanning history.
    """

    day = models.DateField(primary_key=True)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "counties_rollupdirtyday"
        verbose_name = _("day waiting for rollup")
        verbose_name_plural = _("days waiting for rollup")

    def __str__(self):
        return str(self.day)


# ── Sales rollups, written by the nightly run; dashboards read only these ────
#
# A sale counts on the Shanghai day its order was paid; a return (or a cancellation
# after payment) counts negative on its own day, so a finished day never changes.
# `sales` is gross paid, `returns` the reversed amount; net = sales − returns.
#
# Rollup rows are derived from orders whose references the database already enforces.
# Their foreign keys carry no constraint (db_constraint=False): checking them would lock
# every referenced county, village, villager and partner row on every nightly insert.


def _rollup_amount(verbose_name):
    return money_field(verbose_name=verbose_name, default=0)


class DayRollup(models.Model):
    """A row of figures for one Shanghai day."""

    day = models.DateField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.model_name} {self.day}"


class CountyDay(DayRollup):
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    sales = _rollup_amount(_("sales"))
    returns = _rollup_amount(_("returns"))
    commission = _rollup_amount(_("commission"))
    orders = models.IntegerField(default=0)
    returned_orders = models.IntegerField(default=0)
    buyers = models.IntegerField(default=0)
    active_partners = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_countyday"
        verbose_name = _("county day")
        verbose_name_plural = _("county days")
        constraints = [models.UniqueConstraint(fields=["county", "day"], name="county_day_unique")]
        indexes = [models.Index(fields=["day"], name="county_day_day_idx")]


class CountyCategoryChannelDay(DayRollup):
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    category = models.ForeignKey("orders.Category", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=25)
    sales = _rollup_amount(_("sales"))
    returns = _rollup_amount(_("returns"))
    commission = _rollup_amount(_("commission"))
    orders = models.IntegerField(default=0)
    returned_orders = models.IntegerField(default=0)
    buyers = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_countycategorychannelday"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "day", "category", "channel"], name="county_category_channel_day_unique"
            )
        ]
        indexes = [models.Index(fields=["day"], name="county_cat_day_day_idx")]


class VillageDay(DayRollup):
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    sales = _rollup_amount(_("sales"))
    returns = _rollup_amount(_("returns"))
    orders = models.IntegerField(default=0)
    buyers = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_villageday"
        constraints = [models.UniqueConstraint(fields=["village", "day"], name="village_day_unique")]
        indexes = [
            models.Index(fields=["county", "day"], name="village_day_county_idx"),
            models.Index(fields=["day"], name="village_day_day_idx"),
        ]


class CountyBuyerDay(DayRollup):
    """Which villagers bought in a county on a day: distinct buyers over any period come
    from here (one narrow row per buyer and day), never from the orders."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    villager = models.ForeignKey("orders.Villager", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        db_table = "counties_countybuyerday"
        constraints = [models.UniqueConstraint(fields=["county", "day", "villager"], name="county_buyer_day_unique")]
        indexes = [models.Index(fields=["day"], name="county_buyer_day_day_idx")]


# Month rows: the same figures over a calendar month (``month`` is its first day), kept
# equal to the month's day rows by the day's own rebuild, in its transaction: it takes
# the day's old rows out and puts the new ones in (cost follows the day, not the month).
# A long period (this year) reads a row a month for its whole months and day rows only
# for its edges.


class MonthRollup(models.Model):
    """A row of figures for one calendar month, derived from that month's day rows."""

    month = models.DateField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.model_name} {self.month:%Y-%m}"


class CountyCategoryChannelMonth(MonthRollup):
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    category = models.ForeignKey("orders.Category", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=25)
    sales = _rollup_amount(_("sales"))
    returns = _rollup_amount(_("returns"))
    commission = _rollup_amount(_("commission"))
    orders = models.IntegerField(default=0)
    returned_orders = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_countycategorychannelmonth"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month", "category", "channel"], name="county_category_channel_month_unique"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="county_category_month_first_day"),
        ]
        indexes = [models.Index(fields=["month"], name="county_cat_month_month_idx")]


class CountyBuyerMonth(MonthRollup):
    """Which villagers bought in a county in a month: distinct buyers of whole months."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    villager = models.ForeignKey("orders.Villager", on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        db_table = "counties_countybuyermonth"
        constraints = [
            models.UniqueConstraint(fields=["county", "month", "villager"], name="county_buyer_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="county_buyer_month_first_day"),
        ]
        indexes = [models.Index(fields=["month"], name="county_buyer_month_month_idx")]


class PromotionCountyDay(DayRollup):
    promotion = models.ForeignKey("orders.Promotion", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    sales = _rollup_amount(_("sales"))
    returns = _rollup_amount(_("returns"))
    orders = models.IntegerField(default=0)
    buyers = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_promotioncountyday"
        constraints = [
            models.UniqueConstraint(fields=["promotion", "county", "day"], name="promotion_county_day_unique")
        ]
        indexes = [
            models.Index(fields=["county", "day"], name="promotion_day_county_idx"),
            models.Index(fields=["day"], name="promotion_day_day_idx"),
        ]


class ProvinceDay(DayRollup):
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    sales = _rollup_amount(_("sales"))
    returns = _rollup_amount(_("returns"))
    orders = models.IntegerField(default=0)
    buyers = models.IntegerField(default=0)
    active_partners = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_provinceday"
        verbose_name = _("province day")
        verbose_name_plural = _("province days")
        constraints = [models.UniqueConstraint(fields=["province", "day"], name="province_day_unique")]
        indexes = [models.Index(fields=["day"], name="province_day_day_idx")]


class NationalDay(DayRollup):
    day = models.DateField(unique=True)
    sales = _rollup_amount(_("sales"))
    returns = _rollup_amount(_("returns"))
    orders = models.IntegerField(default=0)
    buyers = models.IntegerField(default=0)
    active_partners = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_nationalday"
        verbose_name = _("national day")
        verbose_name_plural = _("national days")


class CountySummary(models.Model):
    """Per county, as of the last rolled-up day: trailing-12-month online sales and ranks.

    A county's online sales are what it sells: its farm-produce channel, net of returns,
    except in a month with an official figure (``CountyOnlineRetailMonth``), which
    counts instead of the channel's."""

    county = models.OneToOneField(County, on_delete=models.CASCADE, primary_key=True, related_name="summary")
    as_of = models.DateField()
    trailing_12m_sales = _rollup_amount(_("trailing 12-month sales"))
    prior_12m_sales = _rollup_amount(_("the 12 months before"))
    year_to_date_sales = _rollup_amount(_("sales this year"))
    is_billion_yuan = models.BooleanField(default=False)  # at least TAOBAO_COUNTY_THRESHOLD_YUAN (¥1亿)
    national_rank = models.IntegerField(null=True)
    provincial_rank = models.IntegerField(null=True)
    # Shown beside the online sales, never in them: what villagers bought (assisted
    # purchases) and government procurement, net, over the same trailing 12 months.
    trailing_12m_purchases = _rollup_amount(_("trailing 12-month purchases"))
    trailing_12m_procurement = _rollup_amount(_("trailing 12-month procurement"))
    # Months of the trailing 12 whose official online-retail figure replaced the channel's.
    official_months = models.IntegerField(default=0)

    class Meta:
        db_table = "counties_countysummary"
        verbose_name = _("county summary")
        verbose_name_plural = _("county summaries")
        indexes = [models.Index(fields=["-trailing_12m_sales"], name="county_summary_t12m_idx")]

    def __str__(self):
        return f"{self.county_id} as of {self.as_of}"


class CountyOnlineRetailMonth(models.Model):
    """The official monthly online retail sales (网络零售额) a county government publishes,
    imported from a file (``import_county_online_sales``). For its month it replaces the
    farm-produce channel in the county's online sales."""

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="online_retail_months")
    month = models.DateField(help_text=_("The first day of the month."))
    online_retail_sales = money_field(verbose_name=_("online retail sales"))
    imported_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(_("source file"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official county online retail month")
        verbose_name_plural = _("official county online retail months")
        constraints = [
            models.UniqueConstraint(fields=["county", "month"], name="county_online_retail_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="county_online_retail_month_first_day"),
            models.CheckConstraint(condition=Q(online_retail_sales__gte=0), name="county_online_retail_not_negative"),
        ]
        indexes = [models.Index(fields=["month"], name="county_online_retail_month_idx")]

    def __str__(self):
        return f"{self.county_id} {self.month:%Y-%m}"


class RollupRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RollupRun(models.Model):
    """One run of the rollups (nightly or by hand): what it did and how it ended."""

    trigger = models.CharField(max_length=20, default="nightly")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RollupRunStatus.choices, default=RollupRunStatus.RUNNING)
    days_done = models.IntegerField(default=0)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    rows_written = models.BigIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Settlement (payable commission, clawbacks) has looked at every order due up to this day.
    settled_through = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "counties_rolluprun"
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="rollup_run_status_idx")]

    def __str__(self):
        return f"{self.trigger} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class PartnerDailyIncome(models.Model):
    """One partner's figures for one Shanghai day, written by the nightly rollup."""

    # Derived from orders (see the rollups above): no FK constraint to check per row.
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="daily_income", db_constraint=False)
    day = models.DateField()
    orders = models.IntegerField(default=0)  # orders paid that day
    returned_orders = models.IntegerField(default=0)
    sales = money_field(default=0)  # paid that day, gross
    returned_sales = money_field(default=0)
    assisted_sales = money_field(default=0)  # net, toward incentive tiers
    commission = money_field(default=0)  # earned on the day's payments
    reversals = money_field(default=0)  # taken back by the day's returns

    class Meta:
        db_table = "partners_partnerdailyincome"
        verbose_name = _("partner daily income")
        verbose_name_plural = _("partner daily incomes")
        ordering = ["partner", "day"]
        constraints = [models.UniqueConstraint(fields=["partner", "day"], name="partner_daily_income_unique")]
        indexes = [models.Index(fields=["day"], name="partner_daily_income_day_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.day}"


class StatementStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("statement status", "Open")
    CLOSED = "closed", pgettext_lazy("statement status", "Closed")
    APPROVED = "approved", pgettext_lazy("statement status", "Approved")
    PAID = "paid", pgettext_lazy("statement status", "Paid")


class MonthlyStatement(models.Model):
    """A partner's month of payable money: commission that became payable in the month,
    the incentive its payable assisted-purchase sales reach, clawbacks of refunds learned
    in the month, adjustments (tier corrections of closed months, accepted disputes) and
    the total. open → closed (first nightly run after the month) → approved (an admin) →
    paid (a payout). The figures of a statement that is not open never change."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="statements")
    month = models.DateField(help_text="The first day of the month.")
    orders = models.IntegerField(default=0)  # orders whose commission became payable
    sales = money_field(default=0)  # their amounts
    assisted_sales = money_field(default=0)  # the tier base: payable assisted purchases not clawed back
    commission = money_field(default=0)
    incentive = money_field(default=0)
    clawbacks = money_field(default=0)  # a positive amount, taken off the total
    adjustments = money_field(default=0)  # signed
    total = money_field(default=0)
    # Commission of the partner's orders under review (an open integrity flag) when the
    # statement was last computed: not in the total, paid once the flag is cleared.
    held = money_field(default=0)
    incentive_tier = models.ForeignKey(
        IncentiveTier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=StatementStatus.choices, default=StatementStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_on = models.DateField(null=True, blank=True)
    payout_reference = models.CharField(max_length=100, blank=True)
    # A failed payout returns the statement to approved and says why here.
    payout_failure = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "partners_monthlystatement"
        verbose_name = _("monthly statement")
        verbose_name_plural = _("monthly statements")
        ordering = ["partner", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="monthly_statement_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_statement_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False), name="closed_statement_has_closed_at"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(approved_at__isnull=False),
                name="approved_statement_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(payout_reference="")),
                name="paid_statement_has_payout",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed", "approved", "paid"]), name="statement_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="statement_month_status_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.month:%Y-%m} ({self.status})"

    @property
    def reference(self) -> str:
        """The memo of its transfer: which partner, which month."""
        return f"RT{self.month:%Y%m}-{self.partner_id:06d}"


class EntryKind(models.TextChoices):
    PAYABLE = "payable", _("Commission payable")
    CLAWBACK = "clawback", _("Clawback (refund)")
    TIER_ADJUSTMENT = "tier_adjustment", _("Incentive correction")
    DISPUTE = "dispute", _("Dispute adjustment")


class CommissionEntry(models.Model):
    """The ledger behind the statements: one row each time money changes hands in a
    partner's favour or against it. An order becomes payable at most once and is clawed
    back at most once (unique per order and kind); the statement of a month is the sum of
    its entries. Entries of a month that is no longer open never change."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="commission_entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="commission_entries"
    )
    day = models.DateField(help_text="The Shanghai day the money moved.")
    month = models.DateField(help_text="The statement it lands in (first day of the month).")
    amount = money_field()  # signed: + to the partner, − from them
    sales = money_field(default=0)  # the order's amount (payable, clawback)
    assisted_sales = money_field(default=0)  # the part that counts toward incentive tiers
    concerns_month = models.DateField(null=True, blank=True, help_text="The month an entry corrects.")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner", "month", "day", "id"]
        verbose_name = _("commission entry")
        verbose_name_plural = _("commission entries")
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="payable"), name="commission_entry_payable_once"
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="clawback"), name="commission_entry_clawback_once"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="commission_entry_month_is_first_day"),
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="commission_entry_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind__in=["payable", "clawback"]) | Q(order__isnull=False),
                name="commission_entry_order_entries_name_order",
            ),
            models.CheckConstraint(
                condition=~Q(kind="tier_adjustment") | Q(concerns_month__isnull=False),
                name="commission_entry_tier_adjustment_names_month",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "partner"], name="commission_entry_month_idx"),
            models.Index(fields=["created_at"], name="commission_entry_created_idx"),
        ]

    def __str__(self):
        return f"{self.partner_id} {self.kind} {self.amount} ({self.month:%Y-%m})"


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute status", "Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Dispute(models.Model):
    """A partner's objection to a statement (optionally to one order on it). An accepted
    dispute's amount becomes an adjustment on the partner's next open statement."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="disputes")
    statement = models.ForeignKey(MonthlyStatement, on_delete=models.PROTECT, related_name="disputes")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = money_field(null=True, blank=True)
    reason = models.TextField(_("answer"), blank=True)
    entry = models.OneToOneField(
        CommissionEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="dispute"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DisputeStatus.values), name="dispute_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(resolved_at__isnull=False) & ~Q(reason="")),
                name="dispute_resolved_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(entry__isnull=False), name="dispute_accepted_has_entry"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="dispute_status_idx")]

    def __str__(self):
        return f"{self.partner_id} {self.statement.month:%Y-%m} ({self.status})"
