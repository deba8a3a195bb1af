"""The 亿元淘宝县 measure (issue 19): a county's online sales are what it sells — its
farm-produce channel, net of returns — except in a month with an official online
retail figure, which counts instead; purchases and procurement are shown beside, never
in it; the mark is ¥1亿 (``TAOBAO_COUNTY_THRESHOLD_YUAN``). Ranking, projection,
headline and API follow. Also the official figures' import."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from analytics import rollups
from analytics.billion_yuan import billion_yuan_headline
from analytics.models import CountyOnlineRetailMonth, CountySummary
from counties.models import County
from rural_taobao import dates
from tests.support.dates import shanghai
from tests.support.orders import make_order
from tests.support.rollup_expectations import assert_rollups_equal_the_orders, expected_figures

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)
AS_OF = TODAY - dt.timedelta(days=1)  # the summary is as of yesterday: t12 = (2024-06-14, 2025-06-14]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(dates, "shanghai_today", lambda: TODAY)


def sell(world, *, partner=0, channel="farm_produce", amount, day, returned=None):
    partner_obj = world["partners"][partner]
    villager = world["villagers"][partner * 3]
    return make_order(
        partner=partner_obj,
        villager=villager,
        channel=channel,
        lines=[(world["categories"][3], 1, Decimal(amount))],
        paid_at=shanghai(day, 10),
        returned_at=shanghai(returned, 10) if returned else None,
    )


def official(county, month, amount):
    return CountyOnlineRetailMonth.objects.create(county=county, month=month, online_retail_sales=Decimal(amount))


def roll_up(days):
    rollups.run_rollups(days, trigger="test")


# ── the measure ──────────────────────────────────────────────────────────────


def test_the_threshold_is_one_hundred_million_yuan():
    assert settings.TAOBAO_COUNTY_THRESHOLD_YUAN == 100_000_000
    assert rollups.taobao_county_threshold() == Decimal("100000000")


def test_without_official_figures_online_sales_are_the_farm_produce_channel(world, county_a):
    # given county A sells farm produce, buys for villagers and is sold a ¥129,000 procurement order
    march, april = dt.date(2025, 3, 10), dt.date(2025, 4, 2)
    sell(world, amount="5000.00", day=march)
    sell(world, amount="800.00", day=march, returned=april)
    sell(world, channel="assisted_purchase", amount="2599.00", day=march)
    sell(world, channel="government_procurement", amount="129000.00", day=april)
    # when the rollups run
    roll_up([march, april])
    # then the measure holds farm produce only (the return taken off), the rest beside it
    summary = CountySummary.objects.get(county=county_a)
    assert summary.trailing_12m_sales == Decimal("5000.00")
    assert summary.year_to_date_sales == Decimal("5000.00")
    assert summary.trailing_12m_purchases == Decimal("2599.00")
    assert summary.trailing_12m_procurement == Decimal("129000.00")
    assert summary.official_months == 0


def test_a_month_with_an_official_figure_counts_the_figure_instead_of_the_channel(world, county_a, county_b):
    # given farm produce in March and April, and the county's official March figure
    march, april = dt.date(2025, 3, 10), dt.date(2025, 4, 2)
    sell(world, amount="5000.00", day=march)
    sell(world, amount="700.00", day=april)
    official(county_a, dt.date(2025, 3, 1), "30000000.00")
    # and a June 2024 figure cut by the window's edge: 16 of its 30 days in the trailing 12 months
    official(county_a, dt.date(2024, 6, 1), "3000000.00")
    # and June 2025 so far (14 of 30 days to the summary's day)
    official(county_a, dt.date(2025, 6, 1), "3000000.00")
    roll_up([march, april])
    summary = CountySummary.objects.get(county=county_a)
    # then March is the official ¥30,000,000 (not the channel's ¥5,000), April the channel's ¥700
    assert summary.trailing_12m_sales == Decimal("30000000") + Decimal("700") + Decimal("1600000") + Decimal("1400000")
    assert summary.prior_12m_sales == Decimal("1400000.00")  # June 2024's other 14 days
    assert summary.year_to_date_sales == Decimal("30000000") + Decimal("700") + Decimal("1400000")
    assert summary.official_months == 3
    # and a county without figures or orders is ranked after it
    assert CountySummary.objects.get(county=county_b).national_rank == 2
    assert summary.national_rank == 1


def test_the_flag_is_at_one_hundred_million(world, county_a, county_b):
    # given A's official figures come to exactly ¥1亿 over whole months and B's a cent short
    for month in (dt.date(2025, 1, 1), dt.date(2025, 2, 1)):
        official(county_a, month, "50000000.00")
    official(county_b, dt.date(2025, 3, 1), "99999999.99")
    rollups.refresh_county_summary(AS_OF)
    a, b = CountySummary.objects.get(county=county_a), CountySummary.objects.get(county=county_b)
    assert (a.trailing_12m_sales, a.is_billion_yuan) == (Decimal("100000000.00"), True)
    assert (b.trailing_12m_sales, b.is_billion_yuan) == (Decimal("99999999.99"), False)
    # and the mark is the one setting
    with override_settings(TAOBAO_COUNTY_THRESHOLD_YUAN=99_999_999):
        rollups.refresh_county_summary(AS_OF)
    assert CountySummary.objects.get(county=county_b).is_billion_yuan is True


def test_the_summary_ranking_and_headline_equal_a_recomputation(world, county_a, county_b, admin_user):
    # given a year of random orders in every channel and random official months
    rng = random.Random(19)
    days = []
    for _ in range(60):
        day = AS_OF - dt.timedelta(days=rng.randrange(0, 700))
        days.append(day)
        returned = day + dt.timedelta(days=3) if rng.random() < 0.15 and day + dt.timedelta(days=3) <= AS_OF else None
        if returned:
            days.append(returned)
        sell(
            world,
            partner=rng.randrange(3),
            channel=rng.choice(["farm_produce", "farm_produce", "assisted_purchase", "government_procurement"]),
            amount=f"{rng.randrange(100, 90_000_000)}.{rng.randrange(100):02d}",
            day=day,
            returned=returned,
        )
    for county in (county_a, county_b):
        for month in rng.sample(range(24), 5):
            start = dates.add_months(dates.month_start(AS_OF), -month)
            official(county, start, f"{rng.randrange(1_000_000, 60_000_000)}.{rng.randrange(100):02d}")
    # when the rollups run
    roll_up(days)
    # then every table, the summary included, equals the recomputation
    assert_rollups_equal_the_orders(as_of=AS_OF)
    expected = expected_figures(as_of=AS_OF)["county_summary"]
    # and the headline counts what the recomputation flags
    flagged = [pk for pk, row in expected.items() if row[4]]
    headline = billion_yuan_headline()
    assert headline.billion_yuan_counties == len(flagged)
    poor = set(County.objects.filter(is_poverty_county=True).values_list("pk", flat=True))
    assert headline.poverty == len([pk for pk in flagged if pk in poor])
    # and the API's ranking is the recomputation's order
    api = APIClient()
    api.force_authenticate(admin_user)
    body = api.get(reverse("api-billion-yuan-ranking")).json()["results"]
    by_code = {c.code: c.pk for c in County.objects.all()}
    assert [(r["county"]["code"], Decimal(r["trailing_12m_sales"]), r["national_rank"]) for r in body] == sorted(
        ((code, expected[pk][1], expected[pk][5]) for code, pk in by_code.items()), key=lambda r: (r[2], r[0])
    )
    assert {r["county"]["code"]: Decimal(r["trailing_12m_procurement"]) for r in body} == {
        code: expected[pk][8] for code, pk in by_code.items()
    }


def test_the_dashboard_api_carries_the_measure_beside_purchases(world, county_a, carol):
    sell(world, amount="5000.00", day=dt.date(2025, 3, 10))
    sell(world, channel="government_procurement", amount="129000.00", day=dt.date(2025, 3, 10))
    official(county_a, dt.date(2025, 4, 1), "12000000.00")
    roll_up([dt.date(2025, 3, 10)])
    api = APIClient()
    api.force_authenticate(carol)
    body = api.get(
        reverse("api-county-dashboard", args=[county_a.code]), {"from": "2025-03-01", "to": "2025-03-31"}
    ).json()["billion_yuan"]
    assert body["trailing_12m_sales"] == "12005000.00"
    assert body["threshold"] == "100000000.00"
    assert body["progress"] == pytest.approx(0.12005)
    assert body["trailing_12m_procurement"] == "129000.00"
    assert body["official_months"] == 1
