"""Reads of the flags, scoped to who asks: admins see every county's, county staff their
counties', nobody else any. Every page, export and API view goes through ``flags_visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from orders.models import Order, OrderLine, OrderStatus
from orders.selectors import with_review_state
from rural_taobao.access import is_admin, is_county_staff

from .models import Flag, FlagStatus, Rule, Severity

ZERO = Decimal("0.00")
SEVERITY_ORDER = Case(
    When(severity=Severity.HIGH, then=Value(0)),
    When(severity=Severity.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def flags_visible_to(user) -> QuerySet[Flag]:
    if is_admin(user):
        return Flag.objects.all()
    if is_county_staff(user):
        return Flag.objects.filter(county__staff_assignments__user=user)
    return Flag.objects.none()


def flag_list(
    user,
    *,
    status: str | None = None,
    rule: str | None = None,
    county: str | None = None,
    partner: int | None = None,
    severity: str | None = None,
) -> QuerySet[Flag]:
    """The flags ``user`` may see, filtered; most severe first, then oldest first."""
    flags = flags_visible_to(user)
    if status:
        flags = flags.filter(status=status)
    if rule:
        flags = flags.filter(rule=rule)
    if county:
        flags = flags.filter(county__code=county)
    if partner:
        flags = flags.filter(partner_id=partner)
    if severity:
        flags = flags.filter(severity=severity)
    return (
        flags.select_related("order", "county", "partner", "reviewed_by")
        .annotate(severity_rank=SEVERITY_ORDER)
        .order_by("severity_rank", "created_at", "id")
    )


def flag_for(user, flag_id) -> Flag:
    """One flag ``user`` may see (``Flag.DoesNotExist`` otherwise)."""
    return flags_visible_to(user).select_related("order", "county", "partner", "reviewed_by").get(pk=flag_id)


# ── a flagged order's context ────────────────────────────────────────────────


@dataclass
class PartnerHistory:
    days: int
    orders: int
    sales: Decimal
    cancelled_or_returned: int
    open_flags: int
    confirmed_flags: int
    cleared_flags: int
    recent_orders: list[Order]


def partner_history(partner_id: int, *, days: int = 30, around: dt.datetime | None = None) -> PartnerHistory:
    """The partner's ``days`` days of orders before ``around`` (the order under review:
    the figures count the orders before it, the list shows the last ten up to and
    including it) and their record of flags."""
    end = around or timezone.now()
    start = end - dt.timedelta(days=days)
    window = Order.objects.filter(partner_id=partner_id, placed_at__gte=start, placed_at__lte=end)
    orders = window.filter(placed_at__lt=end)
    totals = orders.aggregate(
        n=Count("id"),
        sales=Sum("total_amount", filter=Q(paid_at__isnull=False) & ~Q(status__in=["cancelled", "returned"])),
        lost=Count("id", filter=Q(status__in=[OrderStatus.CANCELLED, OrderStatus.RETURNED])),
    )
    flags = dict(Flag.objects.filter(partner_id=partner_id).values_list("status").annotate(n=Count("id")).order_by())
    recent = list(with_review_state(window).select_related("villager").order_by("-placed_at", "-id")[:10])
    return PartnerHistory(
        days=days,
        orders=totals["n"] or 0,
        sales=totals["sales"] or ZERO,
        cancelled_or_returned=totals["lost"] or 0,
        open_flags=flags.get(FlagStatus.OPEN, 0),
        confirmed_flags=flags.get(FlagStatus.CONFIRMED, 0),
        cleared_flags=flags.get(FlagStatus.CLEARED, 0),
        recent_orders=recent,
    )


# ── figures ──────────────────────────────────────────────────────────────────


def _held_orders(flags: QuerySet[Flag]) -> QuerySet[Order]:
    return Order.objects.filter(
        pk__in=flags.filter(status=FlagStatus.OPEN).values("order_id"),
    ).exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.RETURNED])


def held_commission(flags: QuerySet[Flag]) -> Decimal:
    """The commission held on the orders under an open flag among ``flags``."""
    held = OrderLine.objects.filter(order__in=_held_orders(flags)).aggregate(s=Sum("commission_amount"))["s"]
    return held or ZERO


def partner_held_commission(partner_id: int) -> Decimal:
    return held_commission(Flag.objects.filter(partner_id=partner_id))


@dataclass
class FlagFigures:
    open_flags: int
    orders_under_review: int
    held: Decimal
    confirmed: int
    cleared: int


def flag_figures(*, county_ids: list[int] | None = None) -> FlagFigures:
    """Open flags, orders under review and commission held (one county, some, or all)."""
    flags = Flag.objects.all() if county_ids is None else Flag.objects.filter(county_id__in=county_ids)
    counts = flags.aggregate(
        open=Count("id", filter=Q(status=FlagStatus.OPEN)),
        orders=Count("order_id", distinct=True, filter=Q(status=FlagStatus.OPEN)),
        confirmed=Count("id", filter=Q(status=FlagStatus.CONFIRMED)),
        cleared=Count("id", filter=Q(status=FlagStatus.CLEARED)),
    )
    return FlagFigures(
        open_flags=counts["open"],
        orders_under_review=counts["orders"],
        held=held_commission(flags),
        confirmed=counts["confirmed"],
        cleared=counts["cleared"],
    )


def flags_by_rule(*, county_ids: list[int] | None = None) -> list[dict]:
    """Per rule: open, confirmed and cleared flags (every rule, zeros included)."""
    flags = Flag.objects.all() if county_ids is None else Flag.objects.filter(county_id__in=county_ids)
    counts = {
        row["rule"]: row
        for row in flags.values("rule")
        .annotate(
            open=Count("id", filter=Q(status=FlagStatus.OPEN)),
            confirmed=Count("id", filter=Q(status=FlagStatus.CONFIRMED)),
            cleared=Count("id", filter=Q(status=FlagStatus.CLEARED)),
        )
        .order_by()
    }
    return [
        {
            "rule": rule,
            "label": Rule(rule).label,
            "open": counts.get(rule, {}).get("open", 0),
            "confirmed": counts.get(rule, {}).get("confirmed", 0),
            "cleared": counts.get(rule, {}).get("cleared", 0),
        }
        for rule in Rule.values
    ]


def counties_with_most_open_flags(limit: int = 10) -> list[dict]:
    return list(
        Flag.objects.filter(status=FlagStatus.OPEN)
        .values("county__code", "county__name")
        .annotate(open=Count("id"))
        .order_by("-open", "county__code")[:limit]
    )
