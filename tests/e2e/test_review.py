"""Journey: county staff work through the order integrity review in real Chromium (issue 15).

carol (county staff of 兰考县) opens /review/, finds the bulk purchase the night's checks
flagged (60 of one item on an assisted purchase, limit 50), opens it from the list,
confirms it with a reason, finds it confirmed with her reason, and after the next nightly
run the county dashboard's figures for that day no longer include the order. dave (staff
of 武功县) gets a 404 for that flag. On a 360 px phone the list and the detail page fit the
screen; a screenshot of the detail page lands in test-artifacts/.

The orders are paid three days ago and rolled up (and checked) by a run for that day; the
night after the review is the real ``run_nightly``, which only rebuilds that day because
the confirmation marked it dirty. The live server shares the database with the test."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from analytics import rollups
from analytics.models import CountyDay, RollupDirtyDay
from integrity.models import Flag, FlagStatus
from rural_taobao import dates
from tests.support.dates import shanghai
from tests.support.factories import VillagerFactory
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests.support.factories.UserFactory
REASON = "县里核实：该村没有这笔采购，属虚假订单"
# The phones category pays 3 % (tests/conftest.py `phones`).
CLEAN = (2, Decimal("399.00"))  # ¥798.00, commission ¥23.94
BULK = (60, Decimal("25.00"))  # ¥1,500.00, commission ¥45.00 — over the limit of 50 a line


def zh(label) -> str:
    """A label as the zh-CN page shows it."""
    with translation.override("zh-hans"):
        return str(label)


def fits(page) -> bool:
    """Nothing wider than the 360 px screen: the page does not scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= 360")


@pytest.fixture
def review_world(alice, bob, carol, dave, phones):
    """Three days ago alice (兰考县) logged a clean order and a bulk one and bob (武功县) a bulk
    one; that day's run checked and rolled them up: one open bulk_quantity flag per county."""
    day = dates.shanghai_today() - dt.timedelta(days=3)
    orders = {}
    for name, partner, (quantity, price), hour in (
        ("clean", alice, CLEAN, 9),
        ("bulk", alice, BULK, 10),
        ("other_county", bob, BULK, 11),
    ):
        orders[name] = make_order(
            partner=partner,
            villager=VillagerFactory(partner=partner),
            lines=[(phones, quantity, price)],
            paid_at=shanghai(day, hour),
        )
    rollups.run_rollups([day], trigger="test")
    flags = {(f.order_id, f.rule): f for f in Flag.objects.all()}
    assert set(flags) == {
        (orders["bulk"].pk, "bulk_quantity"),
        (orders["other_county"].pk, "bulk_quantity"),
    }
    assert CountyDay.objects.get(county=alice.village.county, day=day).sales == Decimal("2298.00")
    return {
        "day": day,
        "orders": orders,
        "flag": flags[(orders["bulk"].pk, "bulk_quantity")],
        "other_flag": flags[(orders["other_county"].pk, "bulk_quantity")],
    }


def open_day_on_the_dashboard(page, day: dt.date) -> None:
    """The county dashboard, a custom period of that one day, chosen with the date inputs."""
    page.goto(f"{page.base_url}/dashboard/county/410225/")
    page.fill("#id_from", day.isoformat())
    page.fill("#id_to", day.isoformat())
    page.click("#period-apply")
    page.wait_for_url(f"**/dashboard/county/410225/?period=custom&from={day.isoformat()}&to={day.isoformat()}")
    expect(page.locator("#period-line")).to_contain_text(f"{day.isoformat()}")


