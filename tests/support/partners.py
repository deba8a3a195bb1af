"""Partners in any onboarding status."""

from django.utils import timezone

from partners.models import PartnerStatus
from tests.support.factories import PartnerFactory


def partner_in(status: str, **kwargs):
    """A partner in ``status`` with what that status implies (a login and a station once activated)."""
    if status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXITED):
        partner = PartnerFactory(active=True, **kwargs)
        if status != PartnerStatus.ACTIVE:
            partner.status = status
            partner.user.is_active = False
            partner.user.save(update_fields=["is_active"])
            if status == PartnerStatus.EXITED:
                partner.exited_at = timezone.now()
                partner.tenures.filter(ended__isnull=True).update(ended=partner.exited_at)
            partner.save()
        return partner
    return PartnerFactory(status=status, **kwargs)
