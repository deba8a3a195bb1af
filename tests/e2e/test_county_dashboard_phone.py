"""The county dashboard on a 360 × 640 phone and a desktop (issue 19, points 11 and 13, and
the county tiles): no horizontal overflow, tables scroll inside their card, the period
choices offered once, every key figure on one line, and the daily chart with monotone
lines, no negative money axis without reversals, and the orders on their own labelled axis."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from analytics import rollups
from counties.models import CountyStaffAssignment
from tests.support.dates import shanghai
from tests.support.factories import (
    CategoryFactory,
    CountyFactory,
    PartnerFactory,
    ProvinceFactory,
    UserFactory,
    VillageFactory,
    VillagerFactory,
)
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def lankao_sales():
    """兰考县 with villages whose long names make wide tables, and a month of lumpy sales: big
    days between days without any (where a smoothed line would dip below zero)."""
    lankao = CountyFactory(code="410225", name="兰考县", province=ProvinceFactory(code="41", name="河南省"))
    staff = UserFactory(username="carol", password=PASSWORD, groups=["county_staff"])
    CountyStaffAssignment.objects.create(user=staff, county=lankao)
    category = CategoryFactory(slug="appliances", name_zh="家电", name_en="Appliances")
    partners = [
        PartnerFactory(
            active=True,
            real_name=f"王爱丽{i}",
            village=VillageFactory(county=lankao, name=f"东坝头乡张庄村第{i}村民小组", township="东坝头乡"),
        )
        for i in range(6)
    ]
    today = timezone.localdate()
    days = [today - dt.timedelta(days=i) for i in range(1, 31)]
    for n, day in enumerate(days):
        if n % 5:
            continue  # four days in five without a sale
        partner = partners[n % len(partners)]
        make_order(
            partner=partner,
            villager=VillagerFactory(partner=partner),
            lines=[(category, 3, Decimal("875421.37"))],
            channel="assisted_purchase",
            paid_at=shanghai(day, 10),
        )
    rollups.run_rollups(days, trigger="test")
    return lankao


WIDTHS = """() => ({
    document: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    cards: [...document.querySelectorAll('.card, .kpi')].filter(c => c.getBoundingClientRect().right > window.innerWidth + 1).map(c => c.id || c.className),
    tables: [...document.querySelectorAll('.table-wrap')].map(w => ({
        id: w.querySelector('table') && w.querySelector('table').id,
        inside: w.getBoundingClientRect().right <= w.closest('.card').getBoundingClientRect().right + 1,
        scrolls: getComputedStyle(w).overflowX,
    })),
})"""

TILES = """() => [...document.querySelectorAll('#kpis .kpi .value')].map(v => {
    const lh = parseFloat(getComputedStyle(v).lineHeight) || parseFloat(getComputedStyle(v).fontSize) * 1.3;
    return {text: v.textContent.trim(), lines: Math.round(v.getBoundingClientRect().height / lh),
            clipped: v.scrollWidth > v.clientWidth + 1};
})"""

CHART = """() => {
    const chart = Chart.getChart(document.getElementById('trend-chart'));
    const scales = chart.options.scales;
    return {
        datasets: chart.data.datasets.map(d => ({label: d.label, axis: d.yAxisID, mode: d.cubicInterpolationMode || null,
                                                 tension: d.tension || 0})),
        moneyMin: chart.scales.y.min,
        moneyTitle: scales.y.title && scales.y.title.display ? scales.y.title.text : null,
        ordersTitle: scales.orders.title && scales.orders.title.display ? scales.orders.title.text : null,
    };
}"""


def _open(page, login, county):
    login(page, "carol", PASSWORD)
    page.goto(f"{page.base_url}/dashboard/county/{county.code}/")
    expect(page.locator("#trend-chart")).to_have_attribute("data-rendered", "true")


def _check_tiles(page):
    for tile in page.evaluate(TILES):
        assert tile["lines"] == 1 and not tile["clipped"], tile


def test_the_county_dashboard_fits_a_phone(browser, live_server, console_errors, login, lankao_sales, screenshot):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.base_url = live_server.url
    try:
        _open(page, login, lankao_sales)
        # then the page is no wider than the phone, and each table scrolls inside its card
        widths = page.evaluate(WIDTHS)
        assert widths["document"] <= widths["viewport"] == 360, widths
        assert widths["cards"] == [], widths
        assert widths["tables"] and all(t["inside"] and t["scrolls"] == "auto" for t in widths["tables"]), widths
        # the presets are offered once (chips), not again in a list beside them
        assert page.locator("#period-form select").count() == 0
        chips = page.locator(".period-presets .chip").all_inner_texts()
        assert len(chips) == len(set(chips)) == 4
        # every key figure on one line
        _check_tiles(page)
        # and a custom period still works from the dates alone
        page.fill("#id_from", (timezone.localdate() - dt.timedelta(days=10)).isoformat())
        page.click("#period-apply")
        expect(page.locator("#period-line")).to_contain_text("11")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "dashboard-county-phone-360")
    finally:
        context.close()


def test_the_county_figures_stay_on_one_line_on_a_desktop(page, login, lankao_sales):
    _open(page, login, lankao_sales)
    page.evaluate("document.querySelector('#kpis .kpi .value').textContent = '¥2,626,358,712.71'")
    _check_tiles(page)


def test_the_daily_chart_never_dips_below_zero_and_orders_have_their_own_axis(page, login, lankao_sales):
    _open(page, login, lankao_sales)
    chart = page.evaluate(CHART)
    # no smoothing that overshoots: monotone cubic lines (or straight ones)
    assert all(d["mode"] == "monotone" or d["tension"] == 0 for d in chart["datasets"]), chart
    # no reversal in these days: the money axis starts at zero, never "¥-5000"
    assert chart["moneyMin"] == 0, chart
    # each series on its own labelled axis: money on the left, orders on the right
    axes = {d["label"]: d["axis"] for d in chart["datasets"]}
    assert axes["净销售额"] == "y" and axes["订单"] == "orders", axes
    assert chart["moneyTitle"] == "净销售额（元）" and chart["ordersTitle"] == "订单", chart
