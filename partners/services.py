"""Writes of the onboarding workflow: applications, descriptive edits, status transitions, logins.

Every status change goes through ``partner_transition``: it locks the partner row, checks
the move against ``PARTNER_TRANSITIONS``, applies its side effects (login, service point,
timestamps) and writes the ``PartnerStatusChange`` row, all in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.models import ServicePoint, Village
from counties.services import service_point_create
from notifications.services import notify
from rural_taobao.access import PARTNER_GROUP
from rural_taobao.errors import Conflict
from rural_taobao.phones import normalize_phone

from .links import set_password_link_create, set_password_link_url, text_activation
from .models import PARTNER_TRANSITIONS, Partner, PartnerStatus, PartnerStatusChange, ServicePointTenure
from .training import missing_required_courses

# Moves that must say why: they end or interrupt someone's work with the programme.
REASON_REQUIRED_STATUSES = frozenset(
    {
        PartnerStatus.REJECTED,
        PartnerStatus.SUSPENDED,
        PartnerStatus.EXITED,
        PartnerStatus.FAILED,
        PartnerStatus.WITHDRAWN,
    }
)
# The endings from which the same person may apply again (``partner_reapply``): after
# PARTNER_REAPPLY_WAIT_DAYS when the programme said no, at once when they left themselves
# or left the programme in good order.
REAPPLY_AFTER_WAIT_STATUSES = frozenset({PartnerStatus.REJECTED, PartnerStatus.FAILED})
REAPPLY_AT_ONCE_STATUSES = frozenset({PartnerStatus.WITHDRAWN, PartnerStatus.EXITED})
REAPPLICABLE_STATUSES = REAPPLY_AFTER_WAIT_STATUSES | REAPPLY_AT_ONCE_STATUSES
# What a new application replaces; the old values stay in the reapplication's status change.
APPLICATION_FIELDS = ("real_name", "village", "previous_occupation", "motivation", "service_point_address")
# Moves that take the partner's login away at once (orders and income stay).
# A suspended partner cannot log in; an exited one keeps a login that reaches only their
# income pages and statements, for a year (partners.access.income_partner_of).
LOGIN_DISABLING_STATUSES = frozenset({PartnerStatus.SUSPENDED})
# Fields an admin may edit outside the workflow.
DESCRIPTIVE_FIELDS = ("real_name", "phone", "village", "previous_occupation", "motivation", "service_point_address")


class PartnerTransitionError(Conflict):
    """A status change that may not happen now. Pages show the message; the API answers
    409 with the message and the code.

    ``code`` says why: ``illegal_transition`` (not allowed from the current status),
    ``stale`` (someone else changed the partner since the page was loaded),
    ``village_taken`` (the village already has an active partner), ``login_conflict`` or
    ``training_incomplete`` (``missing_courses`` names the required courses not passed).
    """

    def __init__(self, message: str, *, code: str = "illegal_transition", missing_courses: list | None = None):
        super().__init__(message)
        self.code = code
        self.missing_courses = missing_courses or []

    def api_body(self) -> dict:
        body = {**super().api_body(), "code": self.code}
        if self.code == "training_incomplete":
            body["missing_courses"] = [{"id": c.pk, "name": c.name} for c in self.missing_courses]
        return body


class ReapplicationTooEarly(Conflict):
    """A rejected or failed applicant's new application before their waiting period ended;
    ``may_apply_on`` is the first Shanghai day it is taken."""

    def __init__(self, message: str, *, may_apply_on: dt.date):
        super().__init__(message)
        self.may_apply_on = may_apply_on


def _already_applied_error() -> ValidationError:
    return ValidationError({"phone": _("This mobile number has already applied. We will contact you about it.")})


@transaction.atomic
def partner_apply(
    *,
    real_name: str,
    phone: str,
    village: Village,
    previous_occupation: str = "",
    motivation: str = "",
    service_point_address: str = "",
    by_user: User | None = None,
) -> Partner:
    """A candidate's application (or an admin entering one): a Partner in status applied."""
    phone = normalize_phone(phone)
    if Partner.objects.filter(phone=phone).exists():
        raise _already_applied_error()
    now = timezone.now()
    partner = Partner(
        real_name=real_name.strip(),
        phone=phone,
        village=village,
        previous_occupation=previous_occupation.strip(),
        motivation=motivation.strip(),
        service_point_address=service_point_address.strip(),
        status=PartnerStatus.APPLIED,
        applied_at=now,
        status_changed_at=now,
    )
    partner.full_clean()
    try:
        # Two submissions of the same form race past the check above; the unique phone decides.
        with transaction.atomic():
            partner.save()
    except IntegrityError as exc:
        if Partner.objects.filter(phone=phone).exists():
            raise _already_applied_error() from exc
        raise
    PartnerStatusChange.objects.create(
        partner=partner,
        from_status="",
        to_status=PartnerStatus.APPLIED,
        changed_by=by_user,
        changed_at=now,
        reason="",
    )
    return partner


