"""Brute force on the login page and the token endpoint is locked out; others are not."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def fresh_throttles():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def victim():
    return UserFactory(username="13800001111", password="right-password-1")


@pytest.fixture
def bystander():
    return UserFactory(username="13800002222", password="other-password-2")


def login_page(username, password, ip="10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(
        "/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def token(username, password, ip="10.0.0.1"):
    return APIClient(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_token_endpoint_gives_a_token_for_the_right_password(victim):
    response = token("13800001111", "right-password-1")
    assert response.status_code == 200
    assert response.json()["token"] == victim.auth_token.key


def test_a_username_is_locked_after_repeated_failures_from_any_address(victim, bystander):
    # given: failures for one username from many addresses
    for i in range(LIMIT - 1):
        assert login_page("13800001111", "wrong", ip=f"10.0.1.{i}").status_code == 200
    assert login_page("13800001111", "wrong", ip="10.0.1.200").status_code == 429  # the failure that locks
    # when: the right password arrives from yet another address
    locked = login_page("13800001111", "right-password-1", ip="10.0.9.9")
    # then: locked, with a clear message; the token endpoint agrees
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    assert token("13800001111", "right-password-1", ip="10.0.9.8").status_code == 429
    # and another user from a fresh address is unaffected
    assert token("13800002222", "other-password-2", ip="10.0.9.7").status_code == 200


def test_an_address_is_locked_after_failures_across_usernames(victim, bystander):
    for i in range(LIMIT):
        token(f"1390000{i:04d}", "guess", ip="10.0.2.2")
    assert token("13800002222", "other-password-2", ip="10.0.2.2").status_code == 429
    assert token("13800002222", "other-password-2", ip="10.0.2.3").status_code == 200


def test_an_admin_unlocks_a_username(victim):
    from axes.utils import reset

    for i in range(LIMIT):
        login_page("13800001111", "wrong", ip=f"10.0.3.{i}")
    assert login_page("13800001111", "right-password-1", ip="10.0.3.99").status_code == 429
    reset(username="13800001111")
    assert login_page("13800001111", "right-password-1", ip="10.0.3.99").status_code == 302


@pytest.mark.parametrize("username", ["x" * 20_000, "abc\x00def"], ids=["20k-chars", "nul"])
def test_absurd_input_is_a_400_not_a_500(username):
    assert login_page(username, "pw").status_code == 400
    response = token(username, "pw")
    assert response.status_code == 400
    assert "username" in response.json()


def test_token_endpoint_field_errors():
    response = token("", "")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_binary_junk_in_the_body_is_a_400():
    junk = b"username=%FF%FE%00%C3%28&password=%80%81"
    page = Client().post("/accounts/login/", data=junk, content_type="application/x-www-form-urlencoded")
    api = Client().post("/api/v1/auth/token/", data=b"\xff\xfe{not json", content_type="application/json")
    assert page.status_code == 400
    assert api.status_code == 400
