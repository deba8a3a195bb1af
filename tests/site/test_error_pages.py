"""The product's own error pages (issue 18, item 2): 400, 403, 404, 500 and the CSRF
failure in the page's language, with DEBUG off and (403, 404) on; API paths get JSON."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from rural_taobao.error_pages import server_error

pytestmark = pytest.mark.urls("tests.site.error_urls")

LANGUAGES = [("zh-hans", "页面不存在", "无权访问"), ("en", "Page not found", "Not allowed")]


def _client(language: str, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, **kwargs)
    client.raise_request_exception = False
    return client


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings, db):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(("language", "not_found", "_forbidden"), LANGUAGES)
@pytest.mark.parametrize("url", ["/no/such/page/", "/fail/missing/"])
def test_a_404_is_the_products_page_in_the_pages_language(debug, language, not_found, _forbidden, url):
    response = _client(language).get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-404"' in html and f"<h1>{not_found}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert "DEBUG = True" not in html and "URLconf" not in html


def test_a_404_page_keeps_the_login_in_the_top_bar(debug, admin_user):
    client = _client("en")
    client.force_login(admin_user)
    html = client.get("/no/such/page/").content.decode()
    assert 'id="error-404"' in html and 'id="logout"' in html


def test_a_missing_slash_is_still_redirected(debug):
    response = _client("en").get("/accounts/login")
    assert response.status_code == 301 and response["Location"] == "/accounts/login/"


def test_an_api_404_is_json(debug):
    response = _client("en").get("/api/no-such-endpoint/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("language", "_not_found", "forbidden"), LANGUAGES)
def test_a_403_is_the_products_page_in_the_pages_language(debug, language, _not_found, forbidden):
    response = _client(language).get("/fail/forbidden/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="error-403"' in html and f"<h1>{forbidden}</h1>" in html


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "表单已过期"), ("en", "The form has expired")])
def test_a_csrf_failure_is_the_products_page(debug, language, title):
    response = _client(language, enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="error-403-csrf"' in html and f"<h1>{title}</h1>" in html


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "请求有误"), ("en", "Bad request")])
def test_a_400_is_the_products_page(db, language, title):
    response = _client(language).get("/fail/bad/")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-400"' in html and f"<h1>{title}</h1>" in html


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "出错了"), ("en", "Something went wrong")])
def test_a_500_is_the_products_page_in_the_pages_language(db, language, title):
    response = _client(language).get("/fail/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert 'id="error-500"' in html and f"<h1>{title}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert "boom" not in html and "Traceback" not in html


def test_an_api_500_is_json():
    response = server_error(RequestFactory().get("/api/v1/orders/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "出错了"), ("en", "Something went wrong")])
def test_the_500_page_needs_no_database(language, title):
    # No database fixture: pytest-django refuses any query, so the handler needs none.
    with translation.override(language):
        response = server_error(RequestFactory().get("/partner/orders/"))
    assert response.status_code == 500
    assert f"<h1>{title}</h1>" in response.content.decode()
