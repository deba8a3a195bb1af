"""The public application form's side of ``partner_apply``: an answer that tells nobody
who is a partner, and a rate per address.

The page answers "thank you" whether or not the phone has applied before — saying
"already applied" would tell anyone which numbers belong to partners (a partner's login is
their phone). The phone's owner, who may really have forgotten, learns it by SMS, which only
they read. The admins' API (``partners.api``) keeps ``partner_apply``'s field error.

Someone at an ending (rejected, failed, withdrawn, exited) applies again with the same phone:
after their waiting period the same partner record returns to ``applied``
(``partner_reapply``); before it nothing is taken and the SMS tells them the day they may
apply again. The page says "thank you" in every case.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from counties.models import Village
from notifications.services import notify
from rural_taobao.phones import normalize_phone
from rural_taobao.throttling import AddressRateThrottle

from .models import Partner, PartnerStatus
from .services import (
    REAPPLICABLE_STATUSES,
    PartnerTransitionError,
    ReapplicationTooEarly,
    partner_apply,
    partner_reapply,
)

DUPLICATE_TEMPLATE = "application_duplicate"
DUPLICATE_TEXT = (
    "【农村淘宝】您好，本手机号已提交过合伙人申请，无需重复申请。县服务中心审核后会与您联系；如非本人操作请忽略。"
)

TOO_EARLY_TEMPLATE = "application_too_early"
TOO_EARLY_TEXT = "【农村淘宝】您好，本手机号的合伙人申请暂不能受理，您可于{date}起再次申请。如非本人操作请忽略。"


def text_too_early(may_apply_on) -> str:
    """The SMS of an application made before the waiting period ended (one segment, Chinese)."""
    return TOO_EARLY_TEXT.format(date=f"{may_apply_on.year}年{may_apply_on.month}月{may_apply_on.day}日")


class ApplyRateThrottle(AddressRateThrottle):
    """Submissions of /apply/ per client address (APPLY_THROTTLE_RATE, 10 an hour): the
    form sends SMS to whatever number it is given, so a script must not drive it."""

    scope = "apply"


@transaction.atomic
def partner_application_submit(
    *,
    real_name: str,
    phone: str,
    village: Village,
    previous_occupation: str = "",
    motivation: str = "",
    service_point_address: str = "",
) -> Partner | None:
    """A candidate's application from the public form: the new Partner (or the returning one,
    applied again), or None when the application is not taken — the phone has an
    application on its way or is a partner (SMS ``application_duplicate``), or its waiting
    period has not ended (SMS ``application_too_early`` with the day). The caller answers
    exactly alike in every case. Bad fields raise ValidationError for a known phone as for
    a new one, so the errors tell nothing either."""
    phone = normalize_phone(phone)
    fields = {
        "real_name": real_name,
        "village": village,
        "previous_occupation": previous_occupation,
        "motivation": motivation,
        "service_point_address": service_point_address,
    }
    known = Partner.objects.filter(phone=phone).values_list("pk", "status").first()
    if known is None:
        try:
            return partner_apply(phone=phone, **fields)
        except ValidationError:
            # Another submission with this phone may have won the race past the check.
            if not Partner.objects.filter(phone=phone).exists():
                raise
    else:
        _check_like_a_new_application(phone=phone, **fields)
        partner_id, status = known
        if status in REAPPLICABLE_STATUSES:
            try:
                return partner_reapply(partner_id=partner_id, **fields)
            except ReapplicationTooEarly as early:
                notify(phone, TOO_EARLY_TEMPLATE, text_too_early(early.may_apply_on))
                return None
            except PartnerTransitionError:
                pass  # a submission at the same moment took them back to applied first
    notify(phone, DUPLICATE_TEMPLATE, DUPLICATE_TEXT)
    return None


def _check_like_a_new_application(*, phone: str, **fields) -> None:
    """The checks ``partner_apply`` makes of a new application, but the phone's uniqueness."""
    now = timezone.now()
    candidate = Partner(
        phone=phone,
        real_name=fields["real_name"].strip(),
        village=fields["village"],
        previous_occupation=fields["previous_occupation"].strip(),
        motivation=fields["motivation"].strip(),
        service_point_address=fields["service_point_address"].strip(),
        status=PartnerStatus.APPLIED,
        applied_at=now,
        status_changed_at=now,
    )
    candidate.full_clean(exclude=["phone"])  # constraints on the phone are skipped with it
