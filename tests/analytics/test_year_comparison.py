""" "This year" compares a year to date with the same dates last year, and a period whose
earlier period has no figures says "no comparison" instead of a percentage (issue 19,
point 12)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.dashboards import county_dashboard, national_dashboard
from analytics.models import CountyDay
from analytics.periods import Period, preset_period
from tests.support.sales_world import TODAY

YEAR_START = dt.date(2025, 1, 1)
YESTERDAY = TODAY - dt.timedelta(days=1)  # 12 April 2025


@pytest.mark.parametrize(
    ("today", "previous"),
    [
        (dt.date(2026, 3, 1), Period(dt.date(2025, 1, 1), dt.date(2025, 2, 28), "previous")),
        (dt.date(2024, 3, 1), Period(dt.date(2023, 1, 1), dt.date(2023, 2, 28), "previous")),  # 29 Feb
        (dt.date(2026, 12, 8), Period(dt.date(2025, 1, 1), dt.date(2025, 12, 7), "previous")),
    ],
)
def test_a_year_to_date_is_compared_with_the_same_dates_last_year(today, previous):
    assert preset_period("year", today=today).previous() == previous


def test_other_periods_are_compared_with_the_same_length_just_before():
    assert preset_period("30d", today=dt.date(2026, 3, 1)).previous() == Period(
        dt.date(2025, 12, 31), dt.date(2026, 1, 29), "previous"
    )
    custom = Period(dt.date(2026, 1, 1), dt.date(2026, 2, 28), "custom")
    assert custom.previous() == Period(dt.date(2025, 11, 3), dt.date(2025, 12, 31), "previous")


@pytest.mark.django_db
def test_this_year_compares_with_the_same_dates_last_year(sales_world, county_a):
    # given county A's sales of March and April 2025, and last year: one day inside the same
    # dates (10 February 2024) and a big one after them (20 December 2024)
    CountyDay.objects.create(county=county_a, day=dt.date(2024, 2, 10), sales=Decimal("1000.00"), orders=2)
    CountyDay.objects.create(county=county_a, day=dt.date(2024, 12, 20), sales=Decimal("90000.00"), orders=50)
    # when the dashboard shows this year
    dashboard = county_dashboard(county_a, preset_period("year"))
    # then it is compared with 1 January – 12 April 2024, the December day left out
    assert (dashboard.previous_period.start, dashboard.previous_period.end) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 4, 12),
    )
    assert dashboard.previous_totals.sales == Decimal("1000.00")
    assert dashboard.previous_totals.orders == 2
    sales = next(k for k in dashboard.kpis if k.key == "sales")
    assert sales.comparable
    assert sales.change == pytest.approx(float((dashboard.totals.sales - 1000) / 1000))


@pytest.mark.django_db
def test_without_figures_last_year_the_page_says_no_comparison(client, carol, county_a, sales_world):
    # given county A sold only since March 2025 (and the 20 December 2024 rollup row is outside the
    # same dates last year)
    CountyDay.objects.create(county=county_a, day=dt.date(2024, 12, 20), sales=Decimal("90000.00"), orders=50)
    client.force_login(carol)
    # when carol opens "this year" in Chinese and in English
    url = reverse("dashboards:county", args=[county_a.code])
    zh = client.get(url, {"period": "year"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get(url, {"period": "year"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then every tile says there is nothing to compare with, not a percentage
    for page, words in ((zh, "无可比数据"), (en, "no comparison")):
        tiles = re.findall(r'<div class="delta[^"]*"[^>]*>(.*?)</div>', page, re.S)
        assert len(tiles) == 7
        assert all(words in tile and "%" not in tile for tile in tiles), tiles
    assert "No comparison: there are no figures for 2024-01-01 to 2024-04-12." in en
    # and the trend has no line for the earlier period
    assert '"previous": []' in en


@pytest.mark.django_db
def test_a_period_whose_earlier_period_had_sales_shows_the_change(client, carol, county_a, sales_world):
    # given 1 – 12 April 2025 against 20 – 31 March 2025, both with sales
    client.force_login(carol)
    url = reverse("dashboards:county", args=[county_a.code])
    en = client.get(url, {"from": "2025-04-01", "to": "2025-04-12"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then the net sales tile shows a percentage and the figure before
    tile = re.search(r'data-kpi="sales">.*?<div class="delta[^"]*"[^>]*>(.*?)</div>', en, re.S).group(1)
    assert "%" in tile and "before" in tile and "no comparison" not in tile
    assert "compared with 2025-03-20 to 2025-03-31" in en


@pytest.mark.django_db
def test_the_national_year_has_no_comparison_without_last_years_figures(sales_world, admin_user):
    dashboard = national_dashboard(preset_period("year"))
    assert not dashboard.comparable
    assert all(k.change is None for k in dashboard.kpis)
