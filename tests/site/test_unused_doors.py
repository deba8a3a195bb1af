"""Unused doors (issue 18, item 9): no password-reset form (it was open, unthrottled and
built its links from the Host header); the login page says whom to ask instead; the API
schema and docs need a login in production and are open with DEBUG on."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from rural_taobao.accounts import set_password_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/accounts/password_reset/", "/accounts/password_reset/done/"])
def test_the_password_reset_form_is_gone(client, url):
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "partner@example.org"}).status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")


def test_the_set_password_link_of_onboarding_still_works(client, admin_user):
    landing = client.get(set_password_path(admin_user), follow=True)
    assert landing.status_code == 200 and landing.context["validlink"]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh-hans", "忘记密码？请联系本县的项目管理员，索取新的设置密码链接。"),
        ("en", "Forgot your password? Ask your county's programme admin for a new link."),
    ],
)
def test_the_login_page_says_whom_to_ask_for_a_forgotten_password(language, text):
    html = Client(HTTP_ACCEPT_LANGUAGE=language).get("/accounts/login/").content.decode()
    assert 'id="login-forgot"' in html
    assert text in html.replace("&#x27;", "'")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_api_schema_and_docs_need_a_login_in_production(client, url, settings):
    settings.DEBUG = False
    assert client.get(url).status_code == 401


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_api_schema_and_docs_are_open_with_debug_on(client, url, settings):
    settings.DEBUG = True
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_a_logged_in_user_reads_the_api_schema_and_docs_in_production(client, url, settings, alice):
    settings.DEBUG = False
    client.force_login(alice.user)
    assert client.get(url).status_code == 200
