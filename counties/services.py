"""Writes of the counties app: county profile edits, each recorded with who, when and what.

County staff keep the descriptive text of their own counties current (profile text,
characteristic products, partner office); the code, names, region, poverty flag,
partnership date and targets are the admins'. The rule lives in
``county_profile_fields_for`` and is enforced here, whatever form or API sends the change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from rural_taobao.access import is_admin, is_county_staff
from rural_taobao.errors import Forbidden

from .models import County, CountyProfileEdit, ServicePoint, Village

STAFF_PROFILE_FIELDS = ("profile", "characteristic_products", "partner_office")
ADMIN_PROFILE_FIELDS = (
    *STAFF_PROFILE_FIELDS,
    "name",
    "name_en",
    "code",
    "region",
    "economic_focus",
    "is_poverty_county",
    "partnership_since",
    "yearly_sales_target",
)


def county_profile_fields_for(user) -> tuple[str, ...]:
    """The profile fields ``user`` may edit (on the counties they may see)."""
    if is_admin(user):
        return ADMIN_PROFILE_FIELDS
    if is_county_staff(user):
        return STAFF_PROFILE_FIELDS
    return ()


def _recorded(value):
    """A value as the history keeps it (JSON): dates and amounts as text."""
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def profile_changes(before: dict, after: dict) -> dict:
    """{field: {"old", "new"}} for each field whose value differs."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if _recorded(old) != _recorded(new):
            changes[name] = {"old": _recorded(old), "new": _recorded(new)}
    return changes


def county_profile_record(*, county: County, by_user: User | None, changes: dict) -> CountyProfileEdit | None:
    """The history row of an edit already applied (also used by the Django admin)."""
    if not changes:
        return None
    return CountyProfileEdit.objects.create(county=county, edited_by=by_user, changes=changes)


@transaction.atomic
def county_profile_update(*, county_id: int, by_user: User, **changes) -> County:
    """Change profile fields of one county the editor may see; the edit is recorded.

    ``Forbidden`` (a ``PermissionDenied``) for a field the editor may not change or a county
    outside their scope; ``ValidationError`` (per field) for a bad value. Unchanged values
    are no edit.
    """
    from .selectors import counties_visible_to

    allowed = county_profile_fields_for(by_user)
    forbidden = sorted(set(changes) - set(allowed))
    if forbidden:
        raise Forbidden(_("You may not change: %(fields)s.") % {"fields": ", ".join(forbidden)})
    if not counties_visible_to(by_user).filter(pk=county_id).exists():
        raise Forbidden(_("You may not edit this county."))
    # The row lock serialises two editors: the second one sees the first one's values.
    county = County.objects.select_for_update().get(pk=county_id)
    before = {name: getattr(county, name) for name in changes}
    diff = profile_changes(before, changes)
    if not diff:
        return county
    target = changes.get("yearly_sales_target")
    if target is not None and Decimal(target) < 0:
        # The database refuses it too (county_target_not_negative); say it on the field.
        raise ValidationError({"yearly_sales_target": _("A yearly target cannot be negative.")})
    for name in diff:
        setattr(county, name, changes[name])
    county.full_clean()
    county.save(update_fields=[*diff, "updated_at"])
    county_profile_record(county=county, by_user=by_user, changes=diff)
    return county


# ── Service points ───────────────────────────────────────────────────────────


def service_point_codes(county_code: str, existing: list[str], count: int) -> list[str]:
    """The next ``count`` codes of a county's service points after the ``existing`` ones."""
    numbers = [int(code.rsplit("-", 1)[1]) for code in existing if code]
    first = max(numbers, default=0) + 1
    if first + count - 1 > 9999:
        raise ValidationError(_("This county has no service point numbers left."))
    return [f"{county_code}-{number:04d}" for number in range(first, first + count)]


def service_point_next_code(county: County) -> str:
    """The next free code of ``county``. Call it in the transaction that saves the point:
    the county row's lock makes two new points of one county take turns for a number
    (the unique code has the last word)."""
    County.objects.select_for_update().filter(pk=county.pk).first()
    # Fixed-width codes sort as their numbers do: the greatest is the last one given.
    last = ServicePoint.objects.filter(code__startswith=f"{county.code}-").aggregate(last=Max("code"))["last"]
    return service_point_codes(county.code, [last] if last else [], 1)[0]


@transaction.atomic
def service_point_create(*, village: Village, address: str, opened_on: dt.date | None) -> ServicePoint:
    """A village's new service point with its county's next code."""
    service_point = ServicePoint(
        village=village, address=address, opened_on=opened_on, code=service_point_next_code(village.county)
    )
    service_point.full_clean()
    service_point.save()
    return service_point
