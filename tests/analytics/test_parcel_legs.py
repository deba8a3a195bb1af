"""The parcel figures of the dashboards: the county's median hours of each leg (paid →
shipped → at the county centre → at a service point → picked up) over the parcels whose
leg ended in the period, and its parcels stuck now; the nation's counties with the slowest
legs. The orders walk their legs through the real status service, on a set clock, and the
pages' figures must equal a recomputation from the status history."""

import datetime as dt
import re
import statistics

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics import parcel_legs
from analytics.dashboards import county_dashboard
from analytics.parcel_legs import LEGS, county_parcel_figures
from analytics.periods import Period
from orders.models import OrderStatus, OrderStatusChange
from orders.services import order_transition
from tests.support.dates import shanghai
from tests.support.orders import pickup_code_of, place_order

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2025, 3, 3), dt.date(2025, 3, 9)
PERIOD = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
NOW = shanghai(dt.date(2025, 3, 12), 0, 30)
WAY = [
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.AT_COUNTY_CENTRE,
    OrderStatus.AT_SERVICE_POINT,
    OrderStatus.PICKED_UP,
]
# The status history's pairs that make each leg, in the order of LEGS.
LEG_STATUSES = list(zip(WAY, WAY[1:], strict=False))


def walk(partner, clock, paid_at: dt.datetime, *hours: float):
    """An order of ``partner`` paid at ``paid_at`` that then takes ``hours`` on each next
    leg (as many legs as hours given), each move made at its moment on the clock."""
    clock(paid_at - dt.timedelta(hours=1))
    order = place_order(partner)
    moment = paid_at
    for step, status in enumerate(WAY[: len(hours) + 1]):
        if step:
            moment += dt.timedelta(hours=hours[step - 1])
        clock(moment)
        code = pickup_code_of(order) if status == OrderStatus.PICKED_UP else None
        order = order_transition(order_id=order.pk, to_status=status, by_user=None, reason="test", pickup_code=code)
    return order


def expected_legs(county, first: dt.date, last: dt.date) -> dict[str, tuple[float | None, int]]:
    """Leg key → (median hours rounded to 0.1, parcels), recomputed from OrderStatusChange:
    a leg counts when the move that ended it was made inside the period's Shanghai days."""
    start, end = shanghai(first, 0), shanghai(last + dt.timedelta(days=1), 0)
    moves: dict[int, dict[str, dt.datetime]] = {}
    for order_id, to_status, changed_at in OrderStatusChange.objects.filter(order__county=county).values_list(
        "order_id", "to_status", "changed_at"
    ):
        moves.setdefault(order_id, {})[to_status] = changed_at
    figures = {}
    for leg, (began, ended) in zip(LEGS, LEG_STATUSES, strict=True):
        hours = [
            (m[ended] - m[began]).total_seconds() / 3600
            for m in moves.values()
            if began in m and ended in m and start <= m[ended] < end
        ]
        figures[leg.key] = (round(statistics.median(hours), 1) if hours else None, len(hours))
    return figures


