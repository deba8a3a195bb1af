"""Taobao order numbers typed offline, in real Chromium: on a new order and with the paid
step, they wait in the outbox with the rest and are recorded when it is sent."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderStatus, PlatformOrderNo
from tests.e2e.test_offline import (  # noqa: F401  (fixtures)
    categories,
    fill_order,
    log_in_and_wait_for_the_offline_copy,
    network_noise,
    partner,
)
from tests.support.orders import place_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_logged_offline_with_its_taobao_numbers_records_them_when_sent(
    phone_page,
    login,
    partner,  # noqa: F811
    console_errors,
):
    page = phone_page
    log_in_and_wait_for_the_offline_copy(page, login, partner.user)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/partner/orders/new/")
    expect(page.locator("#offline-banner")).to_have_attribute("data-offline", "1")
    fill_order(page, phone="13911110041", name="刘大伯", lines=[("海尔冰箱", "appliances", "1", "3999.00")])
    page.fill("#id_platform_order_nos", "2388001122334455, 2388001122334466")
    page.click("#submit-order")
    expect(page).to_have_url(re.compile(r"/partner/orders/\?queued="))
    expect(page.locator("#outbox [data-state=waiting]")).to_have_count(1)
    assert Order.objects.count() == 0
    page.context.set_offline(False)
    expect(page.locator("#outbox [data-state=sent]")).to_have_count(1)
    order = Order.objects.get()
    assert list(PlatformOrderNo.objects.filter(order=order).order_by("id").values_list("number", flat=True)) == [
        "2388001122334455",
        "2388001122334466",
    ]
    assert network_noise(console_errors) == []


def test_a_refused_number_of_an_order_logged_offline_is_shown_and_fixed(phone_page, login, partner):  # noqa: F811
    page = phone_page
    log_in_and_wait_for_the_offline_copy(page, login, partner.user)
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/partner/orders/new/")
    fill_order(page, phone="13911110042", name="何大姐", lines=[("毛巾", "daily-goods", "2", "8.80")])
    page.fill("#id_platform_order_nos", "12")
    page.click("#submit-order")
    expect(page).to_have_url(re.compile(r"/partner/orders/\?queued="))
    page.context.set_offline(False)
    refused = page.locator("#outbox [data-state=refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Taobao order number")
    # Fixed on the form (the number is filled back in) and sent again.
    page.click("#outbox [data-edit]")
    expect(page.locator("#id_platform_order_nos")).to_have_value("12")
    page.fill("#id_platform_order_nos", "2388001122334477")
    page.click("#submit-order")
    expect(page.locator("#outbox [data-state=sent]")).to_have_count(1)
    assert PlatformOrderNo.objects.get().number == "2388001122334477"


def test_the_paid_step_taken_offline_carries_the_numbers(phone_page, login, partner):  # noqa: F811
    page = phone_page
    order = place_order(partner, villager_phone="13911110043", villager_name="孔大爷")
    log_in_and_wait_for_the_offline_copy(page, login, partner.user)
    page.goto(f"{page.base_url}/partner/orders/{order.pk}/")
    page.context.set_offline(True)
    page.goto(f"{page.base_url}/partner/orders/{order.pk}/")
    page.fill("#id_paid_platform_order_nos", "2388001122334488")
    page.click("#action-paid")
    expect(page.locator("#queued-status [data-state=waiting]")).to_have_count(1)
    page.context.set_offline(False)
    expect(page.locator("#order-status .badge-paid")).to_be_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(order.platform_numbers.values_list("number", flat=True)) == ["2388001122334488"]
