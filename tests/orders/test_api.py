"""The orders API contract, through the HTTP layer (APIClient)."""

import datetime as dt
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from orders.models import Order, OrderStatus, Villager
from partners.models import Partner, PartnerStatus
from tests.support.factories import PromotionFactory, UserFactory, VillagerFactory
from tests.support.orders import move_to, place_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def body(**overrides) -> dict:
    data = {
        "client_request_id": str(uuid.uuid4()),
        "channel": "assisted_purchase",
        "villager": {"name": "张大妈", "phone": "13812345678"},
        "promotion": None,
        "buyer_organisation": "",
        "reference": "",
        "lines": [{"product_name": "海尔冰箱", "category": "appliances", "quantity": 2, "unit_price": "3999.00"}],
    }
    data.update(overrides)
    return data


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def alice_api(alice, categories):
    return api_as(alice.user)


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


# ── POST /orders/ ─────────────────────────────────────────────────────────────


def test_create_returns_201_with_the_order(alice_api, alice):
    # when
    response = alice_api.post(ORDERS, body(), format="json")
    # then
    assert response.status_code == 201
    data = response.json()
    order = Order.objects.get()
    assert data["id"] == order.pk
    assert data["order_no"] == order.order_no
    assert data["status"] == "placed"
    assert data["channel"] == "assisted_purchase"
    assert data["total_amount"] == "7998.00"
    assert data["villager"] == {"id": order.villager_id, "name": "张大妈", "phone": "13812345678"}
    assert data["lines"][0] | {"id": 0} == {
        "id": 0,
        "product_name": "海尔冰箱",
        "category": "appliances",
        "quantity": 2,
        "unit_price": "3999.00",
        "line_total": "7998.00",
        "commission_rate": None,
        "commission_amount": None,
    }
    assert data["created_at"] and data["paid_at"] is None
    assert data["client_request_id"] == str(order.client_request_id)


