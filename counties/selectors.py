"""Reads of the geography layer, scoped to who asks.

``counties_visible_to(user)`` is the one place that decides which counties a user may
see; every page, export and API endpoint of every layer starts from it (orders,
villagers and partners build their county-staff scope on it too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Field, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rural_taobao.access import is_admin, is_county_centre, is_county_staff
from rural_taobao.db_router import replica_reads_active

from .models import County, CountyProfileEdit, CountyStaffAssignment

# ── Scoping ──────────────────────────────────────────────────────────────────


def counties_visible_to(user) -> QuerySet[County]:
    """All counties for an admin, the assigned ones for county staff, none for anyone else.

    Assignments are read from the database on every call (never cached in the session),
    so an unassigned staff member loses the county on their next request.
    """
    if is_admin(user):
        return County.objects.all()
    if is_county_staff(user):
        return _assigned_counties(user)
    return County.objects.none()


def centre_counties_for(user) -> QuerySet[County]:
    """The counties whose parcels a user moves at the county centre: all for an admin,
    the assigned ones for centre staff, none for anyone else (county staff included)."""
    if is_admin(user):
        return County.objects.all()
    if is_county_centre(user):
        return _assigned_counties(user)
    return County.objects.none()


def _assigned_counties(user) -> QuerySet[County]:
    """The counties a staff member is assigned to, as the primary says now. Inside a
    replica block the county rows may come from the replica, but the assignments must not:
    a lagging replica would still serve a county whose assignment was just removed."""
    if replica_reads_active():
        county_ids = list(
            CountyStaffAssignment.objects.using(DEFAULT_DB_ALIAS).filter(user=user).values_list("county_id", flat=True)
        )
        return County.objects.filter(pk__in=county_ids)
    return County.objects.filter(staff_assignments__user=user)


def county_for(user, code: str, *related: str) -> County:
    """One county the user may see, with its province (and ``related``, e.g. the figures'
    ``"summary"``); ``County.DoesNotExist`` otherwise."""
    return counties_visible_to(user).select_related("province", *related).get(code=code)


# ── County profile ───────────────────────────────────────────────────────────


@dataclass
class ProfileEditRow:
    edited_at: dt.datetime
    edited_by: str
    changes: list[tuple[str, str, str]]  # (field label, old value, new value)


def _shown(field_name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    try:
        field = County._meta.get_field(field_name)
    except FieldDoesNotExist:
        field = None
    choices = dict(field.flatchoices) if isinstance(field, Field) else {}
    return str(choices.get(value, value))


def county_profile_edits(county: County, limit: int | None = 50) -> list[ProfileEditRow]:
    """The county's latest profile edits (all with ``limit=None``), newest first, with field labels."""
    rows = []
    edits = CountyProfileEdit.objects.filter(county=county).select_related("edited_by")
    for edit in edits if limit is None else edits[:limit]:
        changes = []
        for name, change in edit.changes.items():
            try:
                field = County._meta.get_field(name)
            except FieldDoesNotExist:  # a field since removed: show its name
                field = None
            label = str(field.verbose_name) if isinstance(field, Field) else name
            changes.append((label, _shown(name, change.get("old")), _shown(name, change.get("new"))))
        rows.append(
            ProfileEditRow(
                edited_at=timezone.localtime(edit.edited_at),
                edited_by=edit.edited_by.get_username() if edit.edited_by else str(_("(deleted user)")),
                changes=changes,
            )
        )
    return rows
