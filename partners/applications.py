"""The public application form's side of ``partner_apply``: an answer that tells nobody
who is a partner, and a rate per address.

The page answers "thank you" whether or not the phone has applied before — saying
"already applied" would tell anyone which numbers belong to partners (a partner's login is
their phone). The phone's owner, who may really have forgotten, learns it by SMS, which only
they read. The admins' API (``partners.api``) keeps ``partner_apply``'s field error.
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
from .services import partner_apply

DUPLICATE_TEMPLATE = "application_duplicate"
DUPLICATE_TEXT = (
    "【农村淘宝】您好，本手机号已提交过合伙人申请，无需重复申请。县服务中心审核后会与您联系；如非本人操作请忽略。"
)


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
    """A candidate's application from the public form: the new Partner, or None when the
    phone has applied before — then its owner gets an SMS, and the caller answers exactly
    as for a new application. Bad fields raise ValidationError for a known phone as for a
    new one, so the errors tell nothing either."""
    phone = normalize_phone(phone)
    fields = {
        "real_name": real_name,
        "village": village,
        "previous_occupation": previous_occupation,
        "motivation": motivation,
        "service_point_address": service_point_address,
    }
    if not Partner.objects.filter(phone=phone).exists():
        try:
            return partner_apply(phone=phone, **fields)
        except ValidationError:
            # Another submission with this phone may have won the race past the check.
            if not Partner.objects.filter(phone=phone).exists():
                raise
    else:
        _check_like_a_new_application(phone=phone, **fields)
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
