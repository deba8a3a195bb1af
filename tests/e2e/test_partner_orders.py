"""Journeys of a village partner on a cheap Android phone: logging orders and moving them on."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from orders.models import Order, OrderStatus
from tests.support.factories import CategoryFactory, PartnerFactory, VillageFactory
from tests.support.orders import pickup_code_of

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests.support.factories.UserFactory


@pytest.fixture
def partner(county_a):
    # A transactional test's flush removed the groups the data migration created.
    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)
    CategoryFactory(slug="appliances", name_zh="家电", name_en="Home appliances", sort_order=1)
    CategoryFactory(slug="daily-goods", name_zh="日用百货", name_en="Daily goods", sort_order=2)
    CategoryFactory(slug="fruit", name_zh="水果", name_en="Fruit", is_farm_produce=True, sort_order=3)
    return PartnerFactory(active=True, real_name="王爱丽", village=VillageFactory(county=county_a, name="张庄村"))


def fill_line(page, index: int, product: str, category: str, quantity: str, price: str) -> None:
    page.fill(f"#id_lines-{index}-product_name", product)
    page.select_option(f"#id_lines-{index}-category", category)
    page.fill(f"#id_lines-{index}-quantity", quantity)
    page.fill(f"#id_lines-{index}-unit_price", price)


def test_a_partner_logs_an_order_for_a_new_villager_and_moves_it_to_picked_up(
    phone_page, login, partner, console_errors
):
    page = phone_page
    # given
    login(page, partner.user.username, PASSWORD)
    page.goto(f"{page.base_url}/partner/orders/new/")
    # when: a new villager, two lines (one row added and one removed on the way)
    page.fill("#id_villager_phone", "13912340000")
    page.fill("#id_villager_name", "新村民")
    fill_line(page, 0, "海尔冰箱", "appliances", "2", "3999.00")
    page.click("#add-line")
    expect(page.locator("[data-line-row]")).to_have_count(3)
    page.locator("[data-line-row]").nth(2).locator("[data-remove-line]").click()
    expect(page.locator("[data-line-row]")).to_have_count(2)
    fill_line(page, 1, "洗衣粉", "daily-goods", "3", "12.50")
    expect(page.locator("#live-total")).to_have_text(re.compile(r"^¥8,?035\.50$"))
    page.dblclick("#submit-order")
    # then: exactly one order, and the partner sees it
    expect(page).to_have_url(re.compile(r"/partner/orders/\d+/$"))
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert order.lines.count() == 2
    assert order.villager.name == "新村民"
    expect(page.locator("#order-total")).to_have_text(re.compile(r"^¥8,?035\.50$"))

    # when: paid, then along the way to the villager
    for status in ("paid", "shipped", "at_county_centre", "at_service_point", "picked_up"):
        if status == "picked_up":  # the villager shows the code they were texted
            page.fill("#id_pickup_code", pickup_code_of(order))
        page.click(f"#action-{status}")
        expect(page.locator(f"#status-history .badge-{status}")).to_be_visible()
    # then
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP
    assert list(order.status_changes.values_list("to_status", flat=True)) == [
        "placed",
        "paid",
        "shipped",
        "at_county_centre",
        "at_service_point",
        "picked_up",
    ]
    expect(page.locator("#action-returned")).to_be_hidden()  # behind "Return…", with a reason
    assert console_errors == []


def test_a_partner_logs_a_government_procurement_of_5000_trash_cans(phone_page, login, partner, console_errors):
    page = phone_page
    login(page, partner.user.username, PASSWORD)
    page.goto(f"{page.base_url}/partner/orders/new/")
    # the procurement fields appear only for procurement
    expect(page.locator("#procurement-fields")).to_be_hidden()
    page.check("input[name=channel][value=government_procurement]")
    expect(page.locator("#procurement-fields")).to_be_visible()
    page.fill("#id_buyer_organisation", "兰考县城管局")
    page.fill("#id_reference", "LK-CG-2026-017")
    page.fill("#id_villager_phone", "13700001111")
    page.fill("#id_villager_name", "城管局张科长")
    fill_line(page, 0, "垃圾桶 240L", "daily-goods", "5000", "89.00")
    expect(page.locator("#live-total")).to_have_text(re.compile(r"^¥445,?000\.00$"))
    page.click("#submit-order")
    expect(page).to_have_url(re.compile(r"/partner/orders/\d+/$"))
    expect(page.locator("#order-total")).to_have_text(re.compile(r"^¥445,?000\.00$"))
    order = Order.objects.get()
    assert (order.channel, order.buyer_organisation, order.lines.get().quantity) == (
        "government_procurement",
        "兰考县城管局",
        5000,
    )
    assert console_errors == []


def test_a_known_villager_is_found_by_phone(phone_page, login, partner):
    from tests.support.factories import VillagerFactory

    VillagerFactory(partner=partner, phone="13655556666", name="赵大爷")
    page = phone_page
    login(page, partner.user.username, PASSWORD)
    page.goto(f"{page.base_url}/partner/orders/new/")
    page.locator("#id_villager_phone").press_sequentially("136555")
    page.click("#villager-suggestions .suggestion")
    expect(page.locator("#id_villager_phone")).to_have_value("13655556666")
    expect(page.locator("#id_villager_name")).to_have_value("赵大爷")


def test_with_javascript_off_a_double_submit_still_makes_one_order(browser, live_server, partner):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", partner.user.username)
        page.fill("#id_password", PASSWORD)
        page.click("#login-submit")
        # "Add a line" without JavaScript: the server answers with one more row
        page.goto(f"{live_server.url}/partner/orders/new/")
        page.fill("#id_lines-0-product_name", "电饭煲")
        page.click("#add-line")
        expect(page.locator("[data-line-row]")).to_have_count(3)
        expect(page.locator("#id_lines-0-product_name")).to_have_value("电饭煲")
        # a double tap on submit: without JavaScript nothing stops the second post
        page.goto(f"{live_server.url}/partner/orders/new/")
        request_id = page.locator("#id_client_request_id").input_value()
        page.fill("#id_villager_phone", "13912340000")
        page.fill("#id_villager_name", "新村民")
        fill_line(page, 0, "电饭煲", "appliances", "1", "199.00")
        page.dblclick("#submit-order")
        expect(page).to_have_url(re.compile(r"/partner/orders/\d+/$"))
        first_url = page.url
        assert Order.objects.count() == 1
        # the back button shows the same form (its id is in the URL) and says it was sent
        page.go_back()
        expect(page.locator("#already-placed")).to_be_visible()
        expect(page.locator("#id_client_request_id")).to_have_value(request_id)
        page.click("#already-placed a")
        expect(page).to_have_url(first_url)
        assert Order.objects.count() == 1
    finally:
        context.close()


def test_the_new_order_page_in_chinese(phone_page, login, partner, screenshot, console_errors):
    page = phone_page
    login(page, partner.user.username, PASSWORD)
    page.goto(f"{page.base_url}/partner/orders/new/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    fill_line(page, 0, "海尔冰箱", "appliances", "2", "3999.00")
    path = screenshot(page, "partner-order-new-zh-hans")
    assert path.exists()
    assert console_errors == []
