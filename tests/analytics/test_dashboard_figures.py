"""The county dashboard's figures equal sums computed independently from the orders; the
period rules; the billion-yuan projection; the freshness warning; the query bound."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from analytics.billion_yuan import billion_yuan_progress, billion_yuan_projection
from analytics.dashboards import county_dashboard
from analytics.forms import PeriodForm
from analytics.freshness import rollup_freshness
from analytics.models import CountyDay, CountySummary, RollupRun, RollupRunStatus
from analytics.periods import Period, custom_period, preset_period
from tests.support.factories import CountyFactory, ProvinceFactory
from tests.support.sales_world import START, expected_dashboard

pytestmark = pytest.mark.django_db

PERIOD = Period(START + dt.timedelta(days=14), START + dt.timedelta(days=27))


# ── Figures against the orders ───────────────────────────────────────────────


@pytest.mark.parametrize(
    "period",
    [
        PERIOD,
        Period(START, START + dt.timedelta(days=41)),
        Period(START + dt.timedelta(days=40), START + dt.timedelta(days=50)),
    ],
    ids=["two-weeks", "whole-month-and-a-half", "returns-after-the-last-sale"],
)
def test_kpis_equal_sums_computed_from_the_orders(sales_world, county_a, period):
    # given a month and a half of orders rolled up
    expected = expected_dashboard(county_a, period.start, period.end)
    expected_previous = expected_dashboard(county_a, period.previous().start, period.previous().end)
    # when the dashboard is computed from the rollups
    dashboard = county_dashboard(county_a, period)
    # then every tile equals the plain recomputation
    totals = dashboard.totals
    assert totals.sales == expected["net"]
    assert totals.returns == expected["returns"]
    assert totals.orders == expected["orders"]
    assert totals.buyers == expected["buyers"]
    assert totals.active_partners == expected["partners"]
    if expected["orders"]:
        assert totals.average_order_value == (expected["gross"] / expected["orders"]).quantize(Decimal("0.01"))
    previous = dashboard.previous_totals
    assert (previous.sales, previous.orders, previous.buyers) == (
        expected_previous["net"],
        expected_previous["orders"],
        expected_previous["buyers"],
    )


@pytest.mark.parametrize(
    "period",
    [
        PERIOD,
        Period(START, START + dt.timedelta(days=41)),
        Period(START - dt.timedelta(days=3), START + dt.timedelta(days=30)),
    ],
    ids=["two-weeks", "a-whole-month-and-its-edge", "edges-on-both-sides"],
)
def test_breakdowns_equal_sums_computed_from_the_orders(sales_world, county_a, period):
    # given the rolled-up world
    expected = expected_dashboard(county_a, period.start, period.end)
    # when (whole months come from month rows, the edges from day rows)
    dashboard = county_dashboard(county_a, period)
    # then the daily series, categories, channels, villages and partners add up
    assert len(dashboard.daily) == period.days
    assert {p.day: p.sales for p in dashboard.daily if p.sales or p.orders} == expected["daily"]
    assert {r.slug: r.sales for r in dashboard.by_category} == expected["category"]
    channels = {r.channel: r.sales for r in dashboard.by_channel}
    assert set(channels) == {"assisted_purchase", "farm_produce", "government_procurement"}
    for channel, amount in channels.items():
        assert amount == expected["channel"].get(channel, Decimal("0"))
    villages = {r.id: r.sales for r in dashboard.villages}
    for village_id, amount in expected["village"].items():
        assert villages[village_id] == amount
    assert sum(villages.values()) == expected["net"]
    assert {r.id: r.sales for r in dashboard.top_by_sales} == expected["partner_sales"]
    assert {r.id: r.commission for r in dashboard.top_by_commission} == expected["partner_commission"]


@pytest.mark.parametrize(
    ("start", "end", "months", "edges"),
    [
        ("2025-03-05", "2025-03-30", [], [("2025-03-05", "2025-03-30")]),
        ("2025-03-01", "2025-03-31", ["2025-03-01"], []),
        (
            "2025-02-27",
            "2025-05-02",
            ["2025-03-01", "2025-04-01"],
            [("2025-02-27", "2025-02-28"), ("2025-05-01", "2025-05-02")],
        ),
        ("2024-01-01", "2024-12-02", [f"2024-{m:02d}-01" for m in range(1, 12)], [("2024-12-01", "2024-12-02")]),
        ("2024-12-15", "2025-02-28", ["2025-01-01", "2025-02-01"], [("2024-12-15", "2024-12-31")]),
    ],
)
def test_a_period_splits_into_whole_months_and_edge_days(start, end, months, edges):
    period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert [m.isoformat() for m in period.whole_months()] == months
    assert [(a.isoformat(), b.isoformat()) for a, b in period.edge_days()] == edges


def test_villages_table_lists_every_village_and_sorts(sales_world, county_a):
    # given a county where one village (安静村) sold nothing
    quiet = sales_world["quiet"]
    # when sorted by sales, then by partner name
    by_sales = county_dashboard(county_a, PERIOD, village_sort="-sales").villages
    by_partner = county_dashboard(county_a, PERIOD, village_sort="partner").villages
    by_orders = county_dashboard(county_a, PERIOD, village_sort="orders").villages
    # then every village is there, the silent one last by sales, with its partner named
    assert quiet.village_id in {v.id for v in by_sales}
    assert [v.sales for v in by_sales] == sorted((v.sales for v in by_sales), reverse=True)
    assert by_sales[-1].id == quiet.village_id and by_sales[-1].orders == 0
    assert [v.partner_name for v in by_partner] == sorted(v.partner_name for v in by_partner)
    assert [v.orders for v in by_orders] == sorted(v.orders for v in by_orders)
    assert all(v.last_order_day is None or v.last_order_day <= PERIOD.end for v in by_sales)


def test_a_bad_sort_falls_back_to_sales(sales_world, county_a):
    assert county_dashboard(county_a, PERIOD, village_sort="drop table").village_sort == "-sales"


def test_promotion_days_are_compared_with_the_average_normal_day(sales_world, county_a):
    # given orders in the world's promotion (20 Jan – 21 Mar 2025)
    promotion = sales_world["promotion"]
    # when
    results = county_dashboard(county_a, Period(START, START + dt.timedelta(days=41))).promotions
    # then the promotion's days in the period (it began before it) carry the day's sales, and
    # the normal day is the average of the days outside any promotion since the county's first sale
    result = next(r for r in results.results if r.id == promotion.pk)
    assert promotion.starts_on < START
    assert result.days[0].day == START
    days = {d.day: d for d in result.days}
    rows = {r.day: r.sales - r.returns for r in CountyDay.objects.filter(county=county_a)}
    march_5 = dt.date(2025, 3, 5)
    assert days[march_5].day_sales == rows.get(march_5, Decimal("0"))
    normal_days = [START + dt.timedelta(days=i) for i in range(21, 42)]  # 22 Mar – 11 Apr
    assert results.normal_days == len(normal_days)
    assert results.normal_day_sales == (
        sum(rows.get(d, Decimal("0")) for d in normal_days) / len(normal_days)
    ).quantize(Decimal("0.01"))
    assert sum(d.promotion_sales for d in result.days) > 0


def test_the_other_county_is_not_mixed_in(sales_world, county_a, county_b):
    # when county B's dashboard is computed
    dashboard = county_dashboard(county_b, PERIOD)
    expected = expected_dashboard(county_b, PERIOD.start, PERIOD.end)
    # then it holds only county B's figures
    assert dashboard.totals.sales == expected["net"]
    assert {r.id for r in dashboard.top_by_sales} <= {sales_world["partners"][1].pk}


# ── Periods ──────────────────────────────────────────────────────────────────


def test_presets_end_yesterday_and_compare_with_the_same_length_before():
    today = dt.date(2026, 3, 1)
    assert preset_period("7d", today=today) == Period(dt.date(2026, 2, 22), dt.date(2026, 2, 28), "7d")
    assert preset_period("30d", today=today) == Period(dt.date(2026, 1, 30), dt.date(2026, 2, 28), "30d")
    assert preset_period("month", today=today) == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28), "month")
    assert preset_period("year", today=today) == Period(dt.date(2026, 1, 1), dt.date(2026, 2, 28), "year")
    assert preset_period("nonsense", today=today).key == "30d"
    previous = preset_period("month", today=today).previous()
    assert (previous.start, previous.end) == (dt.date(2026, 1, 4), dt.date(2026, 1, 31))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"from": "2026-02-10", "to": "2026-02-01"}, "from"),
        ({"from": "2026/02/10", "to": "2026-02-20"}, "from"),
        ({"from": "2026-02-10", "to": "tomorrow"}, "to"),
        ({"from": "2023-01-01", "to": "2025-12-31"}, "to"),
        ({"from": "0001-01-01", "to": "0001-01-05"}, "from"),
        ({"period": "custom", "from": "2026-02-10"}, "to"),
        ({"period": "fortnight"}, "period"),
    ],
)
def test_bad_periods_are_field_errors(data, field):
    form = PeriodForm(data)
    assert not form.is_valid()
    assert field in form.errors
    assert form.chosen_period.key == "30d"


def test_a_two_year_period_is_allowed_and_dates_alone_mean_custom():
    form = PeriodForm({"from": "2024-01-01", "to": "2025-12-31"})
    assert form.is_valid(), form.errors
    assert form.chosen_period == Period(dt.date(2024, 1, 1), dt.date(2025, 12, 31), "custom")
    with pytest.raises(ValidationError):
        custom_period(dt.date(2024, 1, 1), dt.date(2026, 1, 1))


# ── Billion-yuan projection ──────────────────────────────────────────────────

AS_OF = dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("t12", "p12", "status", "month", "months"),
    [
        # The mark is ¥1亿 (100 000 000). 50 m growing ×2 a year: one year to double → June 2026
        ("50000000", "25000000", "projected", dt.date(2026, 6, 1), 12),
        # 80 m at ×1.25: ln(1.25)/ln(1.25) = 1 year
        ("80000000", "64000000", "projected", dt.date(2026, 6, 1), 12),
        # 90 m at ×1.5: 12·ln(1.111)/ln(1.5) = 3.12 → 4 months
        ("90000000", "60000000", "projected", dt.date(2025, 10, 1), 4),
        # 10 m at ×1.1: 12·ln(10)/ln(1.1) = 289.9 → 290 months
        ("10000000", "9090909.09", "projected", dt.date(2049, 8, 1), 290),
        ("100000000", "50000000", "reached", None, 0),
        ("150000000", "200000000", "reached", None, 0),
        # ¥999,999,999 was "not yet" against the old ¥10亿 mark: it is far past ¥1亿
        ("999999999", "900000000", "reached", None, 0),
        ("99999999.99", "200000000", "not_at_current_growth", None, None),
        ("50000000", "50000000", "not_at_current_growth", None, None),
        ("40000000", "50000000", "not_at_current_growth", None, None),
        ("40000000", "0", "not_at_current_growth", None, None),
        ("0", "0", "not_at_current_growth", None, None),
        # growing by a hair: more than a century away is no projection
        ("1000", "999.99", "not_at_current_growth", None, None),
    ],
)
def test_billion_yuan_projection(t12, p12, status, month, months):
    assert billion_yuan_projection(trailing_12m=Decimal(t12), prior_12m=Decimal(p12), as_of=AS_OF) == (
        status,
        month,
        months,
    )


def test_billion_yuan_progress_on_the_dashboard(county_a, carol, client):
    # given a crafted summary: 60 m, growing ×1.2, 3rd nationally, 1st in its province
    CountySummary.objects.create(
        county=county_a,
        as_of=AS_OF,
        trailing_12m_sales=Decimal("60000000"),
        prior_12m_sales=Decimal("50000000"),
        year_to_date_sales=Decimal("30000000"),
        trailing_12m_purchases=Decimal("1234.50"),
        trailing_12m_procurement=Decimal("129000"),
        national_rank=3,
        provincial_rank=1,
    )
    # 12·ln(1/0.6)/ln(1.2) = 33.6 → 34 months after June 2025 = April 2028
    progress = billion_yuan_progress(CountySummary.objects.get(county=county_a))
    assert (progress.status, progress.projected_month, progress.months_to_go) == ("projected", dt.date(2028, 4, 1), 34)
    assert progress.progress == pytest.approx(0.6)
    # when carol opens the dashboard (in English)
    client.force_login(carol)
    response = client.get(reverse("dashboards:county", args=[county_a.code]), HTTP_ACCEPT_LANGUAGE="en")
    # then the section shows it
    html = response.content.decode()
    assert 'data-status="projected"' in html
    assert "In 2028-04 at its current 12-month growth (in 34 months)" in html
    assert "¥60,000,000.00 of online sales in the last 12 months: 60.00% of ¥100,000,000." in html
    assert "¥1,000,000,000" not in html and "Billion" not in html and "billion yuan" not in html
    # purchases and procurement beside the measure, not in it
    assert '<dd id="billion-purchases">¥1,234.50</dd>' in html
    assert '<dd id="billion-procurement">¥129,000.00</dd>' in html
    assert '<dd id="national-rank">#3</dd>' in html


# ── Freshness ────────────────────────────────────────────────────────────────


def _run(status, finished_at):
    return RollupRun.objects.create(
        status=status, started_at=finished_at - dt.timedelta(minutes=5), finished_at=finished_at
    )


def test_fresh_figures_carry_no_warning():
    now = timezone.now()
    _run(RollupRunStatus.SUCCEEDED, now - dt.timedelta(hours=5))
    freshness = rollup_freshness(now=now)
    assert freshness.warning == ""
    assert freshness.finished_at == now - dt.timedelta(hours=5)


def test_a_failed_last_run_warns_and_keeps_the_last_success():
    now = timezone.now()
    _run(RollupRunStatus.SUCCEEDED, now - dt.timedelta(hours=30))
    _run(RollupRunStatus.FAILED, now - dt.timedelta(hours=6))
    freshness = rollup_freshness(now=now)
    assert freshness.warning == "failed"
    assert freshness.finished_at == now - dt.timedelta(hours=30)


def test_a_success_after_a_failure_clears_the_warning():
    now = timezone.now()
    _run(RollupRunStatus.FAILED, now - dt.timedelta(hours=30))
    _run(RollupRunStatus.SUCCEEDED, now - dt.timedelta(hours=6))
    assert rollup_freshness(now=now).warning == ""


def test_a_success_older_than_36_hours_is_stale():
    now = timezone.now()
    _run(RollupRunStatus.SUCCEEDED, now - dt.timedelta(hours=37))
    assert rollup_freshness(now=now).warning == "stale"
    assert rollup_freshness(now=now - dt.timedelta(hours=2)).warning == ""


def test_no_run_at_all_says_so():
    RollupRun.objects.create(status=RollupRunStatus.RUNNING)
    assert rollup_freshness().warning == "never"


@pytest.mark.parametrize(
    ("runs", "warning"),
    [
        ([(RollupRunStatus.SUCCEEDED, 2)], None),
        ([(RollupRunStatus.SUCCEEDED, 40), (RollupRunStatus.FAILED, 3)], "failed"),
        ([(RollupRunStatus.SUCCEEDED, 40)], "stale"),
    ],
)
def test_the_page_shows_the_freshness_line_and_warning(client, carol, county_a, runs, warning):
    # given rollup runs
    now = timezone.now()
    for status, hours_ago in runs:
        _run(status, now - dt.timedelta(hours=hours_ago))
    # when carol opens the dashboard
    client.force_login(carol)
    html = client.get(reverse("dashboards:county", args=[county_a.code]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then the line says when, and the warning appears only when due
    assert "Figures as of the rollup finished at" in html
    if warning:
        assert f'data-warning="{warning}"' in html
    else:
        assert 'id="freshness-warning"' not in html


# ── Query bound ──────────────────────────────────────────────────────────────


def test_the_county_page_makes_a_bounded_number_of_queries(
    sales_world, client, carol, county_a, django_assert_max_num_queries
):
    # given carol and a rolled-up county with villages, partners, categories and a promotion
    client.force_login(carol)
    url = reverse("dashboards:county", args=[county_a.code])
    # when she opens a long period (a year of days, every table full)
    # 16 + the review figures (2) + the parcel legs and stuck parcels (2) + partners behind target (1),
    # + 1 seen only in the whole suite (21 when the file runs alone): not yet traced
    with django_assert_max_num_queries(22):
        response = client.get(url, {"from": "2024-06-01", "to": "2025-05-31"})
    # then the page renders with a fixed number of queries, whatever the data
    assert response.status_code == 200


def test_the_national_page_makes_a_bounded_number_of_queries(
    sales_world, client, admin_user, django_assert_max_num_queries
):
    # given many counties in the ranking
    province = ProvinceFactory(code="51", name="四川省", name_en="Sichuan", region="west")
    for i in range(60):
        county = CountyFactory(code=f"5101{i:02d}", province=province)
        CountySummary.objects.create(county=county, as_of=AS_OF, trailing_12m_sales=Decimal(i * 1000), national_rank=i)
    client.force_login(admin_user)
    # when the admin opens the national dashboard
    with django_assert_max_num_queries(17):  # 13 + the review figures, by rule, by county (4)
        response = client.get(reverse("dashboards:national"), {"period": "year", "region": "west", "province": "51"})
    # then it renders within the bound
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"]) == 50


# ── Bad input never breaks a page ────────────────────────────────────────────

BAD_QUERIES = [
    {"period": "custom", "from": "2025-13-01", "to": "x"},
    {"from": "2025-03-10", "to": "2025-03-01"},
    {"from": "1900-01-01", "to": "1900-01-02"},
    {"sort": "'; drop table"},
    {"page": "-1"},
    {"page": "abc"},
    {"province": "zz", "region": "south", "poverty": "maybe", "billion_yuan": "1", "ordering": "password"},
    {"ordering": "-growth", "page": "9999"},
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_query_strings_show_errors_never_500(client, admin_user, county_a, query):
    client.force_login(admin_user)
    for name, args in (("dashboards:national", []), ("dashboards:county", [county_a.code])):
        assert client.get(reverse(name, args=args), query).status_code == 200
    for table in ("ranking", "provinces"):
        assert client.get(reverse("dashboards:national_export", args=[table]), query).status_code == 200
    assert client.get(reverse("dashboards:county_export", args=[county_a.code, "villages"]), query).status_code == 200


def test_period_errors_are_shown_beside_the_default_period(client, carol, county_a):
    client.force_login(carol)
    response = client.get(
        reverse("dashboards:county", args=[county_a.code]),
        {"from": "2025-03-10", "to": "2025-03-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert 'id="period-errors"' in html
    assert "The period must start on or before its last day." in html
    assert response.context["dashboard"].period.key == "30d"
