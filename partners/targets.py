"""Partners' monthly sales targets: setting one (admins, or the county staff of the
partner's county) and reading a month's target with its progress.

Who may set a target is decided by ``partner_in_target_scope``; every page and API view
goes through it (a partner outside the scope is ``Partner.DoesNotExist``: a 404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rural_taobao.access import may_use_dashboards

from .models import Partner, PartnerTarget
from .selectors import partners_visible_to


def partner_in_target_scope(user: User | AnonymousUser, partner_id: int) -> Partner:
    """The partner whose figures and targets ``user`` may read and set: any partner for an
    admin, the partners of their counties for county staff; for anyone else (partners
    themselves included) none — ``Partner.DoesNotExist``."""
    if not may_use_dashboards(user):
        raise Partner.DoesNotExist
    return partners_visible_to(user).select_related("village__county__province", "service_point").get(pk=partner_id)


@transaction.atomic
def partner_target_set(*, partner: Partner, month: dt.date, sales_target: Decimal, by_user: User) -> PartnerTarget:
    """Set (or change) the partner's target for ``month``'s calendar month."""
    if sales_target is None or sales_target <= 0:
        raise ValidationError({"sales_target": _("The target must be more than zero.")})
    # The partner's row is the lock: two staff setting the same month one after the other,
    # never both inserting it.
    list(Partner.objects.select_for_update().filter(pk=partner.pk).values_list("pk", flat=True))
    target = PartnerTarget.objects.filter(partner=partner, month=month.replace(day=1)).first()
    if target is None:
        target = PartnerTarget(partner=partner, month=month.replace(day=1))
    target.sales_target = sales_target
    target.set_by = by_user
    target.set_at = timezone.now()
    target.full_clean(validate_unique=False)
    target.save()
    return target


@dataclass(frozen=True)
class TargetProgress:
    month: dt.date
    target: Decimal
    sales: Decimal  # the month's net sales so far

    @property
    def share(self) -> float:
        return float(self.sales / self.target) if self.target else 0.0

    @property
    def percent(self) -> int:
        """Whole percent reached (may pass 100)."""
        return int(self.share * 100)

    @property
    def bar_percent(self) -> int:
        """The progress bar's width: 0–100."""
        return max(0, min(self.percent, 100))

    @property
    def remaining(self) -> Decimal:
        return max(self.target - self.sales, Decimal("0.00"))


def target_progress(partner: Partner, month: dt.date, sales: Decimal) -> TargetProgress | None:
    """The partner's target for ``month`` against ``sales`` (the caller's figure of the
    month's net sales), or None without a target."""
    target = PartnerTarget.objects.filter(partner=partner, month=month.replace(day=1)).values_list(
        "sales_target", flat=True
    )
    amount = target.first()
    return TargetProgress(month=month.replace(day=1), target=amount, sales=sales) if amount is not None else None
