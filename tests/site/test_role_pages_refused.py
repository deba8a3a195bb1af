"""A login that opens another role's page gets the product's 403 page in the page's
language, saying whom the page is for and where this login's own pages are (issue 19,
point 15): not a bare "403 Forbidden"."""

import pytest

pytestmark = pytest.mark.django_db

CASES = {
    # (language, page, refused) → the reason on the page
    ("zh-hans", "/partner/", "carol"): "此页面仅供村淘合伙人使用。",
    ("en", "/partner/", "carol"): "This page is for village partners.",
    ("zh-hans", "/partner/orders/", "carol"): "此页面仅供村淘合伙人使用。",
    ("zh-hans", "/dashboard/", "alice"): "此页面仅供县级工作人员和管理员使用。",
    ("en", "/dashboard/", "alice"): "This page is for county staff and admins.",
    ("en", "/review/", "alice"): "This page is for county staff and admins.",
}
OWN_PAGE = {"carol": "/dashboard/", "alice": "/partner/"}


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(("language", "url", "who"), list(CASES))
def test_a_page_of_another_role_says_whom_it_is_for(client, debug, carol, alice, language, url, who):
    # given a county officer (or a partner) logged in, reading the site in a language
    client.raise_request_exception = False
    client.force_login({"carol": carol, "alice": alice.user}[who])
    # when they open a page of another role
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    # then the product's own 403 page, in that language, says why and where to go instead
    assert response.status_code == 403
    assert 'id="error-403"' in html and f'<html lang="{language}">' in html
    assert f'<p id="error-reason">{CASES[(language, url, who)]}</p>' in html
    assert f'id="own-pages" href="{OWN_PAGE[who]}"' in html
    assert "Forbidden" not in html


def test_a_refusal_without_a_reason_still_says_the_generic_sentence(client, carol):
    client.force_login(carol)
    html = client.get("/fail/forbidden/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="error-403"' in html
    assert "Your login may not open this page." in html
    assert 'id="error-reason"' not in html


pytestmark = [pytestmark, pytest.mark.urls("tests.site.error_urls")]