def reapply_from(partner: Partner) -> dt.date | None:
    """The first Shanghai day ``partner`` may apply again, or None when they cannot (they
    are not at an ending it leads back from: rejected, failed, withdrawn, exited)."""
    if partner.status in REAPPLY_AT_ONCE_STATUSES:
        return timezone.localdate(partner.status_changed_at)
    if partner.status in REAPPLY_AFTER_WAIT_STATUSES:
        return timezone.localdate(partner.status_changed_at) + dt.timedelta(days=settings.PARTNER_REAPPLY_WAIT_DAYS)
    return None


@transaction.atomic
def partner_reapply(
    *,
    partner_id: int,
    real_name: str,
    village: Village,
    previous_occupation: str = "",
    motivation: str = "",
    service_point_address: str = "",
    by_user: User | None = None,
) -> Partner:
    """The same person applies again after an ending: the same partner record returns to
    ``applied`` with the new application's details; everything before stays (status
    changes, simple_history, training results, orders, statements, the login).

    Refuses with ``ReapplicationTooEarly`` before the waiting period ends and with
    ``PartnerTransitionError`` when the partner is not at such an ending (any more)."""
    # The lock makes two submissions at once take turns: the second finds them applied.
    partner = Partner.objects.select_for_update().select_related("village").get(pk=partner_id)
    may_apply_on = reapply_from(partner)
    if may_apply_on is None:
        raise PartnerTransitionError(
            _("%(name)s is “%(status)s” and cannot apply again.")
            % {"name": partner.real_name, "status": PartnerStatus(partner.status).label}
        )
    if timezone.localdate() < may_apply_on:
        raise ReapplicationTooEarly(
            _("You may apply again from %(date)s.") % {"date": may_apply_on.isoformat()}, may_apply_on=may_apply_on
        )
    previous = {
        "real_name": partner.real_name,
        "village": {"id": partner.village_id, "name": partner.village.name},
        "previous_occupation": partner.previous_occupation,
        "motivation": partner.motivation,
        "service_point_address": partner.service_point_address,
    }
    from_status = partner.status
    now = timezone.now()
    partner.real_name = real_name.strip()
    partner.village = village
    partner.previous_occupation = previous_occupation.strip()
    partner.motivation = motivation.strip()
    partner.service_point_address = service_point_address.strip()
    partner.status = PartnerStatus.APPLIED
    partner.status_changed_at = now
    partner.reapplied_at = now
    partner.full_clean()
    partner.save()
    # An exited partner's login (kept for their income pages) rests until they are active
    # again: activation re-enables it (``_enable_login``), orders and statements stay theirs.
    _disable_login(partner)
    PartnerStatusChange.objects.create(
        partner=partner,
        from_status=from_status,
        to_status=PartnerStatus.APPLIED,
        changed_by=by_user,
        changed_at=now,
        reason="",
        previous_application=previous,
    )
    return partner


@transaction.atomic
def partner_update(*, partner_id: int, by_user: User | None, **changes) -> Partner:
    """Edit descriptive fields (never the status: that is ``partner_transition``'s job)."""
    unknown = set(changes) - set(DESCRIPTIVE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    partner = Partner.objects.select_for_update().get(pk=partner_id)
    if "phone" in changes:
        changes["phone"] = normalize_phone(changes["phone"])
        if Partner.objects.filter(phone=changes["phone"]).exclude(pk=partner.pk).exists():
            raise ValidationError({"phone": _("Another partner already has this mobile number.")})
    moves_village = "village" in changes and changes["village"].pk != partner.village_id
    if moves_village and partner.status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED):
        raise ValidationError(
            {"village": _("The village of an active or suspended partner cannot change: the partner exits first.")}
        )
    for name, value in changes.items():
        setattr(partner, name, value.strip() if isinstance(value, str) else value)
    partner.full_clean()
    if "phone" in changes and partner.user is not None and partner.user.username != partner.phone:
        # The login's username is the mobile number; it follows the number.
        if User.objects.filter(username=partner.phone).exclude(pk=partner.user.pk).exists():
            raise ValidationError({"phone": _("A login with this mobile number already exists.")})
        partner.user.username = partner.phone
        partner.user.save(update_fields=["username"])
    partner.save()
    return partner


