"""How long parcels take on each leg of their way to the villager, and which are stuck now.

A leg runs from one stamp on the order to the next: paid → shipped → at the county centre
→ at a service point → picked up. A period's figure of a leg counts the orders whose leg
*ended* in the period (its later stamp inside the period's Shanghai days), whenever it
began; its median is taken over those orders' hours. Read from the orders themselves (the
rollups carry no parcel times, and medians do not add up across days): each leg's end
column has an index — a partial one on the stamps parcels get on the way, as orders
waiting for a stamp never need to be found by it — so a period costs one index range
scan per leg, whatever the history.

On PostgreSQL the medians come from ``percentile_cont`` in the database; elsewhere (the
embedded SQLite quick start) from ``statistics.median`` over the same rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections, router
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counties.models import County
from orders.models import PARCEL_ON_THE_WAY, Order, OrderStatus
from orders.parcel_selectors import STUCK_AT_CENTRE, STUCK_AT_SERVICE_POINT, stuck_q
from rural_taobao.dates import days_bounds

from .periods import Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SLOWEST_COUNTIES = 10
# The nation's slowest legs are read over the period's last 30 days at most: a scan of
# every county's parcels costs ~2–3 s per month of 11M orders' history, so a year-long
# period would keep the dashboard waiting for ~10 s. The page says which days it shows.
SLOWEST_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Leg:
    key: str
    label: StrOrPromise
    start_field: str  # the stamp the leg begins with ...
    end_field: str  # ... and the one that ends it (what the period is matched against)


LEGS: tuple[Leg, ...] = (
    Leg("shipping", _("Paid → shipped"), "paid_at", "shipped_at"),
    Leg("to_county_centre", _("Shipped → at the county centre"), "shipped_at", "at_county_centre_at"),
    Leg("to_service_point", _("County centre → service point"), "at_county_centre_at", "at_service_point_at"),
    Leg("pickup", _("Service point → picked up"), "at_service_point_at", "picked_up_at"),
)


@dataclass
class LegFigure:
    leg: Leg
    median_hours: float | None = None  # rounded to 0.1 h; None when no parcel ended the leg
    parcels: int = 0


@dataclass
class StuckParcels:
    """Parcels waiting too long now (``orders.parcel_selectors.STUCK_*``)."""

    at_county_centre: int = 0
    at_service_point: int = 0

    @property
    def total(self) -> int:
        return self.at_county_centre + self.at_service_point

    # How long a parcel may wait where it is before it counts as stuck (the page says so).
    centre_days = STUCK_AT_CENTRE.days
    service_point_days = STUCK_AT_SERVICE_POINT.days


@dataclass
class CountyParcelFigures:
    legs: list[LegFigure]
    stuck: StuckParcels


@dataclass
class SlowCounty:
    code: str
    name: str
    legs: list[LegFigure]

    @property
    def slowest(self) -> LegFigure:
        return max(self.legs, key=lambda f: -1.0 if f.median_hours is None else f.median_hours)


# ── Medians ──────────────────────────────────────────────────────────────────


def _round_hours(hours: float | None) -> float | None:
    return None if hours is None else round(float(hours), 1)


def _medians_in_sql(connection, start: dt.datetime, end: dt.datetime, county_id: int | None) -> list[tuple]:
    """(leg key, county id, median hours, parcels) per leg (and per county when ``county_id``
    is None): one UNION ALL, each branch a range scan of its leg's end-column index."""
    quote = connection.ops.quote_name
    table = quote(Order._meta.db_table)
    county_column = quote(Order._meta.get_field("county").column)
    branches, params = [], []
    for leg in LEGS:
        began, ended = quote(leg.start_field), quote(leg.end_field)
        where = f"{ended} >= %s AND {ended} < %s AND {began} IS NOT NULL"
        leg_params: list = [leg.key, start, end]
        if county_id is not None:
            where = f"{county_column} = %s AND {where}"
            leg_params.insert(1, county_id)
        branches.append(
            f"SELECT %s, {county_column}, percentile_cont(0.5) WITHIN GROUP "
            f"(ORDER BY EXTRACT(EPOCH FROM ({ended} - {began})) / 3600), count(*) "
            f"FROM {table} WHERE {where} GROUP BY {county_column}"  # nosec B608  # quoted table/column names from model _meta and the fixed LEGS; values bound
        )
        params += leg_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"({branch})" for branch in branches), params)
        return list(cursor.fetchall())


