"""Reads of partners, scoped to who asks, and the recruitment funnel."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

import django_filters
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from counties.models import County, Province, Village
from counties.selectors import counties_visible_to
from rural_taobao.access import is_admin, is_county_staff
from rural_taobao.dates import day_start

from .access import partner_of
from .models import Partner, PartnerStatus, PartnerStatusChange, ServicePointTenure


def partners_visible_to(user) -> QuerySet[Partner]:
    """Every partner for an admin, the partners of their counties for county staff, themselves for a partner."""
    if is_admin(user):
        return Partner.objects.all()
    if is_county_staff(user):
        return Partner.objects.filter(village__county__in=counties_visible_to(user))
    partner = partner_of(user)
    if partner is not None:
        return Partner.objects.filter(pk=partner.pk)
    return Partner.objects.none()


def partner_list(user) -> QuerySet[Partner]:
    return partners_visible_to(user).select_related("village__county__province", "service_point")


def partner_with_history(user, partner_id: int) -> Partner:
    """One partner (404-able ``Partner.DoesNotExist`` outside the viewer's scope) and their history."""
    partner = partner_list(user).select_related("user").get(pk=partner_id)
    partner.history = list(
        PartnerStatusChange.objects.filter(partner=partner).select_related("changed_by").order_by("changed_at", "id")
    )
    return partner


def application_counties() -> QuerySet[County]:
    """Counties a candidate can apply in: those with villages, grouped by province for the select."""
    return (
        County.objects.filter(villages__isnull=False)
        .distinct()
        .select_related("province")
        .order_by("province__code", "code")
    )


def villages_of_county(county: County | None) -> QuerySet[Village]:
    """The county's villages, each with ``has_active_partner`` (the application form marks them)."""
    active = Partner.objects.filter(village=OuterRef("pk"), status=PartnerStatus.ACTIVE)
    if county is None:
        return Village.objects.none().annotate(has_active_partner=Exists(active))
    return (
        Village.objects.filter(county=county).annotate(has_active_partner=Exists(active)).order_by("township", "name")
    )


class PartnerFilter(django_filters.FilterSet):
    """The filters of the onboarding list and of ``GET /api/v1/partners/``: one definition for both."""

    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices, label=_("Status"), empty_label=_("All"))
    province = django_filters.ModelChoiceFilter(
        field_name="village__county__province",
        queryset=Province.objects.all(),
        to_field_name="code",
        label=_("Province"),
        empty_label=_("All"),
        help_text=_("Two-digit province code."),
    )
    county = django_filters.ModelChoiceFilter(
        field_name="village__county",
        queryset=County.objects.select_related("province").order_by("code"),
        to_field_name="code",
        label=_("County"),
        empty_label=_("All"),
        help_text=_("Six-digit county code."),
    )
    # Whole Shanghai days, both ends included; compared as times so the (status, applied_at) index serves.
    applied_after = django_filters.DateFilter(
        method="filter_applied_after", label=_("Applied from"), help_text=_("YYYY-MM-DD, included.")
    )
    applied_before = django_filters.DateFilter(
        method="filter_applied_before", label=_("Applied until"), help_text=_("YYYY-MM-DD, included.")
    )
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), help_text=_("Part of the name or of the mobile number.")
    )

    class Meta:
        model = Partner
        fields = ["status", "province", "county", "applied_after", "applied_before", "search"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        province = (data or {}).get("province")
        if province:
            # With a province chosen, the county choice lists only its counties.
            self.filters["county"].queryset = self.filters["county"].queryset.filter(province__code=province)

    def filter_applied_after(self, queryset, name, value):
        return queryset.filter(applied_at__gte=day_start(value))

    def filter_applied_before(self, queryset, name, value):
        return queryset.filter(applied_at__lt=day_start(value + dt.timedelta(days=1)))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        digits = value.replace(" ", "").replace("-", "")
        condition = Q(real_name__icontains=value)
        if digits.isdigit():
            condition |= Q(phone__contains=digits)
        return queryset.filter(condition)


# ── Recruitment funnel ───────────────────────────────────────────────────────

FUNNEL_STATUSES = [
    PartnerStatus.APPLIED,
    PartnerStatus.REVIEWING,
    PartnerStatus.APPROVED,
    PartnerStatus.TRAINING,
    PartnerStatus.ACTIVE,
    PartnerStatus.SUSPENDED,
    PartnerStatus.EXITED,
    PartnerStatus.REJECTED,
    PartnerStatus.FAILED,
    PartnerStatus.WITHDRAWN,
]


@dataclass
class FunnelRow:
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FUNNEL_STATUSES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        return [self.counts[status] for status in FUNNEL_STATUSES]


@dataclass
class Funnel:
    statuses: list
    provinces: list[FunnelRow]
    counties: list[FunnelRow]
    national: FunnelRow
    median_days_to_active: float | None
    activated: int


@dataclass
class FunnelStep:
    status: str
    label: str
    partners: int


def recruitment_funnel_steps() -> list[FunnelStep]:
    """Partners per onboarding status, nationally (the national dashboard's funnel):
    one GROUP BY on the partner table, in the funnel's order."""
    # COUNT(*) lets PostgreSQL answer from the (status, applied_at) index alone.
    counts = dict(Partner.objects.values_list("status").annotate(n=Count("*")).order_by())
    return [FunnelStep(status.value, str(status.label), counts.get(status.value, 0)) for status in FUNNEL_STATUSES]


def recruitment_funnel(*, province_code: str | None = None) -> Funnel:
    """Partners per status per county and per province, from one GROUP BY query, and the
    median days from application to (first) activation — nationally, or in one province."""
    grouped = (
        Partner.objects.values(
            "village__county__code",
            "village__county__name",
            "village__county__province__code",
            "village__county__province__name",
            "status",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    provinces: dict[str, FunnelRow] = {}
    counties: dict[str, FunnelRow] = {}
    national = FunnelRow(code="", name=str(_("All provinces")))
    for row in grouped:
        status, n = row["status"], row["n"]
        province = provinces.setdefault(
            row["village__county__province__code"],
            FunnelRow(code=row["village__county__province__code"], name=row["village__county__province__name"]),
        )
        province.counts[status] += n
        national.counts[status] += n
        if province_code and row["village__county__province__code"] != province_code:
            continue
        county = counties.setdefault(
            row["village__county__code"],
            FunnelRow(code=row["village__county__code"], name=row["village__county__name"]),
        )
        county.counts[status] += n
    median, activated = median_days_to_active(province_code=province_code)
    return Funnel(
        statuses=[(status.value, status.label) for status in FUNNEL_STATUSES],
        provinces=sorted(provinces.values(), key=lambda r: r.code),
        counties=sorted(counties.values(), key=lambda r: r.code),
        national=national,
        median_days_to_active=median,
        activated=activated,
    )


def median_days_to_active(*, province_code: str | None = None) -> tuple[float | None, int]:
    """(median days from applied_at to activated_at, how many partners it is taken over)."""
    activated = Partner.objects.filter(activated_at__isnull=False)
    if province_code:
        activated = activated.filter(village__county__province__code=province_code)
    if connection.vendor == "postgresql":
        # percentile_cont in the database: no need to ship 100,000 intervals to Python.
        sql, params = activated.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP ("
                "ORDER BY EXTRACT(EPOCH FROM p.activated_at - p.applied_at)), count(*) "
                f"FROM partners_partner p WHERE p.id IN ({sql})",  # nosec B608  # the subquery is the ORM's own SQL; its values are bound in params
                params,
            )
            seconds, count = cursor.fetchone()
        return (None if seconds is None else round(float(seconds) / 86400, 1)), count
    intervals = [
        (activated_at - applied_at).total_seconds()
        for applied_at, activated_at in activated.values_list("applied_at", "activated_at")
        if activated_at is not None  # always, by the filter above
    ]
    if not intervals:
        return None, 0
    return round(statistics.median(intervals) / 86400, 1), len(intervals)


# ── Conversion through the onboarding steps ──────────────────────────────────

# The path an applicant walks; the funnel counts who reached each step.
CONVERSION_PATH = [
    PartnerStatus.APPLIED,
    PartnerStatus.REVIEWING,
    PartnerStatus.APPROVED,
    PartnerStatus.TRAINING,
    PartnerStatus.ACTIVE,
]
# A status off the path says how far its partner got at least, even without history
# (an import may create partners straight into a status): suspended and exited partners
# were active; a failed one was in training, a withdrawn one approved.
_REACHED_AT_LEAST = {"suspended": 4, "exited": 4, "failed": 3, "withdrawn": 2, "rejected": 0}


@dataclass
class ConversionStep:
    status: str
    label: str
    reached: int
    # Of those who reached the step before, the share who reached this one (None for the
    # first step, or when nobody reached the step before).
    rate: float | None
    # Median days from entering the step before to entering this one.
    median_days: float | None
    measured: int = 0


def _step_index_sql(column: str) -> str:
    whens = " ".join(f"WHEN '{status.value}' THEN {i}" for i, status in enumerate(CONVERSION_PATH))
    others = " ".join(f"WHEN '{status}' THEN {i}" for status, i in _REACHED_AT_LEAST.items())
    return f"CASE {column} {whens} {others} ELSE 0 END"


def recruitment_conversion(*, province_code: str | None = None) -> list[ConversionStep]:
    """How many partners reached each onboarding step, the conversion from one step to the
    next and the median days each step took, from the partners' status history.

    A partner reached a step if their history (or their status) went there or beyond; a
    rejection, failure or withdrawal counts the step it left from. A step's time is from
    the partner's first entry into the step before (the application for the first) to
    their first entry into it. One query on PostgreSQL (medians by percentile_cont).
    """
    steps = CONVERSION_PATH[1:]
    entered = ", ".join(
        f"MIN(CASE WHEN c.to_status = '{s.value}' THEN c.changed_at END) AS at_{i + 1}" for i, s in enumerate(steps)
    )
    where, params = "", []
    if province_code:
        where = (
            "WHERE p.village_id IN (SELECT v.id FROM counties_village v JOIN counties_county k ON k.id = v.county_id "
            "JOIN counties_province pr ON pr.id = k.province_id WHERE pr.code = %s)"
        )
        params = [province_code]
    reached = (
        f"MAX(CASE WHEN c.to_status IN ('rejected', 'failed', 'withdrawn') THEN {_step_index_sql('c.from_status')} "
        f"ELSE {_step_index_sql('c.to_status')} END)"
    )
    per_partner = (
        f"SELECT p.applied_at AS at_0, {entered}, {_step_index_sql('p.status')} AS now_step, "  # nosec B608  # only the module's own status literals are formatted in; the province is bound
        f"{reached} AS history_step "
        "FROM partners_partner p LEFT JOIN partners_partnerstatuschange c ON c.partner_id = p.id "
        f"{where} GROUP BY p.id, p.applied_at, p.status"
    )
    n = len(CONVERSION_PATH)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            top = "GREATEST(now_step, COALESCE(history_step, 0))"
            counts = ", ".join(f"count(*) FILTER (WHERE {top} >= {i})" for i in range(n))
            medians = ", ".join(
                f"percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM at_{i} - at_{i - 1})), "
                f"count(at_{i} - at_{i - 1})"
                for i in range(1, n)
            )
            cursor.execute(f"SELECT {counts}, {medians} FROM ({per_partner}) t", params)  # nosec B608  # built above from literals
            row = cursor.fetchone()
            reached_counts = list(row[:n])
            timing = [
                (None if row[n + 2 * k] is None else float(row[n + 2 * k]) / 86400, row[n + 2 * k + 1])
                for k in range(n - 1)
            ]
        else:
            cursor.execute(per_partner, params)
            reached_counts, timing = _conversion_in_python(cursor.fetchall(), n)
    result = []
    for i, status in enumerate(CONVERSION_PATH):
        before = reached_counts[i - 1] if i else None
        days, measured = timing[i - 1] if i else (None, 0)
        result.append(
            ConversionStep(
                status=status.value,
                label=str(status.label),
                reached=reached_counts[i],
                rate=(reached_counts[i] / before) if before else None,
                median_days=None if days is None else round(days, 1),
                measured=measured,
            )
        )
    return result


def _conversion_in_python(rows, n: int) -> tuple[list[int], list[tuple[float | None, int]]]:
    """The same figures as the PostgreSQL query, from the per-partner rows (SQLite)."""
    reached = [0] * n
    spans: list[list[float]] = [[] for _ in range(n - 1)]
    for row in rows:
        times = [_as_datetime(value) for value in row[:n]]
        top = max(row[n], row[n + 1] or 0)
        for i in range(top + 1):
            reached[i] += 1
        for i in range(1, n):
            if times[i] is not None and times[i - 1] is not None:
                spans[i - 1].append((times[i] - times[i - 1]).total_seconds())
    timing = [((statistics.median(s) / 86400) if s else None, len(s)) for s in spans]
    return reached, timing


def _as_datetime(value):
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def service_point_history(partner: Partner) -> list[ServicePointTenure]:
    """Who ran the partner's service point (the one they run or last ran), newest first."""
    point_id = partner.service_point_id
    if point_id is None:
        return []
    return list(
        ServicePointTenure.objects.filter(service_point_id=point_id)
        .select_related("partner", "service_point")
        .order_by("-started", "-id")[:50]
    )
