"""Writes of the review: confirm or clear a flag (one, or every open flag of a rule), and
admins' changes to the rules (audited).

A confirmed flag takes the order out of the sales figures: the Shanghai days its money
moved (payment, cancellation, return) are marked dirty in the same transaction, and the
next nightly run rebuilds them without it (and claws back its commission if it was paid).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.dirty_days import mark_days_dirty
from orders.models import Order
from rural_taobao import dates
from rural_taobao.errors import Conflict, InvalidInput, NotFound

from .models import Flag, FlagStatus, Rule, RuleSetting, RuleSettingChange, Severity
from .rules import RULE_PARAMS, rule_configs
from .selectors import flags_visible_to

MAX_REASON = 1000
DECISIONS = {"confirm": FlagStatus.CONFIRMED, "clear": FlagStatus.CLEARED}


class FlagAlreadyReviewed(Conflict):
    """The flag was reviewed already (409, with its status)."""

    def __init__(self, message: str, *, status: str):
        super().__init__(message)
        self.status = status

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "code": "already_reviewed", "status": self.status}


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for your decision."), field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("At most %(max)d characters.") % {"max": MAX_REASON}, field="reason")
    return reason


def _money_days(order_ids: list[int]) -> set:
    days = set()
    for moments in Order.objects.filter(pk__in=order_ids).values_list("paid_at", "cancelled_at", "returned_at"):
        days |= {dates.shanghai_day(moment) for moment in moments if moment is not None}
    return days


def _review(flags: list[Flag], *, status: str, reason: str, by_user: User) -> None:
    now = timezone.now()
    for flag in flags:
        flag.status, flag.reviewed_by, flag.reviewed_at, flag.reason = status, by_user, now, reason
    Flag.objects.bulk_update(flags, ["status", "reviewed_by", "reviewed_at", "reason"])
    order_ids = sorted({flag.order_id for flag in flags})
    if status == FlagStatus.CONFIRMED:
        mark_days_dirty(_money_days(order_ids))


@transaction.atomic
def flag_review(*, flag_id: Any, by_user: User, decision: str, reason: str | None) -> Flag:
    """Confirm or clear one open flag the reviewer may see, with a reason."""
    if decision not in DECISIONS:
        raise InvalidInput(_("Decide “confirm” or “clear”."), field="decision")
    reason = _clean_reason(reason)
    try:
        flag = flags_visible_to(by_user).select_for_update(of=("self",)).get(pk=flag_id)
    except (Flag.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No flag %(id)s.") % {"id": flag_id}) from None
    if flag.status != FlagStatus.OPEN:
        raise FlagAlreadyReviewed(
            _("This flag was reviewed already: “%(status)s”.") % {"status": flag.get_status_display()},
            status=flag.status,
        )
    _review([flag], status=DECISIONS[decision], reason=reason, by_user=by_user)
    return flag


@transaction.atomic
def flags_bulk_clear(*, by_user: User, rule: str, reason: str | None, county: str | None = None) -> int:
    """Clear every open flag of ``rule`` the reviewer may see (in one county, if given)."""
    if rule not in Rule.values:
        raise InvalidInput(_("Choose a rule."), field="rule")
    reason = _clean_reason(reason)
    flags = flags_visible_to(by_user).filter(rule=rule, status=FlagStatus.OPEN)
    if county:
        flags = flags.filter(county__code=county)
    locked = list(flags.select_for_update(of=("self",)).order_by("pk"))
    if locked:
        _review(locked, status=FlagStatus.CLEARED, reason=reason, by_user=by_user)
    return len(locked)


# ── the rules' settings ──────────────────────────────────────────────────────


@transaction.atomic
def rule_setting_update(
    *, rule: str, enabled: bool, severity: str, params: dict[str, Any], by_user: User | None
) -> RuleSetting:
    """An admin's change to one rule: switch, severity, thresholds (each at least its
    minimum; whole numbers where the rule counts). Recorded with the values before."""
    if rule not in Rule.values:
        raise InvalidInput(_("Choose a rule."), field="rule")
    if severity not in Severity.values:
        raise InvalidInput(_("Choose a severity."), field="severity")
    clean: dict[str, str] = {}
    for param in RULE_PARAMS[rule]:
        raw = params.get(param.name, param.default)
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise InvalidInput(_("Enter a number."), field=param.name) from None
        if not value.is_finite():
            raise InvalidInput(_("Enter a number."), field=param.name)
        if param.integer and value != value.to_integral_value():
            raise InvalidInput(_("Enter a whole number."), field=param.name)
        if value < param.minimum:
            raise InvalidInput(_("At least %(minimum)s.") % {"minimum": param.minimum}, field=param.name)
        if value > Decimal("1000000000"):
            raise InvalidInput(_("At most %(maximum)s.") % {"maximum": "1000000000"}, field=param.name)
        clean[param.name] = str(int(value)) if param.integer else str(value)
    current = rule_configs()[rule]
    before = {
        "enabled": current.enabled,
        "severity": current.severity,
        "params": {k: str(v) for k, v in current.params.items()},
    }
    after = {"enabled": bool(enabled), "severity": severity, "params": clean}
    setting, _created = RuleSetting.objects.select_for_update().get_or_create(
        rule=rule, defaults={"severity": severity}
    )
    setting.enabled, setting.severity, setting.params = bool(enabled), severity, clean
    setting.updated_at, setting.updated_by = timezone.now(), by_user
    setting.save()
    if before != after:
        RuleSettingChange.objects.create(rule=rule, changed_by=by_user, before=before, after=after)
    return setting
