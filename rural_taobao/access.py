"""Who may do what: the roles of the product, decided in one place.

- admin: a superuser or a member of the ``admin`` group (programme operations);
- county staff: a member of the ``county_staff`` group, scoped to assigned counties;
- county centre staff: a member of the ``county_centre`` group, assigned to counties the
  same way: they receive and dispatch their counties' parcels, and see no money figures;
- partner: a user with a Partner profile (village partner): ``partners.access``, which
  knows the Partner model, builds the partner's predicates on the pieces here.

Each rule is a predicate ``user → bool``; pages guard views with ``role_required(predicate)``
and the API with ``role_permission(predicate, message=…)``, so a page and its endpoint
cannot disagree about who gets in.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ADMIN_GROUP = "admin"
COUNTY_STAFF_GROUP = "county_staff"
COUNTY_CENTRE_GROUP = "county_centre"
# The roles a county assignment comes with (``add_county_staff --role``).
STAFF_ROLE_GROUPS = {"staff": COUNTY_STAFF_GROUP, "centre": COUNTY_CENTRE_GROUP}
PARTNER_GROUP = "partner"

Predicate = Callable[[User | AnonymousUser], bool]


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


def is_county_centre(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return COUNTY_CENTRE_GROUP in _group_names(user)


def may_use_centre(user: User | AnonymousUser) -> bool:
    """Admins and county centre staff move parcels at the county centre."""
    return is_admin(user) or is_county_centre(user)


def may_use_dashboards(user: User | AnonymousUser) -> bool:
    """Admins and county staff have dashboards; partners and other logins do not."""
    return is_admin(user) or is_county_staff(user)


def any_of(*predicates: Predicate) -> Predicate:
    """A predicate that accepts whom any of ``predicates`` accepts."""

    def accepts(user) -> bool:
        return any(predicate(user) for predicate in predicates)

    return accepts


# ── Pages ────────────────────────────────────────────────────────────────────


def role_required(predicate: Predicate, *, message: "StrOrPromise | None" = None):
    """A view decorator: anonymous visitors go to the login page, a login that
    ``predicate`` refuses gets 403 (``PermissionDenied``, with ``message`` if given)."""

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied(*([message] if message else []))
            return view(request, *args, **kwargs)

        return guarded

    return decorator


# The refusal says whom the page is for (templates/403.html shows it in the page's language).
FOR_ADMINS = _("This page is for programme admins.")
FOR_DASHBOARD_USERS = _("This page is for county staff and admins.")
FOR_CENTRE = _("This page is for county centre staff and admins.")

admin_required = role_required(is_admin, message=FOR_ADMINS)
dashboard_access = role_required(may_use_dashboards, message=FOR_DASHBOARD_USERS)
centre_access = role_required(may_use_centre, message=FOR_CENTRE)


# ── API ──────────────────────────────────────────────────────────────────────


def role_permission(predicate: Predicate, *, message: "StrOrPromise") -> type[BasePermission]:
    """A REST framework permission class: the users ``predicate`` accepts get in, others
    403 with ``message`` (anonymous callers 401, as with any permission)."""
    denial = message

    class RolePermission(BasePermission):
        message = denial  # DRF reads it from the permission that refused

        def has_permission(self, request, view):
            return predicate(request.user)

    return RolePermission


IsProgrammeAdmin = role_permission(is_admin, message=_("Only programme admins may use this endpoint."))
MayUseDashboards = role_permission(
    may_use_dashboards, message="Only programme admins and county staff may use county figures."
)
MayUseCentre = role_permission(
    may_use_centre, message=_("Only county centre staff and programme admins may move parcels at the centre.")
)


class LoginUnlessDebug(BasePermission):
    """The API schema and its docs: open with DEBUG on (development), a login in production
    (anonymous callers 401). DEBUG is read per request, not when the URLs are built."""

    def has_permission(self, request, view):
        return bool(settings.DEBUG or request.user.is_authenticated)
