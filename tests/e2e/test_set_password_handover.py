"""Journey (issue 19, point 19): an admin makes a new set-password link for a partner who
lost theirs and hands it over: copies it with the button (the clipboard holds the link),
or shows the QR code; the page says until when the link works. The copied link opens the
set-password page."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.support.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PASSWORD = "admin-pass-2026"


def test_an_admin_copies_the_set_password_link_or_shows_its_qr_code(page, login, county_a, console_errors, screenshot):
    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)
    UserFactory(username="ops", password=ADMIN_PASSWORD, is_staff=True, groups=["admin"])
    partner = PartnerFactory(active=True, real_name="刘晓燕")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)
    login(page, "ops", ADMIN_PASSWORD)
    page.goto(f"{page.base_url}/onboarding/partners/{partner.pk}/")
    page.click("#new-set-password-link")
    card = page.locator("#set-password-link")
    expect(card).to_be_visible()
    url = page.locator("#set-password-url").input_value()
    assert re.search(r"/accounts/reset/[^/]+/[^/]+/$", url)
    # the QR code is drawn and the expiry stated
    expect(page.locator("#set-password-qr svg.qr")).to_be_visible()
    expect(page.locator("#set-password-expiry")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
    # when: copy
    button = page.locator("#copy-set-password-url")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == url
    screenshot(page, "onboarding-set-password-handover")
    # the copied link opens the set-password page
    other = page.context.browser.new_context(locale="zh-CN")
    visitor = other.new_page()
    visitor.goto(url)
    expect(visitor.locator("#set-password-form")).to_be_visible()
    other.close()
    assert console_errors == []
