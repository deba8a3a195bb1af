"""Journey: county staff read their county's dashboard in real Chromium — tiles and charts
drawn, a period switch, a CSV export, 404 for another county; the admin's national page.
Screenshots of both in zh-hans land in test-artifacts/."""

import datetime as dt
import random
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
    PromotionFactory,
    ProvinceFactory,
    UserFactory,
    VillageFactory,
    VillagerFactory,
)
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def county_world():
    """兰考县 with four villages and partners, six weeks of orders up to yesterday, rolled up."""
    henan = ProvinceFactory(code="41", name="河南省", name_en="Henan", region="central")
    lankao = CountyFactory(code="410225", name="兰考县", province=henan, is_poverty_county=True)
    wugong = CountyFactory(
        code="610431",
        name="武功县",
        province=ProvinceFactory(code="61", name="陕西省", name_en="Shaanxi", region="west"),
    )
    staff = UserFactory(username="carol", password=PASSWORD, groups=["county_staff"])
    CountyStaffAssignment.objects.create(user=staff, county=lankao)
    UserFactory(username="admin", password=PASSWORD, groups=["admin"], is_staff=True, is_superuser=True)
    categories = [
        CategoryFactory(slug="appliances", name_zh="家电", name_en="Appliances"),
        CategoryFactory(slug="farm-supplies", name_zh="农资", name_en="Farm supplies"),
        CategoryFactory(slug="fruit", name_zh="水果", name_en="Fruit", is_farm_produce=True),
    ]
    partners = [
        PartnerFactory(active=True, real_name=name, village=VillageFactory(county=county, name=village))
        for name, village, county in [
            ("王爱丽", "张庄村", lankao),
            ("陈卡尔", "东坝头村", lankao),
            ("李凤", "徐场村", lankao),
            ("赵明", "胡寨村", lankao),
            ("李博", "南仁村", wugong),
        ]
    ]
    villagers = {p.pk: [VillagerFactory(partner=p) for _ in range(4)] for p in partners}
    today = timezone.localdate()
    promotion = PromotionFactory(
        name="11.11", code="1111-e2e", starts_on=today - dt.timedelta(days=9), ends_on=today - dt.timedelta(days=9)
    )
    rng = random.Random(11)
    days = [today - dt.timedelta(days=i) for i in range(1, 43)]
    for day in days:
        for _ in range(rng.randint(1, 4) * (3 if day == promotion.starts_on else 1)):
            partner = rng.choice(partners)
            channel = rng.choice(["assisted_purchase", "assisted_purchase", "farm_produce", "government_procurement"])
            category = categories[2] if channel == "farm_produce" else rng.choice(categories[:2])
            paid_at = shanghai(day, rng.randint(8, 20))
            make_order(
                partner=partner,
                villager=rng.choice(villagers[partner.pk]),
                lines=[(category, rng.randint(1, 3), Decimal(rng.randint(3000, 400000)) / 100)],
                channel=channel,
                paid_at=paid_at,
                returned_at=paid_at + dt.timedelta(days=1) if rng.random() < 0.08 and day < days[2] else None,
                promotion=promotion if day == promotion.starts_on else None,
            )
    rollups.run_rollups(days, trigger="test")
    return {"lankao": lankao, "wugong": wugong}


def _canvas_is_drawn(page, selector: str) -> bool:
    """The canvas has non-transparent pixels: Chart.js really drew on it."""
    return page.eval_on_selector(
        selector,
        """canvas => {
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { return true; } }
            return false;
        }""",
    )


