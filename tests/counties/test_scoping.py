"""Who sees which county: every dashboard page, export, profile page and API endpoint goes
through ``counties_visible_to``. Carol (staff of A) sees A and gets 404 for B; partners get
403; anonymous visitors go to the login page (the API answers 401/403)."""

import pytest
from django.urls import URLPattern, URLResolver, reverse
from rest_framework.test import APIClient

from analytics import api_urls as county_api_urls
from analytics import urls as county_urls
from counties.models import CountyStaffAssignment
from counties.selectors import counties_visible_to
from tests.support.factories import CountyFactory, CountyStaffAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# Every browser URL of a single county: (url name, extra kwargs).
COUNTY_PAGES = [
    ("dashboards:county", {}),
    *[("dashboards:county_export", {"table": table}) for table in ("kpis", "daily", "categories", "channels")],
    *[("dashboards:county_export", {"table": table}) for table in ("villages", "partners", "promotions")],
    ("counties:profile", {}),
    ("counties:profile_edit", {}),
    ("counties:profile_export", {}),
    ("counties:history_export", {}),
]
COUNTY_API = ["api-county-villages", "api-county-dashboard"]
NATIONAL_PAGES = [
    ("dashboards:national", {}),
    *[
        ("dashboards:national_export", {"table": table})
        for table in ("ranking", "provinces", "regions", "funnel", "daily")
    ],
]


def county_url(name, code, extra):
    return reverse(name, kwargs={"code": code, **extra})


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


# One partner's figures and the partner ranking: scoped by the partner's county (tests in
# tests/analytics/test_partner_performance.py and tests/partners/test_targets.py; replacing: tests/orders/test_replacement.py).
PARTNER_PAGES = {"partner_performance", "partner_replace", "dashboards:partners"}
PARTNER_API = {"api-partner-performance", "api-partner-ranking", "api-partner-target"}
# Admins only, no county in the URL: the official online retail figures' upload.
ADMIN_PAGES = {"dashboards:online_sales_import"}


def test_every_county_url_is_in_the_scoping_tables():
    # A new page or export added without a row here fails this test.
    covered = {name for name, _ in COUNTY_PAGES + NATIONAL_PAGES} | PARTNER_PAGES | ADMIN_PAGES
    assert set(_names(county_urls.urlpatterns)) == covered
    assert set(_names(county_api_urls.urlpatterns)) == {
        *COUNTY_API,
        *PARTNER_API,
        "api-county-list",
        "api-billion-yuan-ranking",
    }


# ── The selector ─────────────────────────────────────────────────────────────


def test_counties_visible_to_each_role(county_a, county_b, carol, dave, alice, admin_user):
    from django.contrib.auth.models import AnonymousUser

    assert list(counties_visible_to(carol)) == [county_a]
    assert list(counties_visible_to(dave)) == [county_b]
    assert set(counties_visible_to(admin_user)) == {county_a, county_b}
    assert list(counties_visible_to(alice.user)) == []
    assert list(counties_visible_to(AnonymousUser())) == []


def test_an_assignment_without_the_staff_role_shows_nothing(county_a):
    # given a login assigned to county A but not (or no longer) in the county_staff group
    user = UserFactory(username="former")
    CountyStaffAssignment.objects.create(user=user, county=county_a)
    # then it sees no county
    assert list(counties_visible_to(user)) == []


# ── Browser pages and exports of one county ──────────────────────────────────


@pytest.mark.parametrize(("name", "extra"), COUNTY_PAGES)
def test_county_staff_see_their_county_and_get_404_for_another(client, carol, county_a, county_b, name, extra):
    client.force_login(carol)
    assert client.get(county_url(name, county_a.code, extra)).status_code == 200
    assert client.get(county_url(name, county_b.code, extra)).status_code == 404
    assert client.get(county_url(name, "999999", extra)).status_code == 404


@pytest.mark.parametrize(("name", "extra"), COUNTY_PAGES)
def test_admins_see_every_county(client, admin_user, county_a, county_b, name, extra):
    client.force_login(admin_user)
    for county in (county_a, county_b):
        assert client.get(county_url(name, county.code, extra)).status_code == 200


@pytest.mark.parametrize(("name", "extra"), COUNTY_PAGES)
def test_partners_get_403(client, alice, county_a, name, extra):
    client.force_login(alice.user)
    assert client.get(county_url(name, county_a.code, extra)).status_code == 403


@pytest.mark.parametrize(("name", "extra"), COUNTY_PAGES)
def test_anonymous_visitors_go_to_the_login_page(client, county_a, name, extra):
    url = county_url(name, county_a.code, extra)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unassigned_staff_member_loses_the_county_on_the_next_request(client, carol, county_a):
    # given carol looking at her county
    client.force_login(carol)
    url = reverse("dashboards:county", args=[county_a.code])
    assert client.get(url).status_code == 200
    # when an admin removes her assignment
    CountyStaffAssignment.objects.filter(user=carol, county=county_a).delete()
    # then her very next request is refused
    assert client.get(url).status_code == 404
    assert client.get(reverse("counties:profile", args=[county_a.code])).status_code == 404


