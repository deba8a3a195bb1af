"""The API contract of counties and dashboards, through the HTTP layer."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from analytics.dashboards import county_dashboard
from analytics.models import CountySummary, RollupRun, RollupRunStatus
from analytics.periods import preset_period
from tests.support.factories import CountyFactory, ProvinceFactory, ServicePointFactory, VillageFactory
from tests.support.sales_world import START, expected_dashboard

pytestmark = pytest.mark.django_db

MONEY = re.compile(r"^-?\d+\.\d{2}$")
FROM, TO = START + dt.timedelta(days=7), START + dt.timedelta(days=20)


@pytest.fixture
def api(carol):
    client = APIClient()
    client.force_authenticate(carol)
    return client


def dashboard_url(code):
    return reverse("api-county-dashboard", kwargs={"code": code})


def test_the_dashboard_json_is_the_contract(api, sales_world, county_a):
    # given the rolled-up world and a finished run
    run = RollupRun.objects.filter(status=RollupRunStatus.SUCCEEDED).latest("finished_at")
    # when carol asks for two weeks
    response = api.get(dashboard_url(county_a.code), {"from": FROM.isoformat(), "to": TO.isoformat()})
    # then the body has exactly the contract's keys, amounts as two-decimal strings
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "county",
        "period",
        "totals",
        "previous_totals",
        "daily",
        "by_category",
        "by_channel",
        "villages",
        "top_partners",
        "billion_yuan",
        "as_of",
    }
    assert body["county"]["code"] == county_a.code
    assert body["period"] == {
        "from": FROM.isoformat(),
        "to": TO.isoformat(),
        "days": 14,
        "previous_from": (FROM - dt.timedelta(days=14)).isoformat(),
        "previous_to": (FROM - dt.timedelta(days=1)).isoformat(),
    }
    for totals in (body["totals"], body["previous_totals"]):
        assert set(totals) == {"sales", "orders", "buyers", "active_partners", "returns"}
        assert MONEY.match(totals["sales"]) and MONEY.match(totals["returns"])
    expected = expected_dashboard(county_a, FROM, TO)
    assert Decimal(body["totals"]["sales"]) == expected["net"]
    assert Decimal(body["totals"]["returns"]) == expected["returns"]
    assert body["totals"]["orders"] == expected["orders"]
    assert body["totals"]["buyers"] == expected["buyers"]
    assert body["totals"]["active_partners"] == expected["partners"]
    assert len(body["daily"]) == 14
    assert all(set(d) == {"date", "sales", "orders"} and MONEY.match(d["sales"]) for d in body["daily"])
    assert sum(Decimal(d["sales"]) for d in body["daily"]) == expected["net"]
    assert {c["category"]: Decimal(c["sales"]) for c in body["by_category"]} == expected["category"]
    assert {c["channel"] for c in body["by_channel"]} == {"assisted_purchase", "farm_produce", "government_procurement"}
    assert all({"id", "name", "partner", "sales", "orders", "last_order_day"} <= set(v) for v in body["villages"])
    assert len(body["top_partners"]) <= 10
    assert {p["id"]: Decimal(p["sales"]) for p in body["top_partners"]} == expected["partner_sales"]
    assert {p["id"]: Decimal(p["commission"]) for p in body["top_partners"]} == expected["partner_commission"]
    billion = body["billion_yuan"]
    assert {"trailing_12m_sales", "progress", "national_rank", "projected_month"} <= set(billion)
    assert MONEY.match(billion["trailing_12m_sales"])
    assert body["as_of"] == timezone.localtime(run.finished_at).isoformat()
    # the run just finished: nothing to warn about
    assert timezone.now() - run.finished_at < dt.timedelta(hours=1)
    assert body["freshness_warning"] == ""


def test_the_dashboard_equals_the_page_selector(api, sales_world, county_a):
    # The API serialises the same computation the page renders: no second copy of a rule.
    body = api.get(dashboard_url(county_a.code), {"period": "custom", "from": "2025-03-01", "to": "2025-03-31"}).json()
    from analytics.periods import Period

    dashboard = county_dashboard(county_a, Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31)))
    assert Decimal(body["totals"]["sales"]) == dashboard.totals.sales
    assert Decimal(body["previous_totals"]["sales"]) == dashboard.previous_totals.sales
    assert [v["id"] for v in body["villages"]] == [v.id for v in dashboard.villages]


def test_without_dates_the_period_is_the_last_30_days(api, county_a):
    body = api.get(dashboard_url(county_a.code)).json()
    period = preset_period("30d")
    assert (body["period"]["from"], body["period"]["to"]) == (period.start.isoformat(), period.end.isoformat())
    assert body["totals"] == {"sales": "0.00", "orders": 0, "buyers": 0, "active_partners": 0, "returns": "0.00"}
    assert body["as_of"] is None and body["freshness_warning"] == "never"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-03-10", "to": "2025-03-01"}, "from"),
        ({"from": "10/03/2025", "to": "2025-03-20"}, "from"),
        ({"from": "2025-03-01", "to": "2025-02-30"}, "to"),
        ({"from": "2023-01-01", "to": "2025-01-02"}, "to"),
        ({"from": "2025-03-01"}, "to"),
        ({"to": "2025-03-01"}, "from"),
        ({"period": "decade"}, "period"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
    ],
)
def test_bad_periods_are_400_with_field_errors(api, county_a, query, field):
    response = api.get(dashboard_url(county_a.code), query)
    assert response.status_code == 400
    body = response.json()
    assert field in body and all(isinstance(m, str) for m in body[field])


def test_another_county_is_404_and_partners_403(api, alice, county_b):
    assert api.get(dashboard_url(county_b.code)).status_code == 404
    assert api.get(dashboard_url(county_b.code), {"from": "bad"}).status_code == 404
    partner = APIClient()
    partner.force_authenticate(alice.user)
    assert partner.get(dashboard_url(county_b.code)).status_code == 403


def test_token_authentication(carol, county_a):
    token = Token.objects.create(user=carol)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(dashboard_url(county_a.code)).status_code == 200
    assert APIClient().get(dashboard_url(county_a.code)).status_code in (401, 403)


# ── Counties and villages ────────────────────────────────────────────────────


def test_the_county_list_is_paginated_and_filtered(admin_user, county_a, county_b):
    for i in range(3):
        CountyFactory(code=f"41020{i}", province=county_a.province, is_poverty_county=i == 0)
    client = APIClient()
    client.force_authenticate(admin_user)
    body = client.get(reverse("api-county-list"), {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    first = body["results"][0]
    assert first["code"] == "410200" and first["province"]["code"] == "41"
    assert MONEY.match(first["yearly_sales_target"])
    assert client.get(reverse("api-county-list"), {"region": "west"}).json()["count"] == 1
    assert client.get(reverse("api-county-list"), {"province": "41"}).json()["count"] == 4
    assert client.get(reverse("api-county-list"), {"is_poverty_county": "true"}).json()["count"] == 1
    names = [c["code"] for c in client.get(reverse("api-county-list"), {"ordering": "-code"}).json()["results"]]
    assert names == sorted(names, reverse=True)
    assert client.get(reverse("api-county-list"), {"page_size": 1000}).status_code == 200
    assert client.get(reverse("api-county-list"), {"page": 99}).status_code == 404


def test_the_villages_of_a_county(api, county_a, alice):
    # given a second village with a service point and no partner, and one with nothing
    ServicePointFactory(
        village=VillageFactory(county=county_a, name="东坝头村", township="东坝头乡"), address="村委会旁"
    )
    VillageFactory(county=county_a, name="空村")
    # when
    body = api.get(reverse("api-county-villages", kwargs={"code": county_a.code})).json()
    # then each village comes with its service point and current partner
    villages = {v["name"]: v for v in body["results"]}
    assert body["count"] == 3
    assert villages["张庄村"]["partner"] == {"id": alice.pk, "name": alice.real_name}
    assert villages["东坝头村"]["service_point"]["address"] == "村委会旁" and villages["东坝头村"]["partner"] is None
    assert villages["空村"]["service_point"] is None


# ── Ranking ──────────────────────────────────────────────────────────────────


@pytest.fixture
def ranking(county_a, county_b):
    sichuan = ProvinceFactory(code="51", name="四川省", name_en="Sichuan", region="west")
    pixian = CountyFactory(code="510124", name="郫县", province=sichuan, is_poverty_county=True)
    rows = [
        (pixian, "150000000", "100000000", 1, 1),
        (county_b, "120000000", "0", 2, 1),
        (county_a, "80000000", "40000000", 3, 1),
    ]
    for county, t12, p12, rank, provincial in rows:
        CountySummary.objects.create(
            county=county,
            as_of=dt.date(2025, 6, 30),
            trailing_12m_sales=Decimal(t12),
            prior_12m_sales=Decimal(p12),
            is_billion_yuan=Decimal(t12) >= 10**8,
            national_rank=rank,
            provincial_rank=provincial,
        )
    return pixian


def test_the_ranking_filters_and_orders(admin_user, ranking, county_a, county_b):
    client = APIClient()
    client.force_authenticate(admin_user)
    url = reverse("api-billion-yuan-ranking")

    def codes(**query):
        response = client.get(url, query)
        assert response.status_code == 200, response.json()
        return [r["county"]["code"] for r in response.json()["results"]]

    assert codes() == [ranking.code, county_b.code, county_a.code]
    assert codes(region="west") == [ranking.code, county_b.code]
    assert codes(province="41") == [county_a.code]
    assert codes(poverty="true") == [ranking.code]
    assert codes(poverty="false") == [county_b.code, county_a.code]
    assert codes(billion_yuan="true") == [ranking.code, county_b.code]
    assert codes(ordering="trailing_12m_sales") == [county_a.code, county_b.code, ranking.code]
    # growth: A ×2, Pixian ×1.5, B none (no prior year) — last either way
    assert codes(ordering="-growth") == [county_a.code, ranking.code, county_b.code]
    assert codes(ordering="growth") == [ranking.code, county_a.code, county_b.code]
    row = client.get(url, {"province": "41"}).json()["results"][0]
    assert row["trailing_12m_sales"] == "80000000.00" and row["growth"] == "2.0000" and row["national_rank"] == 3


@pytest.mark.parametrize(
    "query", [{"poverty": "maybe"}, {"province": "zz"}, {"region": "south"}, {"ordering": "name;"}]
)
def test_bad_ranking_filters_are_400(admin_user, ranking, query):
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.get(reverse("api-billion-yuan-ranking"), query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_the_schema_describes_the_endpoints(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/counties/",
        "/api/v1/counties/{code}/villages/",
        "/api/v1/counties/{code}/dashboard/",
        "/api/v1/rankings/billion-yuan/",
    ):
        assert path in paths
    dashboard = paths["/api/v1/counties/{code}/dashboard/"]["get"]
    assert {p["name"] for p in dashboard["parameters"]} >= {"code", "from", "to"}
    assert {"200", "400", "403", "404"} <= set(dashboard["responses"])
    body = schema["components"]["schemas"]["Dashboard"]
    assert set(body["properties"]) >= {
        "county",
        "period",
        "totals",
        "previous_totals",
        "daily",
        "billion_yuan",
        "as_of",
    }
