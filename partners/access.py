"""Who is a partner, and who is a working one: the partner's side of ``rural_taobao.access``.

A *working* partner is an active one (``Partner.is_active``): only they log and move
orders and see their workspace. A partner who is suspended, exited or not yet active
keeps their profile (``partner_of``) but not the workspace.
"""

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rural_taobao.access import role_permission

from .models import Partner, PartnerStatus


def partner_of(user) -> Partner | None:
    """The Partner profile of a logged-in user (whatever its status), or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.partner
    except Partner.DoesNotExist:
        return None


def is_partner(user) -> bool:
    return partner_of(user) is not None


def working_partner_of(user) -> Partner | None:
    """The user's Partner profile if the partner is active, else None."""
    partner = partner_of(user)
    return partner if partner is not None and partner.is_active else None


def is_working_partner(user) -> bool:
    return working_partner_of(user) is not None


def _workspace_partner(user) -> Partner | None:
    """The user's partner with the village and county every workspace page shows (one query)."""
    return Partner.objects.select_related("village__county", "user").filter(user=user).first()


def working_partner_required(view):
    """Only a working partner gets in: anonymous → login, another role → 403, a partner
    who is not active (suspended, exited, not yet active) → a 403 page that says why.

    The view finds the partner in ``request.partner``.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        partner = _workspace_partner(request.user)
        if partner is None:
            raise PermissionDenied(_("This page is for village partners."))
        if not partner.is_active:
            last_change = partner.status_changes.order_by("-changed_at", "-id").first()
            return render(
                request,
                "partners/partner_inactive.html",
                {"partner": partner, "last_change": last_change},
                status=403,
            )
        request.partner = partner
        request.user.partner = partner  # the nav and the selectors ask again: answer from memory
        return view(request, *args, **kwargs)

    return guarded


IsPartner = role_permission(is_partner, message=gettext_lazy("Only village partners have a partner profile."))

# The API's working_partner_required.
IsWorkingPartner = role_permission(is_working_partner, message="Only an active village partner may use this endpoint.")


# ── Income: working partners, and exited partners for a while ────────────────
#
# A partner who left still reads what they earned and what is still paid to them: their
# income pages and statements stay open read-only for EXITED_PARTNER_INCOME_DAYS (a year)
# after the exit; every other partner page answers 403. A suspended partner cannot log in
# at all (their statements are still settled and paid).


def income_partner_of(user) -> Partner | None:
    """The user's partner if they may read their income: active, or exited within the period."""
    partner = partner_of(user)
    if partner is None:
        return None
    if partner.is_active:
        return partner
    within = dt.timedelta(days=settings.EXITED_PARTNER_INCOME_DAYS)
    exited_at = partner.exited_at
    if partner.status == PartnerStatus.EXITED and exited_at is not None and timezone.now() - exited_at <= within:
        return partner
    return None


def is_income_partner(user) -> bool:
    return income_partner_of(user) is not None


def income_partner_required(view):
    """Like ``working_partner_required``, but an exited partner within the period gets in
    (``request.partner``, with ``request.partner_read_only`` True)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        partner = _workspace_partner(request.user)
        if partner is not None and income_partner_of(request.user) is not None:
            request.partner = partner
            request.partner_read_only = not partner.is_active
            request.user.partner = partner
            return view(request, *args, **kwargs)
        return working_partner_required(view)(request, *args, **kwargs)

    return guarded


IsIncomePartner = role_permission(
    is_income_partner, message="Only a village partner (or one who left within a year) may read this income."
)