def _medians_in_python(start: dt.datetime, end: dt.datetime, county_id: int | None, using: str) -> list[tuple]:
    """The same rows as ``_medians_in_sql``, from one read of the orders that ended a leg."""
    ended_in_period = Q(pk__in=[])
    for leg in LEGS:
        ended_in_period |= Q(**{f"{leg.end_field}__gte": start, f"{leg.end_field}__lt": end})
    orders = Order.objects.using(using).filter(ended_in_period)
    if county_id is not None:
        orders = orders.filter(county_id=county_id)
    stamps = ["county_id", *dict.fromkeys(f for leg in LEGS for f in (leg.start_field, leg.end_field))]
    hours: dict[tuple[str, int], list[float]] = defaultdict(list)
    for row in orders.order_by().values(*stamps):
        for leg in LEGS:
            began, ended = row[leg.start_field], row[leg.end_field]
            if began is not None and ended is not None and start <= ended < end:
                hours[(leg.key, row["county_id"])].append((ended - began).total_seconds() / 3600)
    return [(leg, county, statistics.median(values), len(values)) for (leg, county), values in hours.items()]


def _leg_medians(period: Period, county_id: int | None = None) -> dict[int, list[LegFigure]]:
    """County id → its figure of each leg (in ``LEGS`` order), for the legs that ended in
    the period; counties where no leg ended are left out."""
    start, end = days_bounds(period.start, period.end)
    using = router.db_for_read(Order)
    connection = connections[using]
    if connection.vendor == "postgresql":
        rows = _medians_in_sql(connection, start, end, county_id)
    else:
        rows = _medians_in_python(start, end, county_id, using)
    found: dict[tuple[str, int], tuple[float | None, int]] = {
        (leg, county): (_round_hours(median), parcels) for leg, county, median, parcels in rows
    }
    counties = {county for _, county in found}
    return {county: [LegFigure(leg, *found.get((leg.key, county), (None, 0))) for leg in LEGS] for county in counties}


# ── The dashboards' figures ──────────────────────────────────────────────────


def stuck_parcels(county: County, *, now: dt.datetime | None = None) -> StuckParcels:
    """The county's parcels stuck now, at its centre and at its service points (one count
    over the index of parcels on the way)."""
    counts = (
        Order.objects.filter(stuck_q(now or timezone.now()), county=county, status__in=PARCEL_ON_THE_WAY)
        .order_by()
        .aggregate(
            at_county_centre=Count("id", filter=Q(status=OrderStatus.AT_COUNTY_CENTRE)),
            at_service_point=Count("id", filter=Q(status=OrderStatus.AT_SERVICE_POINT)),
        )
    )
    return StuckParcels(at_county_centre=counts["at_county_centre"], at_service_point=counts["at_service_point"])


def county_parcel_figures(county: County, period: Period, *, now: dt.datetime | None = None) -> CountyParcelFigures:
    """Median hours of each leg that ended in the period, and the parcels stuck now."""
    legs = _leg_medians(period, county.pk).get(county.pk) or [LegFigure(leg) for leg in LEGS]
    return CountyParcelFigures(legs=legs, stuck=stuck_parcels(county, now=now))


def slowest_legs_window(period: Period) -> Period:
    """The days the national slowest-legs table reads: the period's last
    ``SLOWEST_WINDOW_DAYS`` (all of it when shorter)."""
    start = max(period.start, period.end - dt.timedelta(days=SLOWEST_WINDOW_DAYS - 1))
    return Period(start=start, end=period.end, key=period.key if start == period.start else "custom")


def counties_with_slowest_legs(period: Period, limit: int = SLOWEST_COUNTIES) -> list[SlowCounty]:
    """The counties whose slowest leg (by median hours, over the legs that ended in the
    period's last ``SLOWEST_WINDOW_DAYS``) is the slowest of all, with the median of each of
    their legs."""
    by_county = _leg_medians(slowest_legs_window(period))

    def slowest_hours(county_id: int) -> float:
        return max((f.median_hours for f in by_county[county_id] if f.median_hours is not None), default=0.0)

    top = sorted(by_county, key=lambda c: (-slowest_hours(c), c))[:limit]
    counties = {
        pk: (code, name) for pk, code, name in County.objects.filter(pk__in=top).values_list("pk", "code", "name")
    }
    return [SlowCounty(*counties[c], legs=by_county[c]) for c in top if c in counties]
