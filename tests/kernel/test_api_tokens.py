"""API tokens do not live for ever: they expire after API_TOKEN_DAYS, and a new password
(the password-change page, the one-time set-password link), a deactivated login, or
"sign out my other devices" takes them away — the calling device staying signed in."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from rural_taobao.accounts import set_password_path

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
ME = "/api/v1/partners/me/"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


def token_for(username, password=PASSWORD) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def api_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return api


def logged_in_browser(username, password=PASSWORD) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert browser.post("/accounts/login/", {"username": username, "password": password}).status_code == 302
    return browser


def is_logged_in(browser: Client) -> bool:
    return browser.get("/").wsgi_request.user.is_authenticated


def age(key: str, days: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=days))


# ── Expiry ───────────────────────────────────────────────────────────────────


def test_a_token_expires_after_30_days_and_the_login_gets_a_new_one(alice):
    # given: a token issued 29 days ago works
    key = token_for(alice.user.username)
    age(key, 29)
    assert api_with(key).get(ME).status_code == 200
    # when: it turns 31 days old
    age(key, 31)
    refused = api_with(key).get(ME)
    # then: refused, with the reason; asking again gives a new token that works
    assert refused.status_code in (401, 403)
    assert refused.json()["detail"] == "The token has expired: ask for a new one at /api/v1/auth/token/."
    assert not Token.objects.filter(key=key).exists()
    new = token_for(alice.user.username)
    assert new != key and api_with(new).get(ME).status_code == 200


def test_the_token_endpoint_replaces_an_expired_token_instead_of_handing_it_back(alice):
    key = token_for(alice.user.username)
    age(key, 40)
    new = token_for(alice.user.username)
    assert new != key
    assert api_with(new).get(ME).status_code == 200


def test_the_lifetime_comes_from_api_token_days(alice, settings):
    settings.API_TOKEN_DAYS = 7
    key = token_for(alice.user.username)
    age(key, 6)
    assert api_with(key).get(ME).status_code == 200
    age(key, 8)
    assert api_with(key).get(ME).status_code in (401, 403)


def test_the_chinese_refusal(alice):
    key = token_for(alice.user.username)
    age(key, 31)
    refused = APIClient().get(ME, HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "令牌已过期" in refused.json()["detail"]


# ── A new password, a deactivated login ──────────────────────────────────────


def test_changing_the_password_takes_the_token_away_and_keeps_this_browser(alice):
    # given: alice's token, and alice in two browsers
    key = token_for(alice.user.username)
    browser, other_browser = logged_in_browser(alice.user.username), logged_in_browser(alice.user.username)
    # when: she changes her password in one of them
    changed = browser.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "a-new-long-pw-77", "new_password2": "a-new-long-pw-77"},
    )
    # then: the token is refused; this browser stays signed in, the other is not
    assert changed.status_code == 302
    assert api_with(key).get(ME).status_code in (401, 403)
    assert not Token.objects.filter(user=alice.user).exists()
    assert is_logged_in(browser)
    assert not is_logged_in(other_browser)


def test_the_set_password_link_takes_the_token_away(alice):
    # given: a token, then the admin hands out a set-password link (a forgotten password)
    key = token_for(alice.user.username)
    browser = Client()
    form = browser.get(set_password_path(alice.user), follow=True)
    assert form.status_code == 200
    # when: the partner sets a new password there
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-long-pw-77", "new_password2": "a-new-long-pw-77"}
    )
    # then
    assert done.status_code == 302
    assert api_with(key).get(ME).status_code in (401, 403)
    assert not Token.objects.filter(user=alice.user).exists()


def test_suspending_a_partner_deletes_their_token_so_reactivation_does_not_revive_it(alice, admin_user):
    key = token_for(alice.user.username)
    admin = APIClient()
    admin.force_authenticate(admin_user)
    response = admin.post(
        f"/api/v1/partners/{alice.pk}/status/", {"status": "suspended", "reason": "complaints"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert not Token.objects.filter(key=key).exists()
    # an admin turning the login back on in the Django admin brings no old token back
    alice.user.refresh_from_db()
    alice.user.is_active = True
    alice.user.save()
    assert api_with(key).get(ME).status_code in (401, 403)


def test_deactivating_a_login_in_the_admin_deletes_its_token(carol, admin_user):
    carol.set_password(PASSWORD)
    carol.save()
    key = token_for("carol")
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(f"/admin/auth/user/{carol.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "is_active"}
    data.update(
        {
            "groups": [g.pk for g in carol.groups.all()],
            "user_permissions": [],
            "date_joined_0": carol.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": carol.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    saved = admin.post(f"/admin/auth/user/{carol.pk}/change/", data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    carol.refresh_from_db()
    assert not carol.is_active
    assert not Token.objects.filter(key=key).exists()


def test_a_login_alone_keeps_the_token(alice):
    key = token_for(alice.user.username)
    logged_in_browser(alice.user.username)  # saves last_login
    assert token_for(alice.user.username) == key


# ── Sign out my other devices ────────────────────────────────────────────────


def test_the_partner_signs_out_their_other_devices_from_the_page(alice, bob):
    # given: alice on this phone, on another phone, and through the API; bob elsewhere
    key = token_for(alice.user.username)
    this_phone, other_phone = logged_in_browser(alice.user.username), logged_in_browser(alice.user.username)
    bobs_phone = logged_in_browser(bob.user.username)
    page = this_phone.get("/accounts/devices/")
    assert page.status_code == 200 and 'id="sign-out-others-button"' in page.content.decode()
    assert 'id="nav-devices"' in this_phone.get("/partner/income/").content.decode()
    # when
    done = this_phone.post("/accounts/devices/", follow=True)
    # then: this phone is still signed in and says so; the others are signed out; bob is not
    assert done.status_code == 200
    assert "Your other devices are signed out." in done.content.decode()
    assert is_logged_in(this_phone)
    assert not is_logged_in(other_phone)
    assert api_with(key).get(ME).status_code in (401, 403)
    assert is_logged_in(bobs_phone)


def test_the_page_in_chinese(alice):
    browser = Client()
    browser.force_login(alice.user)
    assert "退出我的其他设备" in browser.get("/accounts/devices/").content.decode()
    assert "其他设备已退出登录" in browser.post("/accounts/devices/", follow=True).content.decode()


def test_the_page_needs_a_login(client):
    response = client.post("/accounts/devices/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_api_signs_out_the_other_devices_and_hands_this_one_a_new_token(alice, bob):
    # given
    key = token_for(alice.user.username)
    browser = logged_in_browser(alice.user.username)
    bobs_key = token_for(bob.user.username)
    # when
    response = api_with(key).post("/api/v1/auth/logout-others/")
    # then: the old token and the browser are signed out; the new token works
    assert response.status_code == 200
    body = response.json()
    assert body["detail"] == "Your other devices are signed out."
    assert body["token"] and body["token"] != key
    assert api_with(key).get(ME).status_code in (401, 403)
    assert api_with(body["token"]).get(ME).status_code == 200
    assert not is_logged_in(browser)
    assert api_with(bobs_key).get(ME).status_code == 200


def test_the_api_from_a_browser_session_keeps_that_session(alice):
    key = token_for(alice.user.username)
    browser, other = logged_in_browser(alice.user.username), logged_in_browser(alice.user.username)
    csrf = browser.get("/accounts/devices/").cookies.get("csrftoken")
    headers = {"HTTP_X_CSRFTOKEN": csrf.value} if csrf else {}
    response = browser.post("/api/v1/auth/logout-others/", **headers)
    assert response.status_code == 200 and response.json()["token"] is None
    assert is_logged_in(browser) and not is_logged_in(other)
    assert not Token.objects.filter(key=key).exists()


def test_the_api_needs_a_login():
    assert APIClient().post("/api/v1/auth/logout-others/").status_code in (401, 403)