def partner_transition(
    *,
    partner_id: int,
    to_status: str,
    by_user: User | None,
    reason: str = "",
    expected_status: str | None = None,
) -> Partner:
    """Move a partner to ``to_status`` and record it, or refuse with ``PartnerTransitionError``.

    ``expected_status`` is the status the admin saw when they pressed the button; if the
    partner has moved on since, the change is refused as stale instead of applied to a
    state nobody looked at. Raises ``Partner.DoesNotExist`` for an unknown id and
    ``ValidationError`` when a reason is required but missing.
    """
    reason = (reason or "").strip()
    if to_status not in PartnerStatus.values:
        raise PartnerTransitionError(_("Unknown status: %(status)s.") % {"status": to_status})
    if to_status in REASON_REQUIRED_STATUSES and not reason:
        raise ValidationError({"reason": _("Give a reason for this change.")})
    with transaction.atomic():
        # The row lock makes two admins pressing buttons at once take turns; the second
        # then sees the first one's status and is refused as stale or illegal.
        partner = Partner.objects.select_for_update().get(pk=partner_id)
        from_status = partner.status
        if expected_status is not None and from_status != expected_status:
            raise PartnerTransitionError(
                _("%(name)s is now “%(status)s”: someone changed it meanwhile. Nothing was changed; look again.")
                % {"name": partner.real_name, "status": PartnerStatus(from_status).label},
                code="stale",
            )
        if to_status not in PARTNER_TRANSITIONS[from_status]:
            raise PartnerTransitionError(
                _("A partner cannot go from “%(from)s” to “%(to)s”.")
                % {"from": PartnerStatus(from_status).label, "to": PartnerStatus(to_status).label}
            )
        if from_status == PartnerStatus.TRAINING and to_status == PartnerStatus.ACTIVE:
            missing = missing_required_courses(partner)
            if missing:
                raise PartnerTransitionError(
                    _("%(name)s has not passed every required course yet: %(courses)s.")
                    % {"name": partner.real_name, "courses": "、".join(c.name for c in missing)},
                    code="training_incomplete",
                    missing_courses=missing,
                )
        now = timezone.now()
        update_fields = ["status", "status_changed_at"]
        if to_status == PartnerStatus.ACTIVE:
            _activate(partner, now=now)
            update_fields += ["user", "service_point", "activated_at"]
        elif to_status in LOGIN_DISABLING_STATUSES:
            _disable_login(partner)
        if to_status == PartnerStatus.EXITED:
            partner.exited_at = now
            update_fields.append("exited_at")
        partner.status = to_status
        partner.status_changed_at = now
        try:
            with transaction.atomic():
                partner.save(update_fields=update_fields)
        except IntegrityError as exc:
            # The partial unique index has the last word on one active partner per village.
            if "one_active_partner_per_village" in str(exc):
                holder = (
                    Partner.objects.filter(village_id=partner.village_id, status=PartnerStatus.ACTIVE)
                    .exclude(pk=partner.pk)
                    .first()
                )
                raise _village_taken_error(holder) from exc
            raise
        if to_status == PartnerStatus.ACTIVE:
            _tenure_open(partner, now=now)
        elif to_status == PartnerStatus.EXITED:
            _tenure_close(partner, now=now)
        PartnerStatusChange.objects.create(
            partner=partner,
            from_status=from_status,
            to_status=to_status,
            changed_by=by_user,
            changed_at=now,
            reason=reason,
        )
        if to_status == PartnerStatus.ACTIVE and from_status == PartnerStatus.TRAINING:
            # A new partner: their login's short set-password link, by SMS (and on the sheet).
            assert partner.user is not None  # noqa: S101  # nosec B101 (activation made it)
            link = set_password_link_url(set_password_link_create(partner.user))
            notify(partner.phone, "application_active", text_activation(link))
        elif from_status in APPLICATION_STATUSES:
            notify(partner.phone, "application_" + to_status, text_application_moved(partner, to_status))
    return partner


# The statuses of an application on its way (a move out of one of them texts the applicant).
APPLICATION_STATUSES = (
    PartnerStatus.APPLIED,
    PartnerStatus.REVIEWING,
    PartnerStatus.APPROVED,
    PartnerStatus.TRAINING,
)

# One SMS segment each (70 characters) with a name of up to 8 characters.
_APPLICATION_TEXTS = {
    PartnerStatus.REVIEWING: "【农村淘宝】{name}您好，您的合伙人申请已进入审核，请保持电话畅通。",
    PartnerStatus.APPROVED: "【农村淘宝】{name}您好，您的合伙人申请已通过审核，县服务中心将通知您参加培训。",
    PartnerStatus.REJECTED: "【农村淘宝】{name}您好，很抱歉，您的合伙人申请未通过，如有疑问请联系县服务中心。",
    PartnerStatus.TRAINING: "【农村淘宝】{name}您好，您已进入合伙人培训，请按县服务中心的通知参加课程。",
    PartnerStatus.FAILED: "【农村淘宝】{name}您好，很遗憾，您未通过合伙人培训考核，如有疑问请联系县服务中心。",
    PartnerStatus.WITHDRAWN: "【农村淘宝】{name}您好，您的合伙人申请已撤回。如想再做合伙人，可随时重新申请。",
}


