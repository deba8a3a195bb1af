"""Assisted orders: categories, promotions, villagers, orders and their lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rural_taobao.money import money_field
from rural_taobao.phones import MOBILE_PHONE_REGEX, mask_phone, mobile_phone_validator


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    is_farm_produce = models.BooleanField(
        _("farm produce category"),
        default=False,
        help_text=_("Farm produce orders (the village sells upward) use only these categories."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    history = HistoricalRecords()

    def __str__(self):
        return self.name_zh

    def localized_name(self, language_code: str | None = None) -> str:
        from django.utils.translation import get_language

        language = language_code or get_language() or "zh-hans"
        return self.name_en if language.startswith("en") else self.name_zh


class Promotion(models.Model):
    name = models.CharField(_("name"), max_length=50)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="promotion_ends_after_start"),
        ]

    history = HistoricalRecords()

    def __str__(self):
        return self.name


class Villager(models.Model):
    """A buyer (or, for farm produce, a seller) of a village, served by its partner. Not a
    login. Villagers belong to the village, not to a partner: the next partner of the
    village finds them."""

    village = models.ForeignKey(
        "counties.Village", on_delete=models.PROTECT, related_name="villagers", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, validators=[mobile_phone_validator])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("villager")
        verbose_name_plural = _("villagers")
        constraints = [
            models.UniqueConstraint(fields=["village", "phone"], name="villager_phone_unique_per_village"),
            models.CheckConstraint(condition=Q(phone__regex=MOBILE_PHONE_REGEX), name="villager_phone_mainland_mobile"),
        ]
        # The unique constraint's index on (village, phone) also serves the type-ahead
        # by phone prefix among one village's villagers.
        indexes = [
            # The order list filtered by a villager's phone: the filter joins through the
            # villager, so it cannot lead with the village.
            models.Index(fields=["phone"], name="villager_phone_idx"),
        ]

    history = HistoricalRecords()

    def __str__(self):
        return f"{self.name} ({self.masked_phone})"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Channel(models.TextChoices):
    ASSISTED_PURCHASE = "assisted_purchase", _("Assisted purchase")
    GOVERNMENT_PROCUREMENT = "government_procurement", _("Government procurement")
    FARM_PRODUCE = "farm_produce", _("Farm produce")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    AT_COUNTY_CENTRE = "at_county_centre", _("At county centre")
    AT_SERVICE_POINT = "at_service_point", _("At service point")
    PICKED_UP = "picked_up", _("Picked up")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


class Reconciliation(models.TextChoices):
    UNMATCHED = "unmatched", _("Unmatched")
    MATCHED = "matched", _("Matched")
    CONFIRMED = "confirmed", _("Confirmed")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount mismatch")
    REFUNDED = "refunded", _("Refunded")
    STATUS_CONFLICT = "status_conflict", _("Status conflict")


# Bounds of one order, checked by orders.services (forms and the API show them too).
MAX_LINES_PER_ORDER = 50
MAX_LINE_QUANTITY = 1_000_000
MAX_UNIT_PRICE = Decimal("10000000.00")

# Legal order transitions: cancel only before shipping, return only after pick-up.
ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.PLACED: (OrderStatus.PAID, OrderStatus.CANCELLED),
    OrderStatus.PAID: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (OrderStatus.AT_COUNTY_CENTRE,),
    OrderStatus.AT_COUNTY_CENTRE: (OrderStatus.AT_SERVICE_POINT,),
    OrderStatus.AT_SERVICE_POINT: (OrderStatus.PICKED_UP,),
    OrderStatus.PICKED_UP: (OrderStatus.RETURNED,),
    OrderStatus.CANCELLED: (),
    OrderStatus.RETURNED: (),
}

# A parcel on its way to the villager: moved by the county centre and the partner.
PARCEL_ON_THE_WAY = (OrderStatus.SHIPPED, OrderStatus.AT_COUNTY_CENTRE, OrderStatus.AT_SERVICE_POINT)

# The timestamp column each status stamps when the order enters it.
STATUS_TIMESTAMP_FIELD: dict[str, str] = {
    OrderStatus.PLACED: "placed_at",
    OrderStatus.PAID: "paid_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.AT_COUNTY_CENTRE: "at_county_centre_at",
    OrderStatus.AT_SERVICE_POINT: "at_service_point_at",
    OrderStatus.PICKED_UP: "picked_up_at",
    OrderStatus.CANCELLED: "cancelled_at",
    OrderStatus.RETURNED: "returned_at",
}


class Order(models.Model):
    order_no = models.CharField(_("order number"), max_length=32, unique=True)
    client_request_id = models.UUIDField(_("client request id"))
    # Indexed only as the first column of the composite indexes below.
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="orders", verbose_name=_("partner"), db_index=False
    )
    # Who placed the order, for good: its commission and sales are theirs (income,
    # statements, rollups, performance), even after a replacement moved the open order
    # to the village's next partner (``partner``, who takes it to pick-up).
    placed_by = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="placed_orders",
        verbose_name=_("placed by"),
        db_index=False,  # see the (placed_by, …) indexes below
    )
    # Indexed together with placed_at below (a villager's orders, newest first).
    villager = models.ForeignKey(
        Villager, on_delete=models.PROTECT, related_name="orders", verbose_name=_("villager"), db_index=False
    )
    # Village and county are copied from the partner at placing time: a partner may
    # leave, the order stays where it was sold, and rollups group by them directly.
    village = models.ForeignKey(
        "counties.Village", on_delete=models.PROTECT, related_name="orders", verbose_name=_("village")
    )
    county = models.ForeignKey(
        "counties.County",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("county"),
        db_index=False,  # see order_county_placed_idx
    )
    channel = models.CharField(_("channel"), max_length=25, choices=Channel.choices, default=Channel.ASSISTED_PURCHASE)
    promotion = models.ForeignKey(
        Promotion, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("promotion")
    )
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    total_amount = money_field(verbose_name=_("total (yuan)"))
    buyer_organisation = models.CharField(_("buying organisation"), max_length=200, blank=True)
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    placed_at = models.DateTimeField(_("placed at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    at_county_centre_at = models.DateTimeField(_("at county centre at"), null=True, blank=True)
    at_service_point_at = models.DateTimeField(_("at service point at"), null=True, blank=True)
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    # The parcel: who carries it and under which waybill (entered at "shipped", on the
    # order page, or from the platform feed); the county centre receives by either number.
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            # A retried submission of the same form never creates a second order.
            models.UniqueConstraint(
                fields=["partner", "client_request_id"], name="order_client_request_unique_per_partner"
            ),
            models.CheckConstraint(condition=Q(total_amount__gt=0), name="order_total_positive"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="order_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(
                condition=~Q(channel=Channel.GOVERNMENT_PROCUREMENT) | (~Q(buyer_organisation="") & ~Q(reference="")),
                name="procurement_order_names_buyer_and_reference",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[OrderStatus.PLACED, OrderStatus.CANCELLED]) | Q(paid_at__isnull=False),
                name="order_past_payment_has_paid_at",
            ),
        ]
        indexes = [
            # The partner's order list: newest first, filtered by status.
            models.Index(fields=["partner", "-placed_at"], name="order_partner_placed_idx"),
            models.Index(fields=["partner", "status", "-placed_at"], name="order_partner_status_idx"),
            # The partner's month so far (payments of the month) on the partner home page,
            # their pending commission: by who placed the order, whose money it is.
            models.Index(fields=["placed_by", "paid_at"], name="order_placed_by_paid_idx"),
            # A villager's order count and last order (villagers page, type-ahead).
            models.Index(fields=["villager", "-placed_at"], name="order_villager_placed_idx"),
            # The month's returns and cancellations of one partner (partner home), small
            # because most orders are never returned or cancelled.
            models.Index(
                fields=["placed_by", "returned_at"],
                name="order_placed_by_returned_idx",
                condition=Q(returned_at__isnull=False),
            ),
            models.Index(
                fields=["placed_by", "cancelled_at"],
                name="order_placed_by_cancelled_idx",
                condition=Q(cancelled_at__isnull=False),
            ),
            # The order lists of county staff (their counties) and admins (all), newest first.
            models.Index(fields=["county", "-placed_at"], name="order_county_placed_idx"),
            models.Index(fields=["-placed_at"], name="order_placed_idx"),
            # Rollups read one Shanghai day of payments and returns.
            models.Index(fields=["paid_at"], name="order_paid_at_idx"),
            models.Index(fields=["returned_at"], name="order_returned_at_idx"),
            models.Index(fields=["cancelled_at"], name="order_cancelled_at_idx"),
            # The integrity checks: a villager's payments over 30 days, a day's pickups.
            models.Index(
                fields=["villager", "paid_at"], name="order_villager_paid_idx", condition=Q(paid_at__isnull=False)
            ),
            models.Index(
                fields=["picked_up_at"], name="order_picked_up_at_idx", condition=Q(picked_up_at__isnull=False)
            ),
            # The dashboards' parcel legs: the orders whose leg ended in a period, found by
            # its end stamp (pickups above); partial, as orders not yet that far are never
            # looked for by it.
            models.Index(fields=["shipped_at"], name="order_shipped_at_idx", condition=Q(shipped_at__isnull=False)),
            models.Index(
                fields=["at_county_centre_at"],
                name="order_at_centre_at_idx",
                condition=Q(at_county_centre_at__isnull=False),
            ),
            models.Index(
                fields=["at_service_point_at"],
                name="order_at_point_at_idx",
                condition=Q(at_service_point_at__isnull=False),
            ),
            # The county centre receives parcels by waybill number.
            models.Index(fields=["tracking_no"], name="order_tracking_no_idx", condition=~Q(tracking_no="")),
            # The centre's workspace: its counties' parcels on the way (shipped, at the
            # centre, at a service point), by status — small, as most orders are done.
            models.Index(
                fields=["county", "status"],
                name="order_parcels_on_the_way_idx",
                condition=Q(status__in=PARCEL_ON_THE_WAY),
            ),
        ]

    def __str__(self):
        return self.order_no

    def legal_next_statuses(self) -> tuple[str, ...]:
        return ORDER_TRANSITIONS[self.status]

    # What the platform says of the order lives in its ``OrderReconciliation`` row (none
    # yet: unmatched). These read it for pages, the API and exports.
    @property
    def platform_view(self) -> "OrderReconciliation | None":
        try:
            return self.reconciliation_row
        except OrderReconciliation.DoesNotExist:
            return None

    @property
    def reconciliation(self) -> str:
        view = self.platform_view
        return view.state if view else Reconciliation.UNMATCHED.value

    def get_reconciliation_display(self) -> str:
        return str(Reconciliation(self.reconciliation).label)

    @property
    def platform_amount(self) -> Decimal | None:
        view = self.platform_view
        return view.amount if view else None

    @property
    def platform_confirmed_at(self):
        view = self.platform_view
        return view.confirmed_at if view else None

    @property
    def payable_from(self):
        view = self.platform_view
        return view.payable_from if view else None


class OrderReconciliation(models.Model):
    """What the platform says of one order (``orders.reconciliation`` writes it; settlement
    reads it): an order with no row is ``unmatched``. A narrow table of its own, so the
    nightly reconciliation rewrites a few small rows, never the wide, much-indexed orders.
    Money is earned only on what the platform confirmed."""

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, primary_key=True, related_name="reconciliation_row", verbose_name=_("order")
    )
    state = models.CharField(
        _("reconciliation"), max_length=16, choices=Reconciliation.choices, default=Reconciliation.UNMATCHED
    )
    amount = money_field(verbose_name=_("platform amount (yuan)"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("platform confirmed at"), null=True, blank=True)
    # The latest moment the platform's view of this order changed (a record imported or
    # changed, a number recorded): the day we learned a confirmation or a refund.
    known_at = models.DateTimeField(_("platform view changed at"), null=True, blank=True)
    # When we learned the platform refunded or closed it (a clawback lands on that day).
    refund_known_at = models.DateTimeField(_("platform refund learned at"), null=True, blank=True)
    # A confirmed order's commission becomes payable on this Shanghai day: the return
    # window after the confirmation, and never before the day we learned of it.
    payable_from = models.DateField(_("commission payable from"), null=True, blank=True)

    class Meta:
        verbose_name = _("order reconciliation")
        verbose_name_plural = _("order reconciliations")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=Reconciliation.values), name="order_reconciliation_valid"),
            models.CheckConstraint(
                condition=Q(payable_from__isnull=True) | Q(state=Reconciliation.CONFIRMED),
                name="order_reconciliation_payable_only_confirmed",
            ),
        ]
        indexes = [
            # The reconciliation list's states other than confirmed are few.
            models.Index(fields=["state"], name="order_recon_state_idx", condition=~Q(state=Reconciliation.CONFIRMED)),
            # Settlement takes the orders whose commission falls due, or whose refund
            # was learned, since its last run.
            models.Index(
                fields=["payable_from"], name="order_payable_from_idx", condition=Q(payable_from__isnull=False)
            ),
            models.Index(
                fields=["refund_known_at"], name="order_refund_known_idx", condition=Q(refund_known_at__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.state}"


def reconciliation_is(state: str) -> Q:
    """Orders in a reconciliation state (an order without a row is unmatched)."""
    if state == Reconciliation.UNMATCHED:
        return Q(reconciliation_row__isnull=True) | Q(reconciliation_row__state=state)
    return Q(reconciliation_row__state=state)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product_name = models.CharField(_("product"), max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("category")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = money_field(verbose_name=_("unit price (yuan)"))
    line_total = money_field(verbose_name=_("line total (yuan)"))
    # Snapshotted when the order is paid: the rate in force on the paid day and the
    # commission it earns, so income never changes when a rate is edited later.
    commission_rate = models.DecimalField(_("commission rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    commission_amount = money_field(
        verbose_name=_("commission (yuan)"), default=models.NOT_PROVIDED, null=True, blank=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_at_least_one"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="order_line_unit_price_positive"),
            models.CheckConstraint(condition=Q(line_total__gt=0), name="order_line_total_positive"),
        ]
        indexes = [
            # The integrity checks' price bands: a category's most recent lines.
            models.Index(fields=["category", "order"], name="order_line_category_order_idx"),
        ]

    def __str__(self):
        return f"{self.product_name} × {self.quantity}"


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices)
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
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        indexes = [models.Index(fields=["order", "changed_at"])]

    def __str__(self):
        return f"{self.order}: {self.from_status or '∅'} → {self.to_status}"

    @property
    def changed_by_name(self) -> str:
        """Who made the change as people know them: a partner by their name, anyone
        else by their full name, the login name only when there is nothing else."""
        user = self.changed_by
        if user is None:
            return ""
        partner = getattr(user, "partner", None)  # no partner: RelatedObjectDoesNotExist, an AttributeError
        return (partner.real_name if partner else "") or user.get_full_name() or user.get_username()


class PickupCode(models.Model):
    """The 6-digit code a villager shows at the service point to collect a parcel, sent
    by SMS when the parcel arrives. Only a keyed hash is kept: no page, export or API
    shows it, and picking up needs it. Wrong codes are counted: after
    ``PICKUP_MAX_FAILURES`` the order's pickup is locked for ``PICKUP_LOCK_MINUTES``."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="pickup_code", primary_key=True)
    code_hash = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("issued at"))
    sends = models.PositiveSmallIntegerField(_("times sent"), default=1)
    failures = models.PositiveSmallIntegerField(_("wrong codes in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # A county centre or admin may hand a parcel over without the code, giving a reason.
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(_("override reason"), blank=True)

    class Meta:
        verbose_name = _("pickup code")
        verbose_name_plural = _("pickup codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(overridden_by__isnull=True) | ~Q(override_reason=""),
                name="pickup_override_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.order_id}"


class OrderNumberCounter(models.Model):
    """The database hands out order numbers: one counter row per county and Shanghai day."""

    county = models.ForeignKey("counties.County", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "day"], name="order_number_counter_unique"),
        ]

    def __str__(self):
        return f"{self.county_id}/{self.day}: {self.last_value}"


# ── The platform's side: the Taobao orders a partner placed for an assisted order ──


class PlatformStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    CONFIRMED = "confirmed", _("Confirmed (receipt)")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed")


# How far a record may move on: a later file never takes a record back to an earlier state.
PLATFORM_STATUS_RANK = {
    PlatformStatus.PAID: 1,
    PlatformStatus.SHIPPED: 2,
    PlatformStatus.CONFIRMED: 3,
    PlatformStatus.REFUNDED: 4,
    PlatformStatus.CLOSED: 4,
}

PLATFORM_ORDER_NO_REGEX = r"^[0-9A-Za-z-]{6,40}$"


class PlatformOrderNo(models.Model):
    """One platform (Taobao) order number the partner recorded for an assisted order.
    An assisted order may have several (a basket split by seller); a number belongs to at
    most one assisted order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="platform_numbers")
    number = models.CharField(_("platform order number"), max_length=40, unique=True)
    # A basket split by seller ships as several parcels: each platform order its own.
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("platform order number")
        verbose_name_plural = _("platform order numbers")
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=PLATFORM_ORDER_NO_REGEX), name="platform_order_no_format"),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="platform_no_created_idx"),
            models.Index(fields=["tracking_no"], name="platform_no_tracking_idx", condition=~Q(tracking_no="")),
        ]

    def __str__(self):
        return self.number


class PlatformOrder(models.Model):
    """The platform's record of one of its orders, as its seller-centre export says.
    Keyed by the platform's number, not by our order: the feed may arrive before the
    partner records the number, and a number nobody recorded stays here unmatched."""

    number = models.CharField(_("platform order number"), max_length=40, unique=True)
    status = models.CharField(_("platform status"), max_length=10, choices=PlatformStatus.choices)
    amount = money_field(verbose_name=_("amount paid (yuan)"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)
    refunded_amount = money_field(verbose_name=_("refunded (yuan)"), default=0)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first imported at"))
    # When a file last changed this record: reconciliation takes what changed since its
    # last run, and the day we learned a confirmation or a refund is this day.
    changed_at = models.DateTimeField(_("last changed at"))

    class Meta:
        ordering = ["-changed_at", "id"]
        verbose_name = _("platform order")
        verbose_name_plural = _("platform orders")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlatformStatus.values), name="platform_order_status_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="platform_order_amount_not_negative"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="platform_order_refund_not_negative"),
            models.CheckConstraint(
                condition=~Q(status=PlatformStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="platform_order_confirmed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["changed_at"], name="platform_order_changed_idx")]

    def __str__(self):
        return f"{self.number} ({self.status})"


class ReconciliationRun(models.Model):
    """How far reconciliation has looked: the next run takes what changed after `upto`."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    upto = models.DateTimeField(help_text="Changes up to this moment are reconciled.")
    orders = models.IntegerField(default=0)
    full = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.orders})"