def test_county_staff_read_their_dashboard(page, login, screenshot, console_errors, county_world, tmp_path):
    # given carol, county staff of 兰考县
    login(page, "carol", PASSWORD)
    # when she opens the dashboards
    page.goto(f"{page.base_url}/dashboard/")
    # then she lands on her county with seven tiles (the last: the share the platform
    # confirmed) and drawn charts
    expect(page).to_have_url(f"{page.base_url}/dashboard/county/410225/")
    expect(page.locator("#kpis .kpi")).to_have_count(7)
    expect(page.locator('#kpis .kpi').last).to_have_attribute("data-kpi", "platform_confirmed_share")
    expect(page.locator("#county-title")).to_contain_text("兰考县")
    for chart in ("#trend-chart", "#category-chart", "#channel-chart", "#promotion-chart"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
        assert _canvas_is_drawn(page, chart), chart
    expect(page.locator("#freshness-line")).to_be_visible()
    expect(page.locator("#freshness-warning")).to_have_count(0)
    expect(page.locator("#village-table tbody tr")).to_have_count(4)
    sales_tile = page.locator('[data-kpi="sales"] .value').inner_text()
    assert sales_tile.startswith("¥") and "," in sales_tile
    screenshot(page, "dashboard-county-zh-hans")

    # when she switches to the last 7 days
    page.click('a[data-period="7d"]')
    # then the page shows that period
    expect(page).to_have_url(f"{page.base_url}/dashboard/county/410225/?period=7d")
    expect(page.locator('a[data-period="7d"]')).to_have_attribute("aria-current", "true")
    expect(page.locator("#trend-chart")).to_have_attribute("data-rendered", "true")
    assert page.locator('[data-kpi="sales"] .value').inner_text() != sales_tile

    # when she picks a custom period with the date inputs
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.fill("#id_from", (yesterday - dt.timedelta(days=13)).isoformat())
    page.fill("#id_to", yesterday.isoformat())
    expect(page.locator("#id_period")).to_have_value("custom")
    page.click("#period-apply")
    expect(page.locator("#id_period")).to_have_value("custom")
    expect(page).to_have_url(
        f"{page.base_url}/dashboard/county/410225/?period=custom&from={(yesterday - dt.timedelta(days=13)).isoformat()}&to={yesterday.isoformat()}"
    )

    # when she sorts the villages by orders and exports them
    page.click('a[data-sort-key="orders"]')
    expect(page.locator("#village-table")).to_have_attribute("data-sort", "-orders")
    with page.expect_download() as download_info:
        page.click('[data-export="villages"]')
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    # then the CSV opens in Excel: a BOM, Chinese names, the villages
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "张庄村" in text and "王爱丽" in text
    assert download.suggested_filename.startswith("410225-villages-")

    assert console_errors == []

    # when she tries another county's dashboard
    response = page.goto(f"{page.base_url}/dashboard/county/{county_world['wugong'].code}/")
    # then it does not exist for her (the browser logs the 404 of the page itself, nothing else)
    assert response.status == 404
    assert all("404" in error for error in console_errors)


def test_the_county_dashboard_on_a_phone(phone_page, login, screenshot, console_errors, county_world):
    login(phone_page, "carol", PASSWORD)
    phone_page.goto(f"{phone_page.base_url}/dashboard/county/410225/")
    expect(phone_page.locator("#trend-chart")).to_have_attribute("data-rendered", "true")
    assert _canvas_is_drawn(phone_page, "#trend-chart")
    # nothing wider than the screen: wide tables scroll inside their own box
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    screenshot(phone_page, "dashboard-county-phone-zh-hans")
    assert console_errors == []


def test_the_admin_reads_the_national_dashboard(page, login, screenshot, console_errors, county_world):
    # given the admin
    login(page, "admin", PASSWORD)
    # when they open the dashboards
    page.goto(f"{page.base_url}/dashboard/")
    # then the national picture: headline counts, ranking, provinces, regions, funnel
    expect(page.locator("#headline .kpi")).to_have_count(4)
    expect(page.locator("#ranking-table tbody tr")).to_have_count(2)
    for chart in ("#trend-chart", "#province-chart", "#region-chart", "#funnel-chart"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
        assert _canvas_is_drawn(page, chart), chart
    screenshot(page, "dashboard-national-zh-hans")
    # when they filter the ranking to the west
    page.select_option("#id_region", "west")
    page.click("#ranking-apply")
    # then only 武功县 remains
    expect(page.locator("#ranking-table tbody tr")).to_have_count(1)
    expect(page.locator("#ranking-table tbody tr")).to_have_attribute("data-county", "610431")
    assert console_errors == []
