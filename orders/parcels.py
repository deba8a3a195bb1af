"""Parcels on their way, many at once: the county centre receives them from the carriers
and dispatches delivery runs to the service points; a partner marks a batch arrived.

Each call answers per number (or order) what happened, in the order given: moved, or
why not (not found — which is also the answer for another county's parcel —, already
there, or not in a state it can move from). The moves are set-based: one transaction,
the orders locked (SELECT … FOR UPDATE) and updated together, one status history row
each, so 2,000 parcels go in one call.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.selectors import centre_counties_for
from partners.models import Partner

from .models import (
    ORDER_TRANSITIONS,
    STATUS_TIMESTAMP_FIELD,
    Order,
    OrderStatus,
    OrderStatusChange,
    PlatformOrderNo,
)
from .pickup import pickup_codes_issue

MAX_NUMBERS = 5000
# Partners move their own parcels in batches up to the service point (picking up needs
# each villager's code, one by one).
BULK_STATUSES = (OrderStatus.SHIPPED, OrderStatus.AT_COUNTY_CENTRE, OrderStatus.AT_SERVICE_POINT)

MOVED, ALREADY, NOT_FOUND, ILLEGAL = "moved", "already", "not_found", "illegal"


@dataclass
class ParcelResult:
    number: str  # what was given: a tracking or order number, or an order id
    result: str  # moved, already, not_found, illegal
    order: Order | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.result in (MOVED, ALREADY)


def numbers_normalise(numbers: Any) -> list[str]:
    """The numbers of a pasted list or a scanner (one per line; commas and spaces also
    separate), upper-cased, duplicates dropped, in the order given."""
    if isinstance(numbers, str):
        numbers = numbers.replace(",", "\n").replace("，", "\n").split()
    seen: dict[str, None] = {}
    for number in numbers or []:
        text = str(number).strip().upper()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def _orders_by_number(numbers: Sequence[str], scope: QuerySet[Order]) -> dict[str, int]:
    """number → order id, for order numbers and tracking numbers (of the order or of one
    of its platform orders) within ``scope``."""
    found: dict[str, int] = {}
    for number, order_id in PlatformOrderNo.objects.filter(tracking_no__in=numbers, order__in=scope).values_list(
        "tracking_no", "order_id"
    ):
        found[number] = order_id
    for number, order_id in scope.filter(tracking_no__in=numbers).values_list("tracking_no", "id"):
        found[number] = order_id
    for number, order_id in scope.filter(order_no__in=numbers).values_list("order_no", "id"):
        found[number] = order_id
    return found


def _illegal(order: Order, to_status: str) -> str:
    return _("Order %(order_no)s is “%(status)s”: it cannot go to “%(to)s”.") % {
        "order_no": order.order_no,
        "status": order.get_status_display(),
        "to": OrderStatus(to_status).label,
    }


def _move(
    order_ids: Iterable[int], to_status: str, *, by_user, reason: str = "", now: dt.datetime
) -> tuple[dict[int, Order], dict[int, Order], dict[int, Order]]:
    """Lock the orders and move those that may go to ``to_status``, together. Returns
    (moved, already there, refused) by order id. Runs in the caller's transaction."""
    ids = sorted(set(order_ids))
    locked = {
        order.pk: order
        for order in Order.objects.select_for_update(of=("self",))
        .select_related("villager", "village__service_point", "partner")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    moved, already, refused = {}, {}, {}
    for pk, order in locked.items():
        if order.status == to_status:
            already[pk] = order
        elif to_status in ORDER_TRANSITIONS[order.status] and order.partner.is_active:
            moved[pk] = order
        else:
            refused[pk] = order
    if moved:
        field = STATUS_TIMESTAMP_FIELD[to_status]
        Order.objects.filter(pk__in=list(moved)).update(**{"status": to_status, field: now, "updated_at": now})
        OrderStatusChange.objects.bulk_create(
            [
                OrderStatusChange(
                    order_id=pk,
                    from_status=order.status,
                    to_status=to_status,
                    changed_by=by_user,
                    changed_at=now,
                    reason=reason,
                )
                for pk, order in moved.items()
            ],
            batch_size=2000,
        )
        for order in moved.values():
            order.status = to_status
            setattr(order, field, now)
        if to_status == OrderStatus.AT_SERVICE_POINT:
            pickup_codes_issue(moved.values(), now=now)
    return moved, already, refused


def _answer(given: Sequence[tuple[str, int | None]], moved, already, refused, to_status: str) -> list[ParcelResult]:
    answers = []
    for number, pk in given:
        if pk is None or (pk not in moved and pk not in already and pk not in refused):
            answers.append(ParcelResult(number, NOT_FOUND, message=_("No parcel with this number here.")))
        elif pk in moved:
            answers.append(ParcelResult(number, MOVED, moved[pk]))
        elif pk in already:
            answers.append(
                ParcelResult(
                    number,
                    ALREADY,
                    already[pk],
                    _("Already “%(status)s”.") % {"status": OrderStatus(to_status).label},
                )
            )
        else:
            order = refused[pk]
            message = _illegal(order, to_status)
            if not order.partner.is_active:
                message = _("Order %(order_no)s: its partner is not active.") % {"order_no": order.order_no}
            answers.append(ParcelResult(number, ILLEGAL, order, message))
    return answers


def centre_orders(user) -> QuerySet[Order]:
    """The orders whose parcels ``user`` moves at the county centre."""
    return Order.objects.filter(county__in=centre_counties_for(user))


def _too_many(numbers: Sequence) -> None:
    if len(numbers) > MAX_NUMBERS:
        raise ValidationError(
            {"numbers": [_("At most %(n)s numbers at once.") % {"n": MAX_NUMBERS}]},
        )


def parcels_receive(*, numbers: Any, by_user, now: dt.datetime | None = None) -> list[ParcelResult]:
    """The county centre received these parcels from the carriers: each shipped order
    found by its tracking or order number moves to ``at_county_centre``."""
    numbers = numbers_normalise(numbers)
    _too_many(numbers)
    now = now or timezone.now()
    with transaction.atomic():
        found = _orders_by_number(numbers, centre_orders(by_user))
        moved, already, refused = _move(found.values(), OrderStatus.AT_COUNTY_CENTRE, by_user=by_user, now=now)
    return _answer(
        [(number, found.get(number)) for number in numbers], moved, already, refused, OrderStatus.AT_COUNTY_CENTRE
    )


def parcels_dispatch(
    *,
    by_user,
    service_point_ids: Sequence[int] = (),
    order_ids: Sequence[int] = (),
    now: dt.datetime | None = None,
) -> list[ParcelResult]:
    """A delivery run: the parcels at the centre for these service points (all of them),
    or these orders, go to ``at_service_point``; each villager is texted a pickup code."""
    if not service_point_ids and not order_ids:
        raise ValidationError({"service_points": [_("Choose the service points of the run, or its orders.")]})
    _too_many(list(order_ids))
    now = now or timezone.now()
    scope = centre_orders(by_user)
    given: list[tuple[str, int | None]]
    with transaction.atomic():
        if service_point_ids:
            given = [
                (str(pk), pk)
                for pk in scope.filter(
                    village__service_point__in=list(service_point_ids), status=OrderStatus.AT_COUNTY_CENTRE
                )
                .order_by("village__service_point", "placed_at", "pk")
                .values_list("pk", flat=True)
            ]
        else:
            visible = set(scope.filter(pk__in=list(order_ids)).values_list("pk", flat=True))
            given = [(str(pk), pk if pk in visible else None) for pk in dict.fromkeys(order_ids)]
        moved, already, refused = _move(
            [pk for _number, pk in given if pk is not None], OrderStatus.AT_SERVICE_POINT, by_user=by_user, now=now
        )
    return _answer(given, moved, already, refused, OrderStatus.AT_SERVICE_POINT)


def orders_bulk_status(
    *, partner: Partner, order_ids: Sequence[int], to_status: str, by_user, now: dt.datetime | None = None
) -> list[ParcelResult]:
    """A partner moves several of their own parcels on at once (up to the service point)."""
    if to_status not in BULK_STATUSES:
        raise ValidationError(
            {"status": [_("Several orders at once go to shipped, the county centre or the service point only.")]}
        )
    _too_many(list(order_ids))
    now = now or timezone.now()
    with transaction.atomic():
        own = set(Order.objects.filter(partner=partner, pk__in=list(order_ids)).values_list("pk", flat=True))
        given = [(str(pk), pk if pk in own else None) for pk in dict.fromkeys(order_ids)]
        moved, already, refused = _move(own, to_status, by_user=by_user, now=now)
    return _answer(given, moved, already, refused, to_status)
