"""The platform's side of an order, for tests: the partner's recorded number and the
record a platform feed would have imported, at chosen moments."""

import itertools
from decimal import Decimal

from orders.models import Order, PlatformOrder, PlatformOrderNo

_numbers = itertools.count(4_100_000_000_000_000_000)


def record_number(order: Order, *, at=None, number: str | None = None) -> str:
    """The partner recorded a platform order number for `order` (at `at`, default: placed)."""
    number = number or str(next(_numbers))
    PlatformOrderNo.objects.create(order=order, number=number, created_at=at or order.placed_at)
    return number


def platform_says(
    number: str,
    *,
    status: str,
    at,
    amount: Decimal,
    paid_at=None,
    confirmed_at=None,
    refunded_at=None,
    refunded_amount: Decimal | None = None,
) -> PlatformOrder:
    """The feed brought (or changed) the record of `number` at moment `at`."""
    record, _created = PlatformOrder.objects.update_or_create(
        number=number,
        defaults={
            "status": status,
            "amount": amount,
            "paid_at": paid_at,
            "confirmed_at": confirmed_at,
            "refunded_at": refunded_at,
            "refunded_amount": refunded_amount if refunded_amount is not None else (amount if refunded_at else 0),
            "changed_at": at,
        },
        create_defaults={
            "status": status,
            "amount": amount,
            "paid_at": paid_at,
            "confirmed_at": confirmed_at,
            "refunded_at": refunded_at,
            "refunded_amount": refunded_amount if refunded_amount is not None else (amount if refunded_at else 0),
            "changed_at": at,
            "first_seen_at": at,
        },
    )
    return record
