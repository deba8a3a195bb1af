"""Masked phones stay masked (issue 18, item 3): only a villager's own partner and admins
may filter the order list by a villager's phone — county staff get 400 for any number,
known or not, so the filter is no yes/no oracle — and the API's reads are throttled per user."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.support.orders import place_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def test_county_staff_filtering_by_a_full_phone_get_400_known_or_not(alice, carol, categories):
    # given: an order of county A whose villager's number carol sees masked
    order = place_order(alice, villager_phone="13812345678")
    assert api_as(carol).get(f"{ORDERS}{order.pk}/").json()["villager"]["phone"] == "138****5678"
    # when: carol asks about the real number and about a number nobody has
    known = api_as(carol).get(ORDERS, {"villager_phone": "13812345678"})
    unknown = api_as(carol).get(ORDERS, {"villager_phone": "13900000000"})
    # then: both refused alike, with a field error and no orders
    assert known.status_code == unknown.status_code == 400
    assert known.json() == unknown.json()
    assert list(known.json()) == ["villager_phone"]
    assert "results" not in known.json()


def test_county_staff_prefixes_are_refused_too(alice, carol, categories):
    place_order(alice, villager_phone="13812345678")
    assert api_as(carol).get(ORDERS, {"villager_phone": "138"}).status_code == 400


def test_county_staff_without_the_filter_still_list_their_county(alice, carol, categories):
    order = place_order(alice, villager_phone="13812345678")
    response = api_as(carol).get(ORDERS, {"villager_phone": ""})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [order.pk]


def test_the_refusal_is_in_the_callers_language(alice, carol, categories):
    client = api_as(carol)
    client.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")
    message = client.get(ORDERS, {"villager_phone": "13812345678"}).json()["villager_phone"][0]
    assert "合伙人" in message


def test_the_partner_filters_their_own_villagers(alice, categories):
    mine = place_order(alice, villager_phone="13812345678")
    place_order(alice, villager_phone="13822220000")
    client = api_as(alice.user)
    assert [r["id"] for r in client.get(ORDERS, {"villager_phone": "13812345678"}).json()["results"]] == [mine.pk]
    assert [r["id"] for r in client.get(ORDERS, {"villager_phone": "1381"}).json()["results"]] == [mine.pk]


def test_another_partners_villager_is_not_found_by_phone(alice, bob, categories):
    place_order(bob, villager_phone="13812345678")
    response = api_as(alice.user).get(ORDERS, {"villager_phone": "13812345678"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_admins_filter_by_phone(alice, admin_user, categories):
    order = place_order(alice, villager_phone="13812345678")
    response = api_as(admin_user).get(ORDERS, {"villager_phone": "13812345678"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [order.pk]


@pytest.fixture
def reads_3_a_minute(settings):
    rest = dict(django_settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "reads": "3/min"}
    settings.REST_FRAMEWORK = rest


def test_reads_are_throttled_per_user(alice, carol, categories, reads_3_a_minute):
    # given: the read rate set to 3 a minute
    staff = api_as(carol)
    # when: carol lists the orders four times
    codes = [staff.get(ORDERS).status_code for _ in range(4)]
    # then: the fourth is refused, and alice (another user, the same address) is not
    assert codes == [200, 200, 200, 429]
    assert api_as(alice.user).get(ORDERS).status_code == 200


def test_other_read_endpoints_share_the_read_rate(alice, categories, reads_3_a_minute):
    client = api_as(alice.user)
    codes = [client.get(path).status_code for path in [ORDERS, "/api/v1/categories/", "/api/v1/villagers/", ORDERS]]
    assert codes == [200, 200, 200, 429]
