"""Reads of the county centre's workspace: its counties' parcels on the way, by service
point and age, and the ones stuck (at the centre more than 2 days, at a service point
more than 7)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .models import PARCEL_ON_THE_WAY, Order, OrderStatus
from .parcels import centre_orders

STUCK_AT_CENTRE = dt.timedelta(days=2)
STUCK_AT_SERVICE_POINT = dt.timedelta(days=7)
STUCK_LIMIT = 200


def stuck_q(now: dt.datetime) -> Q:
    return Q(status=OrderStatus.AT_COUNTY_CENTRE, at_county_centre_at__lt=now - STUCK_AT_CENTRE) | Q(
        status=OrderStatus.AT_SERVICE_POINT, at_service_point_at__lt=now - STUCK_AT_SERVICE_POINT
    )


@dataclass
class ServicePointRow:
    service_point_id: int | None
    village: str
    address: str
    counts: dict[str, int] = field(default_factory=dict)  # status → parcels
    oldest: dict[str, dt.datetime] = field(default_factory=dict)  # status → since when the oldest waits

    @property
    def shipped(self) -> int:
        return self.counts.get(OrderStatus.SHIPPED, 0)

    @property
    def at_centre(self) -> int:
        return self.counts.get(OrderStatus.AT_COUNTY_CENTRE, 0)

    @property
    def at_service_point(self) -> int:
        return self.counts.get(OrderStatus.AT_SERVICE_POINT, 0)

    def age_hours(self, status: str, now: dt.datetime) -> int | None:
        since = self.oldest.get(status)
        return None if since is None else int((now - since).total_seconds() // 3600)


@dataclass
class CentreOverview:
    totals: dict[str, int]
    service_points: list[ServicePointRow]
    stuck: list[Order]
    stuck_count: int
    now: dt.datetime

    @property
    def expected(self) -> int:
        return self.totals.get(OrderStatus.SHIPPED, 0)

    @property
    def at_centre(self) -> int:
        return self.totals.get(OrderStatus.AT_COUNTY_CENTRE, 0)

    @property
    def at_service_points(self) -> int:
        return self.totals.get(OrderStatus.AT_SERVICE_POINT, 0)


_SINCE = {
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.AT_COUNTY_CENTRE: "at_county_centre_at",
    OrderStatus.AT_SERVICE_POINT: "at_service_point_at",
}


def on_the_way(user) -> QuerySet[Order]:
    return centre_orders(user).filter(status__in=PARCEL_ON_THE_WAY)


def centre_overview(user, *, now: dt.datetime | None = None) -> CentreOverview:
    now = now or timezone.now()
    parcels = on_the_way(user)
    rows: dict[int | None, ServicePointRow] = {}
    totals: dict[str, int] = {}
    for row in (
        parcels.values("status", "village__service_point", "village__name", "village__service_point__address")
        .annotate(
            n=Count("id"),
            shipped=Min("shipped_at"),
            centre=Min("at_county_centre_at"),
            point=Min("at_service_point_at"),
        )
        .order_by("village__name")
    ):
        key = row["village__service_point"]
        entry = rows.setdefault(
            key,
            ServicePointRow(key, row["village__name"], row["village__service_point__address"] or ""),
        )
        status = row["status"]
        entry.counts[status] = entry.counts.get(status, 0) + row["n"]
        since = {
            "shipped_at": row["shipped"],
            "at_county_centre_at": row["centre"],
            "at_service_point_at": row["point"],
        }[_SINCE[status]]
        if since is not None and (status not in entry.oldest or since < entry.oldest[status]):
            entry.oldest[status] = since
        totals[status] = totals.get(status, 0) + row["n"]
    stuck = parcels.filter(stuck_q(now))
    return CentreOverview(
        totals=totals,
        service_points=sorted(rows.values(), key=lambda r: (-r.at_centre, r.village)),
        stuck=list(
            stuck.select_related("village", "villager", "partner").order_by(
                "at_county_centre_at", "at_service_point_at"
            )[:STUCK_LIMIT]
        ),
        stuck_count=stuck.count(),
        now=now,
    )
