"""Replacing a village's partner (issue 17, item 4): the leaving partner exits, a successor
who passed training becomes active at the same service point, and the open orders (not
yet picked up) move to the successor — all in one transaction.

It lives with the orders, not with the partners, because it moves orders (the partners
app sits below this one). The status moves themselves are ``partner_transition``'s: the
same checks, history rows, tenures (closed and opened) and SMS as any exit and activation.
Commission stays with whoever placed each order (``Order.placed_by``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.models import ServicePoint
from partners.models import Partner, PartnerStatus
from partners.services import PartnerTransitionError, partner_transition
from partners.training import missing_required_courses, passed_training

from .models import Order, OrderStatus, OrderStatusChange

# The orders that move to the successor: everything not yet picked up (nor cancelled).
OPEN_ORDER_STATUSES = (
    OrderStatus.PLACED,
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.AT_COUNTY_CENTRE,
    OrderStatus.AT_SERVICE_POINT,
)
# Who can be replaced: a partner who holds a service point.
REPLACEABLE_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED)
MAX_REASON = 500


@dataclass
class Replacement:
    leaving: Partner
    successor: Partner
    service_point: ServicePoint
    moved_orders: list[int] = field(default_factory=list)


def successor_candidates(partner: Partner) -> QuerySet[Partner]:
    """Who may succeed ``partner``: partners in training of the same county who passed every
    required course, those of the partner's own village first."""
    county_id = partner.village.county_id
    trainees = Partner.objects.filter(status=PartnerStatus.TRAINING, village__county_id=county_id).exclude(
        pk=partner.pk
    )
    return passed_training(trainees).select_related("village").order_by("village__name", "real_name", "pk")


def _not_eligible(message: str, **kwargs) -> PartnerTransitionError:
    return PartnerTransitionError(message, code=kwargs.pop("code", "not_eligible"), **kwargs)


def partner_replace(*, partner_id: int, successor_id: int, reason: str, by_user: User | None) -> Replacement:
    """Replace partner ``partner_id`` by ``successor_id`` at their service point.

    Raises ``Partner.DoesNotExist`` for an unknown partner, ``ValidationError`` (field
    errors) for bad input, and ``PartnerTransitionError`` (409) when the partner cannot be
    replaced now or the successor is not eligible (``training_incomplete`` names the
    courses still to pass)."""
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give a reason for this change.")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [_("The reason is too long (at most %(n)s characters).") % {"n": MAX_REASON}]
    if successor_id == partner_id:
        errors["successor"] = [_("A partner cannot succeed themselves.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Both partners, in id order (two replacements crossing each other never deadlock),
        # then the service point: a second replacement of the same partner, or of another
        # partner by the same successor, waits here and then finds the first one done.
        locked = {
            p.pk: p
            for p in Partner.objects.select_for_update().filter(pk__in={partner_id, successor_id}).order_by("pk")
        }
        if partner_id not in locked:
            raise Partner.DoesNotExist
        leaving = locked[partner_id]
        successor = locked.get(successor_id)
        if successor is None:
            raise ValidationError({"successor": [_("No such partner.")]})
        if leaving.status not in REPLACEABLE_STATUSES or leaving.service_point_id is None:
            raise PartnerTransitionError(
                _("%(name)s is “%(status)s” and runs no service point: there is nobody to replace.")
                % {"name": leaving.real_name, "status": PartnerStatus(leaving.status).label},
                code="not_replaceable",
            )
        point = ServicePoint.objects.select_for_update().select_related("village").get(pk=leaving.service_point_id)
        _check_successor(successor, point)
        now = timezone.now()
        if successor.village_id != point.village_id:
            # A trainee of another village of the county takes over this one.
            successor.village = point.village
            successor.save(update_fields=["village"])
        leaving = partner_transition(
            partner_id=leaving.pk, to_status=PartnerStatus.EXITED, by_user=by_user, reason=reason
        )
        successor = partner_transition(
            partner_id=successor.pk,
            to_status=PartnerStatus.ACTIVE,
            by_user=by_user,
            reason=_("Succeeds %(name)s at service point %(code)s.") % {"name": leaving.real_name, "code": point.code},
        )
        moved = _move_open_orders(leaving=leaving, successor=successor, by_user=by_user, now=now, reason=reason)
    return Replacement(leaving=leaving, successor=successor, service_point=point, moved_orders=moved)


def _check_successor(successor: Partner, point: ServicePoint) -> None:
    if successor.status != PartnerStatus.TRAINING:
        raise _not_eligible(
            _("%(name)s is “%(status)s”: only a partner in training who passed it can succeed.")
            % {"name": successor.real_name, "status": PartnerStatus(successor.status).label}
        )
    county_id = Partner.objects.filter(pk=successor.pk).values_list("village__county_id", flat=True).get()
    if county_id != point.village.county_id:
        raise _not_eligible(
            _("%(name)s trained for another county and cannot take over this service point.")
            % {"name": successor.real_name}
        )
    missing = missing_required_courses(successor)
    if missing:
        raise _not_eligible(
            _("%(name)s has not passed every required course yet: %(courses)s.")
            % {"name": successor.real_name, "courses": "、".join(c.name for c in missing)},
            code="training_incomplete",
            missing_courses=missing,
        )


def _move_open_orders(*, leaving: Partner, successor: Partner, by_user: User | None, now, reason: str) -> list[int]:
    """The leaving partner's open orders become the successor's, each with a history row."""
    open_orders = list(
        Order.objects.select_for_update()
        .filter(partner=leaving, status__in=OPEN_ORDER_STATUSES)
        .order_by("pk")
        .values_list("pk", "status")
    )
    if not open_orders:
        return []
    ids = [pk for pk, _status in open_orders]
    Order.objects.filter(pk__in=ids).update(partner=successor, updated_at=now)
    note = _("Moved from %(leaving)s to %(successor)s, who succeeds them (%(reason)s).") % {
        "leaving": leaving.real_name,
        "successor": successor.real_name,
        "reason": reason,
    }
    OrderStatusChange.objects.bulk_create(
        OrderStatusChange(
            order_id=pk, from_status=status, to_status=status, changed_by=by_user, changed_at=now, reason=note
        )
        for pk, status in open_orders
    )
    return ids
