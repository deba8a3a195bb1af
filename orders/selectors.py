"""Reads of assisted orders, scoped to who is asking.

`orders_visible_to(user)` is the one scoping rule for orders: every page, export and API
view starts from it. A partner sees their own orders, county staff the orders of their
assigned counties (read-only, phones masked), an admin everything, anyone else nothing.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from counties.selectors import counties_visible_to
from partners.access import partner_of, working_partner_of
from partners.models import Partner
from rural_taobao import dates
from rural_taobao.access import is_admin, is_county_staff
from rural_taobao.dates import day_start, month_start

from .models import Category, Channel, Order, OrderLine, OrderStatus, OrderStatusChange, Promotion, Villager

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal("0.00")
# The status of an integrity flag that still waits for a reviewer (integrity.models.FlagStatus.OPEN).
OPEN_FLAG = "open"

# Orders that still wait for the partner to move them on (placed → … → picked up).
WAITING_STATUSES = (
    OrderStatus.PLACED,
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.AT_COUNTY_CENTRE,
    OrderStatus.AT_SERVICE_POINT,
)


# ── Scoping ───────────────────────────────────────────────────────────────────


def orders_visible_to(user) -> QuerySet[Order]:
    """Every order for an admin, a partner's own orders, the orders of county staff's
    counties (``counties_visible_to``), nothing for anyone else."""
    if not user.is_authenticated:
        return Order.objects.none()
    if is_admin(user):
        return Order.objects.all()
    partner = partner_of(user)
    if partner is not None:
        return Order.objects.filter(partner=partner)
    if is_county_staff(user):
        return Order.objects.filter(county__in=counties_visible_to(user))
    return Order.objects.none()


def villagers_visible_to(user) -> QuerySet[Villager]:
    """Villagers belong to their village: a working partner sees their village's (those
    their predecessors served too); admins see all; nobody else any."""
    if not user.is_authenticated:
        return Villager.objects.none()
    if is_admin(user):
        return Villager.objects.all()
    partner = working_partner_of(user)
    if partner is not None:
        return Villager.objects.filter(village_id=partner.village_id)
    return Villager.objects.none()


def villager_phone_for(user, villager: Villager) -> str:
    """A villager's phone in full for admins and the working partner of their village."""
    if is_admin(user):
        return villager.phone
    partner = working_partner_of(user)
    if partner is not None and partner.village_id == villager.village_id:
        return villager.phone
    return villager.masked_phone


# ── Filtering the order list (the page and the API share it) ─────────────────


