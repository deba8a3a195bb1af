"""Template context of every page (a site module: it may ask the partners layer)."""

from partners.access import partner_of

from .access import is_admin, is_county_centre, is_county_staff


def role_of(user) -> str:
    if is_admin(user):
        return "admin"
    if is_county_staff(user):
        return "county_staff"
    if is_county_centre(user):
        return "county_centre"
    partner = partner_of(user)
    if partner is not None:
        # A partner who left reads only their income: no workspace, no offline copy.
        return "partner" if partner.is_active else "former_partner"
    return "anonymous" if not user.is_authenticated else "none"


def role_context(request):
    """The viewer's role, computed lazily (the nav and the offline scripts ask for it)."""
    return {"viewer_role": lambda: role_of(request.user)}