def test_an_unknown_export_table_is_404(client, admin_user, county_a):
    client.force_login(admin_user)
    assert client.get(reverse("dashboards:county_export", args=[county_a.code, "orders"])).status_code == 404
    assert client.get(reverse("dashboards:national_export", args=["orders"])).status_code == 404


# ── The national page ────────────────────────────────────────────────────────


def test_admins_see_the_national_dashboard(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("dashboards:national"))
    assert response.status_code == 200
    assert "dashboards/national.html" in [t.name for t in response.templates]


def test_staff_of_one_county_are_sent_to_it(client, carol, county_a):
    client.force_login(carol)
    response = client.get(reverse("dashboards:national"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:county", args=[county_a.code])


def test_staff_of_several_counties_choose_one(client, carol, county_a):
    # given carol also assigned to a third county
    other = CountyFactory(code="410221", name="杞县")
    CountyStaffAssignmentFactory(user=carol, county=other)
    client.force_login(carol)
    # when she opens the dashboards
    response = client.get(reverse("dashboards:national"))
    # then she chooses between exactly her two counties
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-county="{county_a.code}"' in html and f'data-county="{other.code}"' in html
    assert 'data-county="610431"' not in html


def test_staff_without_counties_are_told_so(client):
    user = UserFactory(username="newstaff", groups=["county_staff"])
    client.force_login(user)
    response = client.get(reverse("dashboards:national"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'id="no-counties"' in response.content.decode()


@pytest.mark.parametrize(("name", "extra"), NATIONAL_PAGES)
def test_national_pages_refuse_partners_and_send_anonymous_to_login(client, alice, name, extra):
    url = reverse(name, kwargs=extra)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(alice.user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_admin_pages_refuse_county_staff_and_partners(client, alice, carol, admin_user, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for user in (alice.user, carol):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("table", ["provinces", "regions", "funnel", "daily"])
def test_national_exports_are_for_admins(client, carol, admin_user, table):
    client.force_login(carol)
    assert client.get(reverse("dashboards:national_export", args=[table])).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("dashboards:national_export", args=[table])).status_code == 200


def test_the_ranking_export_of_staff_holds_only_their_counties(client, carol, county_a, county_b):
    from analytics.models import CountySummary

    for rank, county in enumerate((county_a, county_b), start=1):
        CountySummary.objects.create(
            county=county, as_of="2025-06-30", trailing_12m_sales=1000 * rank, national_rank=rank
        )
    client.force_login(carol)
    body = b"".join(client.get(reverse("dashboards:national_export", args=["ranking"])).streaming_content).decode()
    assert county_a.code in body and county_b.code not in body


# ── API ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", COUNTY_API)
def test_api_scoping_of_one_county(carol, dave, alice, admin_user, county_a, county_b, name):
    api = APIClient()
    url_a = reverse(name, kwargs={"code": county_a.code})
    url_b = reverse(name, kwargs={"code": county_b.code})
    assert api.get(url_a).status_code in (401, 403)
    api.force_authenticate(carol)
    assert api.get(url_a).status_code == 200
    assert api.get(url_b).status_code == 404
    api.force_authenticate(dave)
    assert api.get(url_a).status_code == 404
    assert api.get(url_b).status_code == 200
    api.force_authenticate(admin_user)
    assert api.get(url_a).status_code == 200 and api.get(url_b).status_code == 200
    api.force_authenticate(alice.user)
    assert api.get(url_a).status_code == 403


def test_api_county_list_and_ranking_are_scoped(carol, admin_user, alice, county_a, county_b):
    from analytics.models import CountySummary

    for rank, county in enumerate((county_a, county_b), start=1):
        CountySummary.objects.create(
            county=county, as_of="2025-06-30", trailing_12m_sales=1000 * rank, national_rank=rank
        )
    api = APIClient()
    api.force_authenticate(carol)
    assert [c["code"] for c in api.get(reverse("api-county-list")).json()["results"]] == [county_a.code]
    ranking = api.get(reverse("api-billion-yuan-ranking")).json()["results"]
    assert [(r["county"]["code"], r["national_rank"]) for r in ranking] == [(county_a.code, 1)]
    api.force_authenticate(admin_user)
    assert api.get(reverse("api-county-list")).json()["count"] == 2
    assert api.get(reverse("api-billion-yuan-ranking")).json()["count"] == 2
    api.force_authenticate(alice.user)
    assert api.get(reverse("api-county-list")).status_code == 403
    assert api.get(reverse("api-billion-yuan-ranking")).status_code == 403