def test_the_same_body_again_returns_200_and_the_same_order(alice_api):
    payload = body()
    first = alice_api.post(ORDERS, payload, format="json")
    second = alice_api.post(ORDERS, payload, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Order.objects.count() == 1


def test_the_same_id_with_another_body_is_409(alice_api):
    payload = body()
    first = alice_api.post(ORDERS, payload, format="json").json()
    response = alice_api.post(ORDERS, {**payload, "reference": "changed"}, format="json")
    assert response.status_code == 409
    assert response.json()["order"] == first["id"]
    assert "different content" in response.json()["detail"]
    assert Order.objects.count() == 1


def test_a_phone_typed_with_86_and_spaces_is_the_villagers_number(alice_api):
    # The schema says "spaces and +86 allowed": the project's one normalising rule applies.
    response = alice_api.post(ORDERS, body(villager={"name": "张大妈", "phone": "+86 138 1234 5678"}), format="json")
    assert response.status_code == 201
    assert response.json()["villager"]["phone"] == "13812345678"


def test_procurement_of_5000_units(alice_api):
    response = alice_api.post(
        ORDERS,
        body(
            channel="government_procurement",
            buyer_organisation="兰考县城管局",
            reference="LK-2026-17",
            lines=[{"product_name": "垃圾桶", "category": "daily-goods", "quantity": 5000, "unit_price": "89.00"}],
        ),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["total_amount"] == "445000.00"


def test_a_running_promotion_is_accepted(alice_api):
    promotion = PromotionFactory()
    response = alice_api.post(ORDERS, body(promotion=promotion.pk), format="json")
    assert response.status_code == 201
    assert response.json()["promotion"] == promotion.pk


def line(**overrides):
    return {"product_name": "电饭煲", "category": "appliances", "quantity": 1, "unit_price": "199.00", **overrides}


BAD_BODIES = {
    "no lines": ({"lines": []}, {"lines": ...}),
    "quantity 0": ({"lines": [line(), line(quantity=0)]}, {"lines": [{}, {"quantity": ...}]}),
    "price 0": ({"lines": [line(unit_price="0.00")]}, {"lines": [{"unit_price": ...}]}),
    "price absurd": ({"lines": [line(unit_price="99999999.00")]}, {"lines": [{"unit_price": ...}]}),
    "price with three decimals": ({"lines": [line(unit_price="1.005")]}, {"lines": [{"unit_price": ...}]}),
    "unknown category": (
        {"lines": [line(category="spaceships")]},
        {"lines": [{"category": ["That category does not exist."]}]},
    ),
    "farm category in a purchase": ({"lines": [line(category="fruit")]}, {"lines": [{"category": ...}]}),
    "bad phone": ({"villager": {"name": "x", "phone": "12345"}}, {"villager": {"phone": ...}}),
    "new villager without name": (
        {"villager": {"phone": "13700000000"}},
        {"villager": {"name": ["Enter the villager's name."]}},
    ),
    "unknown channel": ({"channel": "barter"}, {"channel": ...}),
    "procurement without reference": (
        {"channel": "government_procurement", "buyer_organisation": "城管局"},
        {"reference": ["A procurement order needs the buyer's reference number."]},
    ),
    "promotion not running": ({"promotion": 424242}, {"promotion": ["That promotion does not exist."]}),
    "bad request id": ({"client_request_id": "abc"}, {"client_request_id": ...}),
    "lines not a list": ({"lines": "many"}, {"lines": ...}),
    "villager not an object": ({"villager": "张大妈"}, {"villager": {"non_field_errors": ...}}),
}


def matches(actual, expected) -> bool:
    if expected is ...:
        return isinstance(actual, list) and all(isinstance(m, str) for m in actual) and actual
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(actual) == set(expected)
            and all(matches(actual[k], v) for k, v in expected.items())
        )
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(matches(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return actual == expected


@pytest.mark.parametrize(("overrides", "errors"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_input_is_400_with_field_errors(alice_api, overrides, errors):
    response = alice_api.post(ORDERS, body(**overrides), format="json")
    assert response.status_code == 400
    assert matches(response.json(), errors), response.json()
    assert not Order.objects.exists()


def test_line_list_errors_are_a_flat_list(alice_api):
    response = alice_api.post(ORDERS, body(lines=[line()] * 51), format="json")
    assert response.status_code == 400
    assert all(isinstance(m, str) for m in response.json()["lines"])


def test_a_non_json_body_is_400_not_500(alice_api):
    response = alice_api.post(ORDERS, "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["carol", "admin_user"])
def test_only_partners_create_orders(request, categories, who):
    response = api_as(request.getfixturevalue(who)).post(ORDERS, body(), format="json")
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_a_suspended_partner_cannot_create(alice, categories):
    Partner.objects.filter(pk=alice.pk).update(status=PartnerStatus.SUSPENDED)
    response = api_as(User.objects.get(pk=alice.user_id)).post(ORDERS, body(), format="json")
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]


def test_anonymous_is_refused(categories):
    assert APIClient().post(ORDERS, body(), format="json").status_code in (401, 403)
    assert APIClient().get(ORDERS).status_code in (401, 403)


def test_a_login_without_role_is_403(categories):
    assert api_as(UserFactory(username="nobody")).get(ORDERS).status_code == 403


# ── GET /orders/ ──────────────────────────────────────────────────────────────


def test_each_role_sees_its_orders(alice, bob, carol, dave, admin_user, categories):
    # given
    mine, theirs = place_order(alice), place_order(bob)

    def listed(user):
        return {row["id"]: row["villager"]["phone"] for row in api_as(user).get(ORDERS).json()["results"]}

    # then
    assert listed(alice.user) == {mine.pk: "13912345678"}
    assert listed(bob.user) == {theirs.pk: "13912345678"}
    assert listed(carol) == {mine.pk: "139****5678"}
    assert listed(dave) == {theirs.pk: "139****5678"}
    assert listed(admin_user) == {mine.pk: "13912345678", theirs.pk: "13912345678"}


def test_someone_elses_order_is_404(alice_api, bob, carol, categories):
    theirs = place_order(bob)
    assert alice_api.get(f"{ORDERS}{theirs.pk}/").status_code == 404
    assert api_as(carol).get(f"{ORDERS}{theirs.pk}/").status_code == 404
    assert alice_api.post(f"{ORDERS}{theirs.pk}/status/", {"status": "paid"}, format="json").status_code == 404


def test_filters(alice_api, alice):
    paid = move_to(place_order(alice, villager_phone="13911110000"), "paid")
    old = place_order(alice, villager_phone="13822220000")
    proc = place_order(
        alice, channel="government_procurement", buyer_organisation="局", reference="R", villager_phone="13733330000"
    )
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - dt.timedelta(days=5))
    today = timezone.localdate()

    def ids(**params):
        return {row["id"] for row in alice_api.get(ORDERS, params).json()["results"]}

    assert ids(status="paid") == {paid.pk}
    assert ids(channel="government_procurement") == {proc.pk}
    assert ids(created_after=today.isoformat()) == {paid.pk, proc.pk}
    assert ids(created_before=(today - dt.timedelta(days=1)).isoformat()) == {old.pk}
    moment = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids(created_after=moment) == {paid.pk, proc.pk}
    assert ids(villager_phone="13822220000") == {old.pk}
    assert alice_api.get(ORDERS, {"status": "lost"}).status_code == 400
    assert alice_api.get(ORDERS, {"created_after": "soon"}).status_code == 400


def test_ordering(alice_api, alice):
    small = place_order(alice, lines=[line(unit_price="1.00")])
    big = place_order(alice, lines=[line(unit_price="900.00")])
    rows = alice_api.get(ORDERS, {"ordering": "total_amount"}).json()["results"]
    assert [r["id"] for r in rows] == [small.pk, big.pk]
    rows = alice_api.get(ORDERS, {"ordering": "-total_amount"}).json()["results"]
    assert [r["id"] for r in rows] == [big.pk, small.pk]


def test_pagination_is_capped_at_200(alice_api, alice):
    # given: 205 orders, inserted in bulk
    villager = VillagerFactory(partner=alice)
    now = timezone.now()
    Order.objects.bulk_create(
        Order(
            order_no=f"X-{i}",
            client_request_id=uuid.uuid4(),
            partner=alice,
            placed_by=alice,
            villager=villager,
            village=alice.village,
            county=alice.village.county,
            total_amount="10.00",
            placed_at=now - dt.timedelta(minutes=i),
        )
        for i in range(205)
    )
    # when
    page = alice_api.get(ORDERS, {"page_size": 500}).json()
    # then
    assert page["count"] == 205
    assert len(page["results"]) == 200
    assert page["next"] and page["previous"] is None
    assert len(alice_api.get(ORDERS, {"page_size": 500, "page": 2}).json()["results"]) == 5
    assert len(alice_api.get(ORDERS).json()["results"]) == 50


def test_the_list_query_count_does_not_grow_with_orders(alice_api, alice, django_assert_max_num_queries):
    for i in range(12):
        place_order(alice, villager_phone=f"1390000{i:04d}", lines=[line(), line(category="daily-goods")])
    with django_assert_max_num_queries(7):
        response = alice_api.get(ORDERS)
    assert len(response.json()["results"]) == 12


# ── POST /orders/{id}/status/ ─────────────────────────────────────────────────


def test_status_moves_the_order_and_returns_it(alice_api, alice):
    order = place_order(alice)
    response = alice_api.post(f"{ORDERS}{order.pk}/status/", {"status": "paid"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "paid" and response.json()["paid_at"]


def test_an_illegal_status_change_is_409(alice_api, alice):
    order = place_order(alice)
    changes = order.status_changes.count()
    response = alice_api.post(f"{ORDERS}{order.pk}/status/", {"status": "picked_up"}, format="json")
    assert response.status_code == 409
    assert "cannot go from" in response.json()["detail"]
    order.refresh_from_db()
    assert (order.status, order.picked_up_at, order.status_changes.count()) == ("placed", None, changes)


def test_a_stale_status_change_is_409(alice_api, alice):
    order = move_to(place_order(alice), "paid")
    response = alice_api.post(
        f"{ORDERS}{order.pk}/status/",
        {"status": "cancelled", "reason": "x", "expected_status": "placed"},
        format="json",
    )
    assert response.status_code == 409
    order.refresh_from_db()
    assert (order.status, order.cancelled_at) == ("paid", None)
    assert not order.status_changes.filter(to_status="cancelled").exists()
    assert alice_api.get(f"{ORDERS}{order.pk}/").json()["status"] == "paid"


def test_cancel_without_reason_is_400(alice_api, alice):
    order = place_order(alice)
    response = alice_api.post(f"{ORDERS}{order.pk}/status/", {"status": "cancelled"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_an_unknown_status_is_400(alice_api, alice):
    order = place_order(alice)
    response = alice_api.post(f"{ORDERS}{order.pk}/status/", {"status": "teleported"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize("who", ["carol", "admin_user"])
def test_readers_cannot_change_status(request, alice, categories, who):
    order = place_order(alice)
    response = api_as(request.getfixturevalue(who)).post(
        f"{ORDERS}{order.pk}/status/", {"status": "paid"}, format="json"
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_writes_are_throttled(alice_api, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"writes": "2/min"})
    codes = [alice_api.post(ORDERS, body(), format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert alice_api.get(ORDERS).status_code == 200


# ── Reference data and villagers ──────────────────────────────────────────────


def test_categories(alice_api):
    rows = alice_api.get("/api/v1/categories/").json()["results"]
    assert {r["slug"] for r in rows} == {"appliances", "daily-goods", "fruit"}
    assert {r["name"] for r in rows} >= {"Home appliances"}
    farm = alice_api.get("/api/v1/categories/", {"is_farm_produce": "true"}).json()["results"]
    assert [r["slug"] for r in farm] == ["fruit"]


def test_active_promotions(alice_api):
    today = timezone.localdate()
    running = PromotionFactory(name="双11", starts_on=today, ends_on=today)
    PromotionFactory(name="6.18", starts_on=dt.date(2025, 6, 18), ends_on=dt.date(2025, 6, 18))
    rows = alice_api.get("/api/v1/promotions/", {"active": "true"}).json()["results"]
    assert [(r["id"], r["is_running"]) for r in rows] == [(running.pk, True)]
    assert len(alice_api.get("/api/v1/promotions/").json()["results"]) == 2


def test_villagers_are_those_of_the_partners_village(alice_api, alice, bob, carol, admin_user):
    place_order(alice, villager_phone="13900000001", villager_name="甲")
    VillagerFactory(partner=bob, phone="13900000002")
    rows = alice_api.get("/api/v1/villagers/").json()["results"]
    assert [(r["name"], r["phone"], r["order_count"]) for r in rows] == [("甲", "13900000001", 1)]
    assert alice_api.get("/api/v1/villagers/", {"phone": "139000"}).json()["count"] == 1
    theirs = Villager.objects.get(village=bob.village)
    assert alice_api.get(f"/api/v1/villagers/{theirs.pk}/").status_code == 404
    assert api_as(carol).get("/api/v1/villagers/").status_code == 403
    assert api_as(admin_user).get("/api/v1/villagers/").json()["count"] == 2