def text_application_moved(partner: Partner, to_status: str) -> str:
    """The applicant's SMS when their application moves to ``to_status`` (Chinese, ≤ 70 characters)."""
    name = partner.real_name.strip()
    name = name if len(name) <= 8 else name[:7] + "…"
    return _APPLICATION_TEXTS[PartnerStatus(to_status)].format(name=name)


def _active_partner_in_village(village_id: int, *, exclude_pk: int) -> Partner | None:
    return Partner.objects.filter(village_id=village_id, status=PartnerStatus.ACTIVE).exclude(pk=exclude_pk).first()


def _village_taken_error(holder: Partner | None) -> PartnerTransitionError:
    name = holder.real_name if holder else "?"
    return PartnerTransitionError(
        _("This village already has an active partner: %(name)s.") % {"name": name}, code="village_taken"
    )


def _activate(partner: Partner, *, now) -> None:
    # Locking the village serialises activations in one village: the second one waits,
    # then sees the first partner active. It also keeps two activations from both
    # creating the village's (one-to-one) service point.
    village = Village.objects.select_for_update().get(pk=partner.village_id)
    holder = _active_partner_in_village(village.pk, exclude_pk=partner.pk)
    if holder is not None:
        raise _village_taken_error(holder)
    partner.service_point = _service_point_for(village, address=partner.service_point_address, today=now)
    partner.user = _enable_login(partner)
    if partner.activated_at is None:
        # Reinstatement keeps the first activation: the funnel measures application → first activation.
        partner.activated_at = now


def _service_point_for(village: Village, *, address: str, today) -> ServicePoint:
    """The village's station: the existing one (reopened if it was closed) or a new one."""
    service_point = ServicePoint.objects.filter(village=village).first()
    if service_point is None:
        return service_point_create(
            village=village,
            # Stored data, not interface text: the default address is Chinese whatever the admin's language.
            address=address or f"{village.name}服务站",
            opened_on=timezone.localdate(today),
        )
    if service_point.closed_on is not None:
        service_point.closed_on = None
        service_point.save(update_fields=["closed_on"])
    return service_point


def _tenure_open(partner: Partner, *, now) -> None:
    """The partner's tenure of their service point begins (a reinstated partner's goes on).
    Called after activation gave them the point."""
    open_tenure = ServicePointTenure.objects.filter(service_point_id=partner.service_point_id, ended__isnull=True).first()
    if open_tenure is not None and open_tenure.partner_id == partner.pk:
        return
    if open_tenure is not None:
        # A suspended partner still holds the point: they exit (or are replaced) first.
        raise _village_taken_error(open_tenure.partner)
    try:
        with transaction.atomic():
            ServicePointTenure.objects.create(service_point_id=partner.service_point_id or 0, partner=partner, started=now)
    except IntegrityError as exc:
        # The partial unique index has the last word on one partner per service point.
        raise _village_taken_error(None) from exc


def _tenure_close(partner: Partner, *, now) -> None:
    # Never before it started (a clock set back, or a tenure stamped from another clock).
    ServicePointTenure.objects.filter(partner=partner, ended__isnull=True).update(
        ended=Greatest(Value(now), F("started"))
    )


def _enable_login(partner: Partner) -> User:
    """The partner's login, created on first activation (username = mobile number) or re-enabled."""
    group, _created = Group.objects.get_or_create(name=PARTNER_GROUP)
    user = partner.user
    if user is None:
        user = User.objects.filter(username=partner.phone).first()
        if user is None:
            user = User(username=partner.phone, first_name=partner.real_name[:150])
            # No password until the partner sets one through the one-time link.
            user.set_unusable_password()
            user.save()
        else:
            belongs_elsewhere = (
                Partner.objects.filter(user=user).exclude(pk=partner.pk).exists()
                or user.is_staff
                or user.is_superuser
                or user.groups.exclude(name=PARTNER_GROUP).exists()
            )
            if belongs_elsewhere:
                raise PartnerTransitionError(
                    _("A login named %(username)s already exists and belongs to someone else.")
                    % {"username": partner.phone},
                    code="login_conflict",
                )
            # An orphaned login with this number: take it over, but nobody keeps its old password.
            user.set_unusable_password()
            user.is_active = True
            user.save()
    elif not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    user.groups.add(group)
    return user


def _disable_login(partner: Partner) -> None:
    # Django's ModelBackend re-reads the user on every request and refuses inactive ones,
    # and DRF's TokenAuthentication does the same: sessions and tokens stop working now.
    if partner.user is not None and partner.user.is_active:
        partner.user.is_active = False
        partner.user.save(update_fields=["is_active"])