def test_county_staff_confirm_a_bulk_order_and_it_leaves_the_sales(page, login, console_errors, review_world, carol):
    day, flag = review_world["day"], review_world["flag"]
    bulk = review_world["orders"]["bulk"]

    # given carol, county staff of 兰考县: her dashboard's day holds both of alice's orders,
    # one flag open and its commission held
    login(page, "carol", PASSWORD)
    open_day_on_the_dashboard(page, day)
    expect(page.locator('[data-kpi="sales"] .value')).to_have_text("¥2,298.00")
    expect(page.locator('[data-kpi="orders"] .value')).to_have_text("2")
    expect(page.locator("#open-flags")).to_have_text("1")
    expect(page.locator("#money-held")).to_have_text("¥45.00")

    # when she opens the review
    page.goto(f"{page.base_url}/review/")
    # then she sees her county's flag only: the bulk order, with its evidence in Chinese
    items = page.locator("#flag-list li")
    expect(items).to_have_count(1)
    item = page.locator(f'#flag-list li[data-flag="{flag.pk}"]')
    expect(item).to_have_attribute("data-rule", "bulk_quantity")
    expect(item).to_contain_text(bulk.order_no)
    expect(item).to_contain_text("代购订单数量过大")
    expect(item.locator(".flag-detail")).to_contain_text("数量 60（上限 50）")
    expect(item).to_contain_text("王爱丽 · 兰考县")
    expect(page.locator("#open-flags")).to_have_text("1")
    expect(page.locator("#money-held")).to_have_text("¥45.00")
    assert review_world["orders"]["other_county"].order_no not in page.content()

    # when she opens it from the list
    item.get_by_role("link", name=bulk.order_no).click()
    page.wait_for_url(f"**/review/{flag.pk}/")
    # then the flag stands beside its order
    expect(page.locator("h1")).to_have_text(bulk.order_no)
    expect(page.locator("#flag-status")).to_have_text(zh(FlagStatus.OPEN.label))
    expect(page.locator("#flag-detail")).to_contain_text("数量 60（上限 50）")
    expect(page.locator("#flag-order")).to_contain_text("王爱丽")
    expect(page.locator("#flag-order")).to_contain_text("¥1,500.00")
    expect(page.locator("#flag-order tbody tr")).to_have_count(1)
    expect(page.locator("#flag-order tbody tr td.num").first).to_have_text("60")

    # when she confirms it without a reason, the browser asks for one (the field is
    # required) and nothing is sent
    page.click("#flag-confirm")
    expect(page.locator("#id_reason:invalid")).to_have_count(1)
    expect(page).to_have_url(f"{page.base_url}/review/{flag.pk}/")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN

    # when she confirms it with a reason
    page.fill("#id_reason", REASON)
    page.click("#flag-confirm")
    # then she is back on the list (no other open flag in her county) with the outcome
    page.wait_for_url(f"{page.base_url}/review/")
    expect(page.locator(".msg-success")).to_contain_text(f"标记已确认：订单 {bulk.order_no} 不计佣金")
    expect(page.locator("#no-flags")).to_be_visible()
    expect(page.locator("#open-flags")).to_have_text("0")
    expect(page.locator("#money-held")).to_have_text("¥0.00")
    # and the flag is confirmed, by her, with her reason; its day waits for the night's rebuild
    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_by_id, flag.reason) == (FlagStatus.CONFIRMED, carol.pk, REASON)
    assert flag.reviewed_at is not None
    assert RollupDirtyDay.objects.filter(day=day).exists()

    # when she filters the list to the confirmed flags and opens hers
    page.locator("details.filters summary").click()
    page.select_option("#id_status", "confirmed")
    page.locator("#review-filters button[type=submit]").click()
    page.wait_for_url("**/review/?*status=confirmed*")
    confirmed = page.locator(f'#flag-list li[data-flag="{flag.pk}"]')
    expect(confirmed).to_contain_text(zh(FlagStatus.CONFIRMED.label))
    confirmed.get_by_role("link", name=bulk.order_no).click()
    page.wait_for_url(f"**/review/{flag.pk}/")
    # then the page shows the decision and the reason, and no form to decide again
    expect(page.locator("#flag-status")).to_have_text(zh(FlagStatus.CONFIRMED.label))
    expect(page.locator("#flag-review")).to_contain_text("carol")
    expect(page.locator("#flag-review")).to_contain_text(REASON)
    expect(page.locator("#review-form")).to_have_count(0)

    # before the night the figures still hold the order
    open_day_on_the_dashboard(page, day)
    expect(page.locator('[data-kpi="sales"] .value')).to_have_text("¥2,298.00")
    expect(page.locator("#confirmed-flags")).to_have_text("1")
    expect(page.locator("#open-flags")).to_have_text("0")

    # when the nightly pipeline runs (yesterday, and the dirty day)
    result = rollups.run_nightly(trigger="test")
    assert day in result.days
    # then the day's county sales exclude the confirmed order: alice's clean order alone
    page.reload()
    expect(page.locator('[data-kpi="sales"] .value')).to_have_text("¥798.00")
    expect(page.locator('[data-kpi="orders"] .value')).to_have_text("1")
    row = CountyDay.objects.get(county__code="410225", day=day)
    assert (row.sales, row.orders, row.commission) == (Decimal("798.00"), 1, Decimal("23.94"))
    assert not RollupDirtyDay.objects.filter(day=day).exists()
    # and the other county's day keeps its own (still open) bulk order
    assert CountyDay.objects.get(county__code="610431", day=day).sales == Decimal("1500.00")

    assert console_errors == []


def test_another_countys_staff_get_a_404_for_the_flag(page, login, console_errors, review_world):
    flag, bulk = review_world["flag"], review_world["orders"]["bulk"]
    # given dave, county staff of 武功县
    login(page, "dave", PASSWORD)
    # his list holds his county's flag, not 兰考县's
    page.goto(f"{page.base_url}/review/")
    expect(page.locator("#flag-list li")).to_have_count(1)
    expect(page.locator(f'#flag-list li[data-flag="{review_world["other_flag"].pk}"]')).to_contain_text("李博 · 武功县")
    assert bulk.order_no not in page.content()

    # when he opens the 兰考县 flag's page by its address
    response = page.goto(f"{page.base_url}/review/{flag.pk}/")
    # then it does not exist for him: a 404 page, nothing of the order on it
    assert response.status == 404
    expect(page.locator("#error-404")).to_be_visible()
    content = page.content()
    assert bulk.order_no not in content and "王爱丽" not in content and "review-form" not in content
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    # the browser logs the 404 of the page itself, nothing else
    assert console_errors and all("404" in error for error in console_errors)


def test_the_review_pages_fit_a_phone(phone_page, login, screenshot, console_errors, review_world):
    page, flag, bulk = phone_page, review_world["flag"], review_world["orders"]["bulk"]
    login(page, "carol", PASSWORD)
    # the list on a 360 px phone: the flag is there and the page does not scroll sideways
    page.goto(f"{page.base_url}/review/")
    item = page.locator(f'#flag-list li[data-flag="{flag.pk}"]')
    expect(item).to_contain_text(bulk.order_no)
    expect(item).to_be_visible()
    assert page.evaluate("window.innerWidth") == 360
    assert fits(page), page.evaluate("document.documentElement.scrollWidth")

    # the detail page, opened with a tap, fits too; its decision buttons are on screen
    item.get_by_role("link", name=bulk.order_no).tap()
    page.wait_for_url(f"**/review/{flag.pk}/")
    expect(page.locator("#flag-detail")).to_contain_text("数量 60（上限 50）")
    expect(page.locator("#flag-confirm")).to_have_text("确认：不计佣金")
    expect(page.locator("#flag-confirm")).to_be_visible()
    assert fits(page), page.evaluate("document.documentElement.scrollWidth")
    box = page.locator("#flag-confirm").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    screenshot(page, "review-detail-phone-zh-hans")
    assert console_errors == []