def legs_on_the_page(html: str, table_id: str, row: str = "") -> dict[str, tuple[float | None, int | None]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no #{table_id}"
    body = table.group(1)
    if row:
        found = re.search(rf'<tr data-county="{row}"[^>]*>(.*?)</tr>', body, re.S)
        assert found, f"no row {row}"
        cells = re.findall(r'<td class="num" data-leg="(\w+)" data-hours="([\d.]*)"', found.group(1))
        return {leg: (float(hours) if hours else None, None) for leg, hours in cells}
    rows = re.findall(
        r'<tr data-leg="(\w+)">.*?data-hours="([\d.]*)".*?data-parcels="(\d+)"',
        body,
        re.S,
    )
    return {leg: (float(hours) if hours else None, int(parcels)) for leg, hours, parcels in rows}


def dd(html: str, element_id: str) -> str:
    found = re.search(rf'<dd id="{element_id}">([^<]*)</dd>', html)
    assert found, f"no #{element_id}"
    return found.group(1)


@pytest.fixture
def parcels(alice, bob, clock):
    """County A: three parcels walked wholly inside the period, legs that end before it,
    on its first instant and after it, and parcels waiting now (two stuck, one not);
    county B: one slow parcel and one stuck."""
    d = FIRST
    walk(alice, clock, shanghai(d, 8), 5.5, 20, 9, 30)
    walk(alice, clock, shanghai(d + dt.timedelta(days=1), 10), 12, 30.5, 4, 50)
    walk(alice, clock, shanghai(d + dt.timedelta(days=2), 9), 3, 18, 7.5, 80.25)
    # Paid and shipped before the period (that leg is out), at the centre inside it.
    walk(alice, clock, shanghai(dt.date(2025, 3, 1), 8), 2, 40, 6, 12)
    # Shipped exactly at the period's first instant (in), at the centre just after its last
    # (out), so 47.5 hours at the centre now: not stuck yet.
    walk(alice, clock, shanghai(dt.date(2025, 3, 2), 14), 10, 7 * 24 + 1)
    # Its last leg ends after the period: picked up on the 10th.
    walk(alice, clock, shanghai(LAST, 8), 3.5, 2, 3, 20)
    # Waiting now: at the centre since the 6th (stuck), at a service point since 28 February
    # (stuck), at the centre since the 11th (not yet).
    walk(alice, clock, shanghai(dt.date(2025, 3, 5), 9), 2, 22)
    walk(alice, clock, shanghai(dt.date(2025, 2, 27), 9), 12, 12, 12)
    walk(alice, clock, shanghai(dt.date(2025, 3, 10), 9), 12, 12)
    # County B: a slow pickup, and one parcel stuck at its centre since the 3rd.
    walk(bob, clock, shanghai(d, 1), 10, 20, 5, 100)
    walk(bob, clock, shanghai(d, 10), 1, 1)
    clock(NOW)


def test_the_county_dashboard_shows_each_legs_median_as_the_status_history_has_it(parcels, client, carol, county_a):
    # given county A's parcels walked through their legs (in the fixture)
    expected = expected_legs(county_a, FIRST, LAST)
    # when carol opens her county's dashboard for the period
    client.force_login(carol)
    response = client.get(reverse("dashboards:county", args=[county_a.code]), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    # then each leg's median hours and parcels equal the recomputation from the status history
    assert legs_on_the_page(html, "parcel-legs") == expected
    # and the legs that ended outside the period are left out
    assert expected == {
        # 5.5, 12, 3, 10 (shipped on the period's first instant), 3.5, 2 — not the one shipped on 1 March
        "shipping": (4.5, 6),
        # 20, 30.5, 18, 40, 2, 22 — not the one at the centre an hour after the period
        "to_county_centre": (21.0, 6),
        "to_service_point": (6.0, 5),  # 9, 4, 7.5, 6, 3
        "pickup": (40.0, 4),  # 30, 50, 80.25, 12 — not the one picked up on the 10th
    }


def test_the_county_dashboard_counts_the_parcels_stuck_now(parcels, client, carol, county_a):
    # given at the centre since the 6th, at a service point since 28 February (both stuck
    # now), at the centre for 47.5 hours and since the 11th (not yet), and county B's stuck parcel
    client.force_login(carol)
    # when carol opens her dashboard on the 12th
    html = client.get(reverse("dashboards:county", args=[county_a.code]), PERIOD).content.decode()
    # then only county A's two stuck parcels count
    assert 'id="parcels-stuck"' in html
    assert dd(html, "stuck-at-county-centre") == "1"
    assert dd(html, "stuck-at-service-point") == "1"
    assert dd(html, "stuck-total") == "2"


def test_the_national_dashboard_lists_the_counties_with_the_slowest_legs(
    parcels, client, admin_user, county_a, county_b
):
    # given two counties, county B slower on its slowest leg
    expected_a, expected_b = expected_legs(county_a, FIRST, LAST), expected_legs(county_b, FIRST, LAST)
    assert max(h for h, _ in expected_b.values() if h) > max(h for h, _ in expected_a.values() if h)
    # when the admin opens the national dashboard for the period
    client.force_login(admin_user)
    html = client.get(reverse("dashboards:national"), PERIOD).content.decode()
    # then both counties are listed, the slowest first, each leg's median as recomputed
    table = re.search(r'<table id="slowest-legs">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'<tr data-county="(\d+)"', table) == [county_b.code, county_a.code]
    assert legs_on_the_page(html, "slowest-legs", county_a.code) == {k: (h, None) for k, (h, _) in expected_a.items()}
    assert legs_on_the_page(html, "slowest-legs", county_b.code) == {k: (h, None) for k, (h, _) in expected_b.items()}
    assert f'data-county="{county_b.code}" data-slowest="pickup"' in table


def test_the_national_table_reads_the_periods_last_30_days_and_says_so(client, admin_user, alice, county_a, clock):
    # given a 60-day period: a slow parcel whose legs all ended in its first days, a quick
    # one in its last week
    first, last = dt.date(2025, 1, 8), dt.date(2025, 3, 8)
    walk(alice, clock, shanghai(first, 8), 50, 50, 50, 50)
    walk(alice, clock, shanghai(dt.date(2025, 3, 2), 8), 1, 2, 3, 4)
    clock(NOW)
    query = {"from": first.isoformat(), "to": last.isoformat()}
    # when the admin opens the national dashboard for it
    client.force_login(admin_user)
    html = client.get(reverse("dashboards:national"), query).content.decode()
    # then the table has only the quick parcel's legs, and the page names the 30 days it read
    window_first = last - dt.timedelta(days=29)
    expected = expected_legs(county_a, window_first, last)
    assert expected == {"shipping": (1.0, 1), "to_county_centre": (2.0, 1), "to_service_point": (3.0, 1), "pickup": (4.0, 1)}
    assert legs_on_the_page(html, "slowest-legs", county_a.code) == {k: (h, None) for k, (h, _) in expected.items()}
    window = re.search(r'id="slowest-legs-window">([^<]*)<', html).group(1)
    assert "2025-02-07" in window and "2025-03-08" in window
    # while the county's own dashboard counts both parcels over the whole period
    assert county_parcel_figures(county_a, Period(first, last)).legs[0].parcels == 2


def test_a_county_without_parcels_shows_dashes(client, carol, county_a):
    client.force_login(carol)
    html = client.get(reverse("dashboards:county", args=[county_a.code]), PERIOD).content.decode()
    assert legs_on_the_page(html, "parcel-legs") == {leg.key: (None, 0) for leg in LEGS}
    assert dd(html, "stuck-total") == "0"


def test_the_python_medians_equal_the_databases(parcels, county_a, monkeypatch):
    # given the medians from PostgreSQL's percentile_cont (on the test database)
    period = Period(FIRST, LAST)
    in_sql = county_parcel_figures(county_a, period).legs
    # when the same figures come from the SQLite path (statistics.median over the rows)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    monkeypatch.setattr(parcel_legs, "_medians_in_sql", None)  # not called on SQLite
    in_python = county_parcel_figures(county_a, period).legs
    # then they agree leg by leg
    assert [(f.leg.key, f.median_hours, f.parcels) for f in in_python] == [
        (f.leg.key, f.median_hours, f.parcels) for f in in_sql
    ]


def test_the_parcel_figures_are_part_of_the_county_dashboard(parcels, county_a):
    dashboard = county_dashboard(county_a, Period(FIRST, LAST))
    assert dashboard.parcels is not None
    assert [f.leg.key for f in dashboard.parcels.legs] == [leg.key for leg in LEGS]
    assert dashboard.parcels.stuck.total == 2


def _legs_queries(queries) -> int:
    # (the recruitment funnel's medians are percentile_cont too, over the partners' history)
    return sum("percentile_cont" in q["sql"] and "partners_partnerstatuschange" not in q["sql"] for q in queries)


def test_all_four_legs_are_one_query_on_each_page(parcels, client, carol, admin_user, county_a):
    # given parcels in two counties and both pages open
    client.force_login(carol)
    with CaptureQueriesContext(connection) as county_page:
        assert client.get(reverse("dashboards:county", args=[county_a.code]), PERIOD).status_code == 200
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as national_page:
        assert client.get(reverse("dashboards:national"), PERIOD).status_code == 200
    # then each page reads the four legs' medians in one query, whatever the counties
    assert _legs_queries(county_page.captured_queries) == 1
    assert _legs_queries(national_page.captured_queries) == 1
