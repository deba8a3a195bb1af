"""Pickup codes: the proof that the villager came to the service point.

When a parcel reaches the service point the villager gets a 6-digit code by SMS; moving
the order to ``picked_up`` needs it. Only a keyed hash of the code is kept, so no page,
export or API can show it (a resend issues a new code). Wrong codes are counted per
order: the ``PICKUP_MAX_FAILURES``-th in a row locks the order's pickup for
``PICKUP_LOCK``. County centre staff of the order's county or an admin may hand a parcel
over without the code, giving a reason (recorded on the code and the status history).

The texts sent to villagers are Simplified Chinese and fit one SMS segment (70 characters).
"""

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from notifications.services import notify, notify_many
from rural_taobao.errors import Conflict, InvalidInput, ServiceError

from .models import Order, OrderStatus, PickupCode

PICKUP_MAX_FAILURES = 5
PICKUP_LOCK = dt.timedelta(minutes=15)
# A partner may have the code sent again, a few times: each send is an SMS paid for.
PICKUP_MAX_SENDS = 5
SMS_LIMIT = 70
PICKUP_CODE_FIELD = "pickup_code"


class PickupLocked(ServiceError):
    status_code = 429

    def __init__(self, until: dt.datetime):
        local = timezone.localtime(until)
        super().__init__(
            _("Too many wrong pickup codes: this parcel's pickup is locked until %(time)s.")
            % {"time": local.strftime("%H:%M")}
        )
        self.until = until

    def api_body(self):
        return {"detail": self.message, "locked_until": self.until.isoformat()}


class ResendRefused(Conflict):
    pass


def _hash(order_id: int, code: str) -> str:
    return salted_hmac("orders.pickup_code", f"{order_id}:{code}").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _fit(text: str, *, cut: str) -> str:
    """``text`` with ``cut`` (a part of it, such as an address) shortened so the whole
    fits one SMS segment."""
    over = len(text) - SMS_LIMIT
    if over <= 0:
        return text
    return text.replace(cut, cut[: max(0, len(cut) - over - 1)] + "…")


# ── The villager's messages (Simplified Chinese, one segment each) ───────────


def text_placed(order: Order) -> str:
    return f"【农村淘宝】订单{order.order_no}已下单，金额¥{order.total_amount}。取件时请带好手机。"


def text_at_service_point(order: Order, code: str, address: str) -> str:
    text = f"【农村淘宝】包裹已到{address}，取件码{code}，订单{order.order_no}。"
    return _fit(text, cut=address) if address else text


def text_picked_up(order: Order) -> str:
    return f"【农村淘宝】订单{order.order_no}已取件，感谢使用农村淘宝。"


def text_returned(order: Order) -> str:
    return f"【农村淘宝】订单{order.order_no}已退货，退款以平台为准。"


def _address(order: Order) -> str:
    service_point = getattr(order.village, "service_point", None)
    return service_point.address if service_point is not None else order.village.name


def _send_code(order: Order, code: str) -> None:
    notify(order.villager.phone, "pickup_code", text_at_service_point(order, code, _address(order)))


# ── Issuing, checking, resending, overriding ─────────────────────────────────


def pickup_codes_issue(orders: Iterable[Order], *, now: dt.datetime) -> int:
    """A new code for each of ``orders`` (just moved to the service point, in the caller's
    transaction), texted to its villager once the transaction commits (the codes in one
    INSERT, the texts in another: a delivery run of 2,000 parcels). The orders need
    their villager and village (with its service point) loaded."""
    orders = list(orders)
    if not orders:
        return 0
    codes = {order.pk: _new_code() for order in orders}
    PickupCode.objects.bulk_create(
        [PickupCode(order_id=pk, code_hash=_hash(pk, code), issued_at=now) for pk, code in codes.items()],
        update_conflicts=True,
        unique_fields=["order"],
        update_fields=["code_hash", "issued_at", "failures", "locked_until", "used_at"],
    )
    notify_many(
        (order.villager.phone, "pickup_code", text_at_service_point(order, codes[order.pk], _address(order)))
        for order in orders
    )
    return len(orders)


def pickup_code_check(order_id: int, code: str | None, *, now: dt.datetime | None = None) -> None:
    """Raise unless ``code`` is the order's pickup code. A wrong code is counted (in a
    transaction of its own, so the count stays when the move is refused); the
    PICKUP_MAX_FAILURES-th locks the pickup for PICKUP_LOCK."""
    now = now or timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        row = PickupCode.objects.select_for_update().filter(order_id=order_id).first()
        if row is None:
            raise InvalidInput(
                _("This parcel has no pickup code yet: resend it to the villager."), field=PICKUP_CODE_FIELD
            )
        if row.locked_until is not None and row.locked_until > now:
            raise PickupLocked(row.locked_until)
        if not code:  # nothing entered yet: not a guess
            raise InvalidInput(
                _("Enter the 6-digit pickup code the villager received by SMS."), field=PICKUP_CODE_FIELD
            )
        if code and constant_time_compare(_hash(order_id, code), row.code_hash):
            if row.failures:
                row.failures = 0
                row.save(update_fields=["failures"])
            return
        row.failures += 1
        locked = row.failures >= PICKUP_MAX_FAILURES
        if locked:
            row.failures, row.locked_until = 0, now + PICKUP_LOCK
        row.save(update_fields=["failures", "locked_until"])
    if locked:
        raise PickupLocked(now + PICKUP_LOCK)
    raise InvalidInput(
        _("That is not this parcel's pickup code (%(left)s tries left before it locks).")
        % {"left": PICKUP_MAX_FAILURES - row.failures},
        field=PICKUP_CODE_FIELD,
    )


def pickup_code_mark_used(order_id: int, *, now: dt.datetime, overridden_by=None, reason: str = "") -> None:
    """In the transaction of the pickup: the code is spent (or the override recorded)."""
    fields: dict[str, Any] = {"used_at": now}
    if overridden_by is not None:
        fields.update(overridden_by=overridden_by, override_reason=reason)
        created = PickupCode.objects.filter(order_id=order_id).update(**fields)
        if not created:
            PickupCode.objects.create(order_id=order_id, code_hash="", issued_at=now, sends=0, **fields)
        return
    PickupCode.objects.filter(order_id=order_id).update(**fields)


def pickup_code_resend(order: Order, *, now: dt.datetime | None = None) -> PickupCode:
    """A new code for a parcel waiting at the service point, texted to the villager (the
    old one stops working)."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            Order.objects.select_for_update(of=("self",))
            .select_related("villager", "village__service_point")
            .get(pk=order.pk)
        )
        if current.status != OrderStatus.AT_SERVICE_POINT:
            raise ResendRefused(
                _("Order %(order_no)s is not waiting at the service point: there is no code to send.")
                % {"order_no": current.order_no}
            )
        row = PickupCode.objects.select_for_update().filter(order_id=current.pk).first()
        if row is not None and row.sends >= PICKUP_MAX_SENDS:
            raise ResendRefused(
                _("The code was sent %(n)s times already: ask the county centre to hand the parcel over.")
                % {"n": row.sends}
            )
        code = _new_code()
        if row is None:
            row = PickupCode.objects.create(order_id=current.pk, code_hash=_hash(current.pk, code), issued_at=now)
        else:
            row.code_hash, row.issued_at, row.sends = _hash(current.pk, code), now, row.sends + 1
            row.save(update_fields=["code_hash", "issued_at", "sends"])
        _send_code(current, code)
    return row
