"""Journey: the programme admin logs in and reaches the Django admin."""

import pytest

from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_admin_logs_in_and_reaches_the_admin(page, login, console_errors):
    # given
    UserFactory(username="demo_admin", password="demo12345", is_staff=True, is_superuser=True, groups=["admin"])
    # when
    login(page, "demo_admin", "demo12345")
    page.goto(f"{page.base_url}/admin/")
    # then
    assert page.locator("#site-name").is_visible()
    assert page.locator("#content a[href='/admin/orders/order/']").first.is_visible()
    assert page.locator("#content a[href='/admin/counties/county/']").first.is_visible()
    assert console_errors == []


def test_wrong_password_is_refused_with_a_message(page, login):
    UserFactory(username="demo_admin", password="demo12345", is_staff=True, is_superuser=True)
    login(page, "demo_admin", "wrong-password")
    assert "/accounts/login/" in page.url
    assert page.locator("[role=alert]").is_visible()
