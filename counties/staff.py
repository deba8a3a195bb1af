"""County staff logins and their county assignments (writes and the workspace's list).

Assignments are read from the database on every request by the scoping selectors —
nothing here caches them — so removing one takes effect on the staff member's next request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from rural_taobao.access import COUNTY_CENTRE_GROUP, COUNTY_STAFF_GROUP, STAFF_ROLE_GROUPS
from rural_taobao.errors import InvalidInput
from rural_taobao.phones import MOBILE_PHONE_MESSAGE, is_mobile_phone, normalize_phone

from .models import County, CountyStaffAssignment, StaffPhone


class CountyStaffError(InvalidInput):
    """A county staff change that cannot be made (unknown county, a login that is not staff's)."""


@dataclass
class CountyStaffResult:
    user: User
    user_created: bool
    counties_added: list[County] = field(default_factory=list)
    password_set: bool = False


def counties_by_code(codes: list[str]) -> list[County]:
    """The counties of ``codes`` in the given order, or ``CountyStaffError`` naming the unknown ones."""
    codes = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    found = {county.code: county for county in County.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise CountyStaffError(_("Unknown county code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    return [found[code] for code in codes]


@transaction.atomic
def county_staff_upsert(
    *,
    username: str,
    counties: list[County],
    password: str | None = None,
    phone: str | None = None,
    by_user: User | None = None,
    role: str = "staff",
) -> CountyStaffResult:
    """Create the staff login if missing, give it ``role`` (``staff``: the county_staff
    group, who read the county's figures; ``centre``: the county_centre group, who move
    its parcels — one role per login, the other is taken away) and assign ``counties``.

    Idempotent: running it again with the same arguments adds nothing. A given password
    is (re)set; a new login without one gets an unusable password (hand over a set-password link).
    A given mobile ``phone`` is recorded as the staff member's (the integrity checks compare
    villagers' phones with it).
    """
    username = username.strip()
    if not username:
        raise CountyStaffError(_("A username is required."))
    if role not in STAFF_ROLE_GROUPS:
        raise CountyStaffError(_("Unknown role “%(role)s”: staff or centre.") % {"role": role}, field="role")
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    else:
        if hasattr(user, "partner"):
            raise CountyStaffError(
                _("%(username)s is a village partner's login; county staff need their own login.")
                % {"username": username}
            )
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
    staff_role_set(user=user, role=role)
    if phone:
        staff_phone_set(user=user, phone=phone)
    added = [county for county in counties if county_staff_assign(user=user, county=county, by_user=by_user)]
    return CountyStaffResult(user=user, user_created=created, counties_added=added, password_set=bool(password))


def staff_role_set(*, user: User, role: str) -> None:
    """Give a staff login its one role (its counties stay)."""
    wanted = STAFF_ROLE_GROUPS[role]
    user.groups.remove(*Group.objects.filter(name__in=set(STAFF_ROLE_GROUPS.values()) - {wanted}))
    user.groups.add(Group.objects.get_or_create(name=wanted)[0])
    user.__dict__.pop("_role_group_names", None)


def staff_role(user: User) -> str:
    """``centre`` or ``staff`` (the role of a login in neither group is staff's)."""
    names = {group.name for group in user.groups.all()}
    return "centre" if COUNTY_CENTRE_GROUP in names else "staff"


def staff_phone_set(*, user: User, phone: str) -> StaffPhone:
    """Record (or change) a staff login's mobile number; one login per number."""
    phone = normalize_phone(phone)
    if not is_mobile_phone(phone):
        raise CountyStaffError(str(MOBILE_PHONE_MESSAGE), field="phone")
    if StaffPhone.objects.filter(phone=phone).exclude(user=user).exists():
        raise CountyStaffError(_("Another staff login already has this mobile number."), field="phone")
    row, _created = StaffPhone.objects.update_or_create(user=user, defaults={"phone": phone})
    return row


def county_staff_assign(*, user: User, county: County, by_user: User | None = None) -> bool:
    """Assign ``county`` to a staff login; False when it already was."""
    _assignment, created = CountyStaffAssignment.objects.get_or_create(
        user=user, county=county, defaults={"assigned_by": by_user}
    )
    if created and not user.groups.filter(name__in=STAFF_ROLE_GROUPS.values()).exists():
        user.groups.add(Group.objects.get_or_create(name=COUNTY_STAFF_GROUP)[0])
    return created


def county_staff_unassign(*, user: User, county: County) -> bool:
    """Take ``county`` away from a staff login; False when it was not assigned."""
    deleted, _rows = CountyStaffAssignment.objects.filter(user=user, county=county).delete()
    return bool(deleted)


def county_staff_list() -> QuerySet[User]:
    """Every county staff and centre login with its assignments and groups (three queries
    whatever the number of staff)."""
    return (
        User.objects.filter(groups__name__in=STAFF_ROLE_GROUPS.values())
        .distinct()
        .prefetch_related(
            "groups",
            Prefetch(
                "county_assignments",
                queryset=CountyStaffAssignment.objects.select_related("county").order_by("county__code"),
            ),
        )
        .order_by("username")
    )
