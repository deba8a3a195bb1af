"""The national dashboard's figures — headline, totals, provinces, regions, daily series,
funnel — as the page shows them (its context and its chart data) equal a recomputation in
plain Python from the Order and Partner rows."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from counties.models import County, Region
from integrity.models import Flag, FlagStatus
from orders.models import Order
from partners.models import Partner, PartnerStatus, PartnerStatusChange
from tests.support.dates import SHANGHAI, shanghai
from tests.support.factories import CountyFactory, ProvinceFactory, VillageFactory, VillagerFactory
from tests.support.orders import make_order
from tests.support.partners import partner_in
from tests.support.sales_world import START, TODAY, build_sales_world

pytestmark = pytest.mark.django_db

# The 亿元淘宝县 mark (¥1亿), written out here rather than read from the code under test.
THRESHOLD = Decimal(100_000_000)
PERIOD_START, PERIOD_END = START + dt.timedelta(days=10), START + dt.timedelta(days=34)


@pytest.fixture
def national_world(world, county_a, county_b, monkeypatch):
    """The sales world (counties A, central, and B, west), B a poverty county that passes
    ¥1亿 of online sales with its farm produce (and buys ¥12亿 by procurement, which does
    not count), a county C in an eastern province that passes it too and returns part of
    it, and partners in every onboarding status."""
    county_b.is_poverty_county = True
    county_b.save()
    zhejiang = ProvinceFactory(code="33", name="浙江省", name_en="Zhejiang", region=Region.EAST)
    county_c = CountyFactory(code="330782", name="义乌市", province=zhejiang)
    dana = partner_in(PartnerStatus.ACTIVE, real_name="周丹", village=VillageFactory(county=county_c, name="青岩刘村"))
    buyer = VillagerFactory(partner=dana, phone="13922223333")
    bob = world["partners"][1]
    procurement = world["categories"][0]
    make_order(
        partner=bob,
        villager=world["villagers"][3],
        channel="government_procurement",
        lines=[(procurement, 1200, Decimal("1000000.00"))],
        paid_at=shanghai(START + dt.timedelta(days=12), 9),
    )
    make_order(
        partner=bob,
        villager=world["villagers"][3],
        channel="farm_produce",
        lines=[(procurement, 101, Decimal("1000000.00"))],
        paid_at=shanghai(START + dt.timedelta(days=13), 9),
    )
    big = make_order(
        partner=dana,
        villager=buyer,
        channel="farm_produce",
        lines=[(procurement, 1, Decimal("100050000.00"))],
        paid_at=shanghai(START + dt.timedelta(days=20), 15),
    )
    make_order(
        partner=dana,
        villager=buyer,
        channel="farm_produce",
        lines=[(procurement, 3, Decimal("188.00"))],
        paid_at=shanghai(START + dt.timedelta(days=21), 15),
        returned_at=shanghai(START + dt.timedelta(days=30), 11),
    )
    for status in (
        PartnerStatus.APPLIED,
        PartnerStatus.APPLIED,
        PartnerStatus.REVIEWING,
        PartnerStatus.APPROVED,
        PartnerStatus.TRAINING,
        PartnerStatus.SUSPENDED,
        PartnerStatus.EXITED,
        PartnerStatus.REJECTED,
    ):
        partner_in(status, village=VillageFactory(county=county_c))
    built = build_sales_world(world, county_a, monkeypatch)
    return {**built, "county_c": county_c, "big": big}


def _day(moment):
    return moment.astimezone(SHANGHAI).date() if moment else None


def money_events(channel: str | None = None):
    """(day, county, sign, amount) of every payment (+1) and of every return or
    cancellation after payment (−1), straight from the orders (of one ``channel`` when
    given); an order whose flag a reviewer confirmed is no sale."""
    not_sales = set(Flag.objects.filter(status=FlagStatus.CONFIRMED).values_list("order_id", flat=True))
    events = []
    for order in Order.objects.prefetch_related("lines"):
        if order.paid_at is None or order.pk in not_sales or (channel and order.channel != channel):
            continue
        amount = sum((line.line_total for line in order.lines.all()), Decimal(0))
        events.append((_day(order.paid_at), order.county_id, 1, amount))
        reversal = order.returned_at or order.cancelled_at
        if reversal:
            events.append((_day(reversal), order.county_id, -1, amount))
    return events


# The onboarding path, and how far a status off it got at least (rejected: nowhere past
# the application; suspended and exited partners were active; ...).
PATH = ["applied", "reviewing", "approved", "training", "active"]
OFF_PATH = {"suspended": 4, "exited": 4, "failed": 3, "withdrawn": 2, "rejected": 0}
LEFT_FROM = {"rejected", "failed", "withdrawn"}


def _step(status: str) -> int:
    return PATH.index(status) if status in PATH else OFF_PATH.get(status, 0)


def expected_reached() -> list[int]:
    """How many partners reached each step of the path: their status, or the furthest step
    their history went to (a rejection, failure or withdrawal counts the step it left)."""
    furthest = {pk: _step(status) for pk, status in Partner.objects.values_list("pk", "status")}
    for pk, from_status, to_status in PartnerStatusChange.objects.values_list("partner_id", "from_status", "to_status"):
        furthest[pk] = max(furthest[pk], _step(from_status if to_status in LEFT_FROM else to_status))
    return [sum(1 for top in furthest.values() if top >= i) for i in range(len(PATH))]


def expected_national(start: dt.date, end: dt.date) -> dict:
    counties = {c.pk: c for c in County.objects.select_related("province")}
    events = money_events()
    length = (end - start).days + 1
    previous_start, previous_end = start - dt.timedelta(days=length), start - dt.timedelta(days=1)

    def totals(first, last):
        t = {"gross": Decimal(0), "returns": Decimal(0), "orders": 0}
        for day, _, sign, amount in events:
            if first <= day <= last:
                if sign == 1:
                    t["gross"] += amount
                    t["orders"] += 1
                else:
                    t["returns"] += amount
        return t

    daily = []
    for i in range(length):
        day = start + dt.timedelta(days=i)
        t = totals(day, day)
        daily.append((day, t["gross"], t["returns"], t["orders"]))
    provinces = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    regions = {region: [Decimal(0), Decimal(0), 0] for region in Region.values}
    for day, county_id, sign, amount in events:
        if start <= day <= end:
            province = counties[county_id].province
            for row in (provinces[(province.code, province.region)], regions[province.region]):
                row[0 if sign == 1 else 1] += amount
                row[2] += 1 if sign == 1 else 0
    # The headline: counties whose online sales (farm produce, net) over the twelve
    # months to yesterday reach ¥1亿; purchases and procurement do not count.
    as_of = TODAY - dt.timedelta(days=1)
    net = defaultdict(Decimal)
    for day, county_id, sign, amount in money_events(channel="farm_produce"):
        if as_of - dt.timedelta(days=365) < day <= as_of:
            net[county_id] += sign * amount
    billion = [counties[c] for c, total in net.items() if total >= THRESHOLD]
    return {
        "totals": totals(start, end),
        "previous": totals(previous_start, previous_end),
        "daily": daily,
        "provinces": sorted(
            ((code, region, *row) for (code, region), row in provinces.items()), key=lambda r: (-(r[2] - r[3]), r[0])
        ),
        "regions": [(region, *row) for region, row in regions.items()],
        "headline": {
            "billion_yuan_counties": len(billion),
            "midwest": sum(1 for c in billion if c.region in (Region.CENTRAL, Region.WEST)),
            "poverty": sum(1 for c in billion if c.is_poverty_county),
            "provinces": len({c.province_id for c in billion}),
            "counties": len(counties),
            "as_of": as_of,
        },
        "funnel": Counter(Partner.objects.values_list("status", flat=True)),
        "reached": expected_reached(),
    }


def test_the_national_page_shows_the_figures_the_orders_add_up_to(national_world, admin_client_en):
    # given a month and a half of orders in three provinces, rolled up
    expected = expected_national(PERIOD_START, PERIOD_END)
    assert expected["headline"]["billion_yuan_counties"] == 2, "the world must have ¥1亿 Taobao counties"
    assert len(expected["provinces"]) == 3 and expected["previous"]["orders"] > 0
    # when the admin opens the national dashboard for a custom period
    response = admin_client_en.get(
        reverse("dashboards:national"),
        {"period": "custom", "from": PERIOD_START.isoformat(), "to": PERIOD_END.isoformat()},
    )
    assert response.status_code == 200
    dashboard, chart = response.context["dashboard"], response.context["chart_data"]
    assert (dashboard.period.start, dashboard.period.end) == (PERIOD_START, PERIOD_END)
    # then the totals and the previous period's equal the orders'
    for totals, want in ((dashboard.totals, expected["totals"]), (dashboard.previous_totals, expected["previous"])):
        assert (totals.gross_sales, totals.returns, totals.orders) == (want["gross"], want["returns"], want["orders"])
        assert totals.sales == want["gross"] - want["returns"]
    kpis = {k.key: k for k in dashboard.kpis}
    assert kpis["sales"].value == expected["totals"]["gross"] - expected["totals"]["returns"]
    assert kpis["average_order_value"].value == (expected["totals"]["gross"] / expected["totals"]["orders"]).quantize(
        Decimal("0.01")
    )
    # and the daily series, day by day (the days without orders too), in the table and the chart
    assert [(p.day, p.gross_sales, p.returns, p.orders) for p in dashboard.daily] == expected["daily"]
    assert chart["daily"]["labels"] == [day.isoformat() for day, *_ in expected["daily"]]
    assert chart["daily"]["sales"] == [float(gross - returns) for _, gross, returns, _ in expected["daily"]]
    assert chart["daily"]["orders"] == [orders for *_, orders in expected["daily"]]
    # and the provinces, best first, and the four regions
    assert [(r.code, r.region, r.gross_sales, r.returns, r.orders) for r in dashboard.provinces] == expected[
        "provinces"
    ]
    assert chart["provinces"]["sales"] == [float(g - r) for _, _, g, r, _ in expected["provinces"]]
    assert [(r.region, r.gross_sales, r.returns, r.orders) for r in dashboard.regions] == expected["regions"]
    assert chart["regions"]["sales"] == [float(g - r) for _, g, r, _ in expected["regions"]]
    # and the billion-yuan headline
    headline = dashboard.headline
    assert {k: getattr(headline, k) for k in expected["headline"]} == expected["headline"]
    # and the recruitment funnel counts every partner once, by status
    funnel = {step.status: step.partners for step in dashboard.funnel}
    assert funnel == {status: expected["funnel"].get(status, 0) for status in funnel}
    assert sum(funnel.values()) == Partner.objects.count()
    # and the funnel chart, who reached each onboarding step
    assert [step.status for step in dashboard.conversion] == PATH
    assert [step.reached for step in dashboard.conversion] == expected["reached"]
    assert chart["funnel"]["partners"] == expected["reached"]
    assert expected["reached"][0] == Partner.objects.count() and expected["reached"][-1] > 0
