"""Journey (issue 17, item 4): an admin replaces a partner from the partner's page; the
successor logs in and finds the village's villagers and the open parcels. The page fits a
360 px phone."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from orders.models import Order, OrderStatus
from partners.models import Partner, PartnerStatus
from tests.support.factories import UserFactory, VillageFactory
from tests.support.orders import move_to, place_order
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PASSWORD = "admin-pass-2026"
SUCCESSOR_PASSWORD = "successor-pass-2026"


@pytest.fixture
def village_world(county_a):
    for name in ("partner", "county_staff", "admin", "county_centre"):
        Group.objects.get_or_create(name=name)
    UserFactory(username="ops", password=ADMIN_PASSWORD, is_staff=True, groups=["admin"])
    village = VillageFactory(county=county_a, name="张庄村")
    leaving = partner_in(PartnerStatus.ACTIVE, real_name="王爱丽", village=village)
    placed = place_order(leaving, villager_phone="13900001111", villager_name="张大妈")
    shipped = move_to(place_order(leaving, villager_phone="13900002222", villager_name="李大爷"), "shipped",
                      by_user=leaving.user)  # fmt: skip
    done = move_to(place_order(leaving, villager_phone="13900001111", villager_name="张大妈"), "picked_up",
                   by_user=leaving.user)  # fmt: skip
    successor = partner_in(PartnerStatus.TRAINING, real_name="赵继任", village=village)
    return {"leaving": leaving, "successor": successor, "open": [placed, shipped], "done": done}


def test_an_admin_replaces_a_partner_and_the_successor_takes_over(
    page, login, village_world, console_errors, screenshot
):
    leaving, successor = village_world["leaving"], village_world["successor"]
    code = leaving.service_point.code
    # given the admin on the leaving partner's page
    login(page, "ops", ADMIN_PASSWORD)
    page.goto(f"{page.base_url}/partners/{leaving.pk}/")
    expect(page.locator("#service-point-code")).to_have_text(code)
    form = page.locator("#replace-form")
    expect(form).to_be_visible()
    # when they pick the successor, say why and replace
    page.select_option("#id_successor", str(successor.pk))
    page.fill("#id_reason", "外出务工")
    page.click("#replace-submit")
    # then the successor's page, saying what moved
    expect(page).to_have_url(re.compile(rf"/partners/{successor.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("2 个未完成订单已转交")
    expect(page.locator("#partner-title")).to_contain_text("赵继任")
    expect(page.locator("#tenures")).to_contain_text("王爱丽")
    expect(page.locator("#tenures")).to_contain_text("赵继任")
    screenshot(page, "replacement-successor-page")
    leaving.refresh_from_db()
    successor.refresh_from_db()
    assert (leaving.status, successor.status) == (PartnerStatus.EXITED, PartnerStatus.ACTIVE)
    assert successor.service_point.code == code
    open_ids = {o.pk for o in village_world["open"]}
    assert set(Order.objects.filter(partner=successor).values_list("pk", flat=True)) == open_ids
    assert Order.objects.get(pk=village_world["done"].pk).partner_id == leaving.pk

    # when the successor logs in (their login was made at activation)
    user = Partner.objects.get(pk=successor.pk).user
    user.set_password(SUCCESSOR_PASSWORD)
    user.save()
    other = page.context.browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    phone = other.new_page()
    phone.base_url = page.base_url
    login(phone, user.username, SUCCESSOR_PASSWORD)
    # then they find the village's villagers
    phone.goto(f"{phone.base_url}/partner/villagers/")
    expect(phone.locator("main")).to_contain_text("张大妈")
    expect(phone.locator("main")).to_contain_text("李大爷")
    # and the open parcels, now theirs
    phone.goto(f"{phone.base_url}/partner/orders/")
    for order in village_world["open"]:
        expect(phone.locator("main")).to_contain_text(order.order_no)
    expect(phone.locator("main")).not_to_contain_text(village_world["done"].order_no)
    shipped = village_world["open"][1]
    phone.goto(f"{phone.base_url}/partner/orders/{shipped.pk}/")
    expect(phone.locator("main")).to_contain_text("赵继任")  # the history row of the move
    assert Order.objects.get(pk=shipped.pk).status == OrderStatus.SHIPPED
    other.close()
    assert console_errors == []


def test_the_partners_page_with_replace_partner_fits_a_360_px_phone(phone_page, login, village_world, screenshot):
    leaving = village_world["leaving"]
    login(phone_page, "ops", ADMIN_PASSWORD)
    phone_page.goto(f"{phone_page.base_url}/partners/{leaving.pk}/")
    expect(phone_page.locator("#replace-form")).to_be_visible()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    for selector in ("#id_successor", "#id_reason", "#replace-submit"):
        box = phone_page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector
    screenshot(phone_page, "replacement-page-360")
