"""Who is asking: the three roles of the product, decided in one place.

- admin: a superuser or a member of the ``admin`` group (programme operations);
- county staff: a member of the ``county_staff`` group, scoped to assigned counties;
- partner: a user with a Partner profile (village partner).
"""

from django.contrib.auth.models import AnonymousUser, User

ADMIN_GROUP = "admin"
COUNTY_STAFF_GROUP = "county_staff"
PARTNER_GROUP = "partner"


def _group_names(user) -> set[str]:
    cached = getattr(user, "_role_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_group_names = cached
    return cached


def is_admin(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ADMIN_GROUP in _group_names(user)


def is_county_staff(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return COUNTY_STAFF_GROUP in _group_names(user)


def partner_of(user):
    """The Partner profile of a logged-in user, or None."""
    if not user.is_authenticated:
        return None
    from partners.models import Partner

    try:
        return user.partner
    except Partner.DoesNotExist:
        return None


def role_of(user) -> str:
    if is_admin(user):
        return "admin"
    if is_county_staff(user):
        return "county_staff"
    if partner_of(user) is not None:
        return "partner"
    return "anonymous" if not user.is_authenticated else "none"


def role_context(request):
    """Template context: the viewer's role, computed lazily."""
    return {"viewer_role": lambda: role_of(request.user)}