class DayOrMomentField(forms.Field):
    """A Shanghai day (YYYY-MM-DD) or an ISO 8601 moment (2026-11-11T08:00:00+08:00)."""

    default_error_messages = {"invalid": _("Enter a date (YYYY-MM-DD) or a date and time (ISO 8601).")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            parsed = parse_date(text) or parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if isinstance(parsed, dt.datetime) and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed


@extend_schema_field(
    {"type": "string", "description": "A Shanghai day (YYYY-MM-DD) or an ISO 8601 moment.", "example": "2026-11-11"}
)
class DayOrMomentFilter(django_filters.Filter):
    field_class = DayOrMomentField

    def __init__(self, *args, bound: str, **kwargs):
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        if isinstance(value, dt.datetime):
            return qs.filter(placed_at__gte=value) if self.bound == "after" else qs.filter(placed_at__lte=value)
        if self.bound == "after":
            return qs.filter(placed_at__gte=day_start(value))
        # "Before" a day includes that whole Shanghai day.
        return qs.filter(placed_at__lt=day_start(value + dt.timedelta(days=1)))


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"), empty_label=_("All"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"), empty_label=_("All"))
    created_after = DayOrMomentFilter(
        bound="after",
        label=_("From"),
        help_text=_("Placed on or after this day (YYYY-MM-DD) or moment (ISO 8601)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = DayOrMomentFilter(
        bound="before",
        label=_("To"),
        help_text=_("Placed on or before this day (YYYY-MM-DD) or moment (ISO 8601)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    villager_phone = django_filters.CharFilter(
        method="filter_villager_phone",
        label=_("Villager phone"),
        help_text=_("The villager's mobile number; a partner may type its first digits."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "maxlength": 11}),
    )

    class Meta:
        model = Order
        fields = ["status", "channel", "created_after", "created_before", "villager_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is None or not may_filter_by_villager_phone(user):
            # Refused for any number, known or not: an answer that differed would tell
            # county staff whether a full number belongs to one of their masked villagers.
            self.filters["villager_phone"].extra["validators"] = [_refuse_villager_phone_filter]

    def filter_villager_phone(self, queryset, name, value):
        digits = "".join(ch for ch in value if ch.isdigit())[:11]
        if not digits:
            return queryset
        if len(digits) < 11:
            return queryset.filter(villager__phone__startswith=digits)
        return queryset.filter(villager__phone=digits)


def may_filter_by_villager_phone(user) -> bool:
    """Filtering orders by a villager's phone: the partners (their own villagers) and
    admins, who see full numbers; never county staff, who see them masked."""
    return is_admin(user) or partner_of(user) is not None


def _refuse_villager_phone_filter(value) -> None:
    raise forms.ValidationError(
        _("Only the villager's partner and programme admins may filter orders by a villager's phone."),
        code="forbidden_filter",
    )


def order_list_for(user, params, *, request=None) -> tuple[OrderFilter, QuerySet[Order]]:
    """The filter (its form shows the fields and errors) and the filtered, scoped orders."""
    order_filter = OrderFilter(params, queryset=orders_visible_to(user), request=request)
    if not order_filter.is_valid():
        return order_filter, Order.objects.none()
    return order_filter, with_review_state(order_filter.qs).select_related("villager").order_by("-placed_at", "-id")


@dataclass
class OffsetPage:
    """A page of a list without COUNT(*): one extra row tells whether a next page exists."""

    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 1000


def offset_page(queryset: QuerySet, page: str | int | None, *, per_page: int) -> OffsetPage:
    try:
        number = min(max(int(page or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return OffsetPage(items=rows[:per_page], number=number, has_next=len(rows) > per_page)


# ── One order ─────────────────────────────────────────────────────────────────


def with_review_state(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Each order with ``under_review``: an open integrity flag stands on it (its commission
    waits; the partner sees "under review", never the rule). Read from the flags
    themselves, so it can never drift from them. The flags belong to the integrity app,
    a layer above this one: they are reached through the reverse relation, not imported."""
    flag_model = cast(Any, Order._meta.get_field("flags").related_model)
    open_flags = flag_model.objects.filter(order=OuterRef("pk"), status=OPEN_FLAG)
    return queryset.annotate(under_review=Exists(open_flags))


def order_with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    return (
        with_review_state(queryset)
        .select_related("villager", "promotion", "partner", "county", "village", "reconciliation_row")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("category").order_by("id")),
            Prefetch("status_changes", queryset=OrderStatusChange.objects.select_related("changed_by__partner")),
        )
    )


def order_placed_with(partner: Partner, client_request_id) -> Order | None:
    """The order a new-order form (by its client_request_id) already placed, if any."""
    return Order.objects.filter(partner=partner, client_request_id=client_request_id).only("id", "order_no").first()


def order_of_partner(partner: Partner, order_id: int) -> Order | None:
    return order_with_details(Order.objects.filter(partner=partner)).filter(pk=order_id).first()


# ── The partner's home page ───────────────────────────────────────────────────


@dataclass
class PartnerMonth:
    """The month so far from the orders themselves: an estimate until the nightly statement."""

    month: dt.date
    orders: int = 0
    sales: Decimal = ZERO  # paid in the month, less what was returned (or cancelled after payment) in it
    commission: Decimal = ZERO  # snapshotted on the month's payments
    reversals: Decimal = ZERO  # commission of the month's returns and cancellations after payment

    @property
    def net_commission(self) -> Decimal:
        return self.commission - self.reversals

    def __add__(self, other: "PartnerMonth") -> "PartnerMonth":
        return PartnerMonth(
            month=self.month,
            orders=self.orders + other.orders,
            sales=self.sales + other.sales,
            commission=self.commission + other.commission,
            reversals=self.reversals + other.reversals,
        )


@dataclass
class PartnerHome:
    today: dt.date
    todays_orders: list[Order]
    todays_count: int
    todays_total: Decimal
    waiting_by_status: list[tuple[str, "StrOrPromise", int]] = field(default_factory=list)
    month: PartnerMonth | None = None
    promotion: Promotion | None = None
    # Parcels the county centre has sent on (or may send any moment): the partner ticks
    # those that arrived at the service point, many at once.
    arriving: list[Order] = field(default_factory=list)

    @property
    def waiting_total(self) -> int:
        return sum(count for _status, _label, count in self.waiting_by_status)


def _partner_figures(partner: Partner, month: dt.date, start: dt.datetime, end: dt.datetime) -> PartnerMonth:
    """Payments and reversals (returns, cancellations after payment) of [start, end)."""
    paid = Q(paid_at__gte=start, paid_at__lt=end)
    reversed_ = Q(returned_at__gte=start, returned_at__lt=end) | Q(
        cancelled_at__gte=start, cancelled_at__lt=end, paid_at__isnull=False
    )
    # The money is the placing partner's (placed_by), whoever holds the order now.
    orders = (
        Order.objects.filter(placed_by=partner)
        .filter(paid | reversed_)
        .aggregate(
            orders=Count("id", filter=paid),
            gross=Coalesce(Sum("total_amount", filter=paid), ZERO),
            returned=Coalesce(Sum("total_amount", filter=reversed_), ZERO),
        )
    )
    line_paid = Q(order__paid_at__gte=start, order__paid_at__lt=end)
    line_reversed = Q(order__returned_at__gte=start, order__returned_at__lt=end) | Q(
        order__cancelled_at__gte=start, order__cancelled_at__lt=end, order__paid_at__isnull=False
    )
    commission = (
        OrderLine.objects.filter(order__placed_by=partner)
        .filter(line_paid | line_reversed)
        .aggregate(
            earned=Coalesce(Sum("commission_amount", filter=line_paid), ZERO),
            reversed=Coalesce(Sum("commission_amount", filter=line_reversed), ZERO),
        )
    )
    return PartnerMonth(
        month=month,
        orders=orders["orders"],
        sales=orders["gross"] - orders["returned"],
        commission=commission["earned"],
        reversals=commission["reversed"],
    )


# Past days of the month change no more: a payment, a return or a cancellation always
# counts on the day it happens (now). Their figures are computed once a day per partner
# and kept; only today's are read live. The hour bounds what a backfill could leave stale.
PAST_DAYS_CACHE_SECONDS = 3600


def partner_month_so_far(partner: Partner, today: dt.date) -> PartnerMonth:
    month = month_start(today)
    todays = _partner_figures(partner, month, day_start(today), day_start(today + dt.timedelta(days=1)))
    if today == month:
        return todays
    key = f"orders:partner-month-past-days:{partner.pk}:{today.isoformat()}"
    past = cache.get(key)
    if past is None:
        past = _partner_figures(partner, month, day_start(month), day_start(today))
        cache.set(key, past, PAST_DAYS_CACHE_SECONDS)
    return past + todays


def partner_month_activity(partner: Partner, month: dt.date, *, today: dt.date | None = None) -> PartnerMonth:
    """The month's orders, net sales and the commission earned on them, net of what
    returns took back: the one source of these figures for the home page, the income page
    and its orders table (they used to read three different things)."""
    today = today or dates.shanghai_today()
    month = month_start(month)
    if month == month_start(today):
        return partner_month_so_far(partner, today)
    if month > today:
        return PartnerMonth(month=month)
    start, end = dates.month_bounds(month)
    return _partner_figures(partner, month, start, end)


def order_month_commission(order: Order, line: OrderLine, month: dt.date) -> Decimal:
    """What one line adds to the month's net commission (partner_month_activity): its
    commission if the order was paid in the month, less it if the order was returned, or
    cancelled after payment, in the month."""
    start, end = dates.month_bounds(month_start(month))

    def within(moment: dt.datetime | None) -> bool:
        return moment is not None and start <= moment < end

    amount = line.commission_amount or ZERO
    earned = amount if within(order.paid_at) else ZERO
    reversed_at = order.returned_at or (order.cancelled_at if order.paid_at else None)
    return earned - (amount if within(reversed_at) else ZERO)


def running_promotions(today: dt.date) -> QuerySet[Promotion]:
    return Promotion.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("ends_on", "pk")


def partner_home(partner: Partner, *, today: dt.date | None = None, todays_limit: int = 20) -> PartnerHome:
    today = today or dates.shanghai_today()
    todays = Order.objects.filter(partner=partner, placed_at__gte=day_start(today))
    todays_figures = todays.aggregate(count=Count("id"), total=Coalesce(Sum("total_amount"), ZERO))
    waiting = dict(
        Order.objects.filter(partner=partner, status__in=WAITING_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return PartnerHome(
        today=today,
        todays_orders=list(
            with_review_state(todays).select_related("villager").order_by("-placed_at", "-id")[:todays_limit]
        ),
        todays_count=todays_figures["count"],
        todays_total=todays_figures["total"],
        waiting_by_status=[
            (status, OrderStatus(status).label, waiting[status]) for status in WAITING_STATUSES if waiting.get(status)
        ],
        month=partner_month_so_far(partner, today),
        promotion=running_promotions(today).first(),
        arriving=list(parcels_to_receive(partner).select_related("villager")[:ARRIVING_LIMIT]),
    )


ARRIVING_LIMIT = 200


def parcels_to_receive(partner: Partner) -> QuerySet[Order]:
    """The partner's parcels at the county centre, the next stop being their service point."""
    return Order.objects.filter(partner=partner, status=OrderStatus.AT_COUNTY_CENTRE).order_by(
        "at_county_centre_at", "id"
    )


# ── Villagers ─────────────────────────────────────────────────────────────────


def villagers_with_order_stats(partner: Partner, *, search: str = "") -> QuerySet[Villager]:
    """The villagers of the partner's village with their order count and last order, in one query.

    Correlated subqueries rather than a GROUP BY over all the partner's orders: only the
    rows of the page shown are counted, each through the (villager, -placed_at) index.
    """
    villager_orders = Order.objects.filter(villager=OuterRef("pk")).order_by()
    last_order = Order.objects.filter(villager=OuterRef("pk")).order_by("-placed_at", "-id")
    queryset = Villager.objects.filter(village_id=partner.village_id).annotate(
        order_count=Coalesce(
            Subquery(villager_orders.values("villager").annotate(n=Count("id")).values("n")[:1]),
            0,
        ),
        last_order_at=Subquery(last_order.values("placed_at")[:1]),
        last_order_id=Subquery(last_order.values("id")[:1]),
        last_order_no=Subquery(last_order.values("order_no")[:1]),
        # A predecessor's order (the village's villagers outlive a partner) is named but not
        # linked: its page belongs to the partner who holds it.
        last_order_partner_id=Subquery(last_order.values("partner_id")[:1]),
    ).annotate(
        last_order_mine=Case(When(last_order_partner_id=partner.pk, then=Value(True)), default=Value(False)),
    )
    search = search.strip()
    if search:
        digits = search.replace(" ", "")
        if digits.isdigit():
            queryset = queryset.filter(phone__startswith=digits)
        else:
            queryset = queryset.filter(name__icontains=search)
    return queryset.order_by("name", "id")


def villager_suggestions(partner: Partner, query: str, *, limit: int = 8) -> list[Villager]:
    """Type-ahead on the new-order form: the village's villagers by phone prefix or name."""
    query = query.strip().replace(" ", "")
    if not query:
        return []
    queryset = Villager.objects.filter(village_id=partner.village_id)
    if query.isdigit():
        if len(query) < 3:
            return []
        queryset = queryset.filter(phone__startswith=query).order_by("phone")
    else:
        queryset = queryset.filter(name__icontains=query).order_by("name")
    return list(queryset.only("id", "name", "phone")[:limit])


# ── Reference data for the forms and the API ─────────────────────────────────


def categories_for_orders() -> list[Category]:
    return list(Category.objects.order_by("sort_order", "slug"))
