"""Pickup codes from outside: picking up needs the code the villager was texted (400 when
missing or wrong, each wrong one counted; the fifth locks the pickup for 15 minutes: 429);
a resend replaces the code; centre staff of the county or an admin hand a parcel over
with a reason (recorded), nobody else; the code never shows in the partner's pages or API;
the partner's batch move answers per order."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from notifications.models import Message
from orders.models import OrderStatus, OrderStatusChange, PickupCode
from tests.support.orders import move_to, pickup_code_of, place_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def waiting(alice):
    """A parcel of alice's at her service point, its villager texted a code."""
    return move_to(place_order(alice, villager_phone="13912340001"), OrderStatus.AT_SERVICE_POINT)


def pick_up(user, order, code=None):
    body = {"status": "picked_up"}
    if code is not None:
        body["pickup_code"] = code
    return api_as(user).post(f"{ORDERS}{order.pk}/status/", body, format="json")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_picking_up_needs_the_code_the_villager_was_texted(alice, waiting):
    code = pickup_code_of(waiting)
    missing = pick_up(alice.user, waiting)
    assert missing.status_code == 400 and "pickup code" in missing.json()["pickup_code"][0]
    bad = pick_up(alice.user, waiting, wrong(code))
    assert bad.status_code == 400 and "4 tries left" in bad.json()["pickup_code"][0]
    waiting.refresh_from_db()
    assert waiting.status == "at_service_point" and waiting.picked_up_at is None
    ok = pick_up(alice.user, waiting, code)
    assert ok.status_code == 200 and ok.json()["status"] == "picked_up"
    row = PickupCode.objects.get(order=waiting)
    assert row.used_at is not None and row.overridden_by is None
    # the villager is told, and the spent code opens nothing any more
    assert Message.objects.filter(to=waiting.villager.phone, template="picked_up").count() == 1


def test_five_wrong_codes_lock_the_pickup_for_15_minutes(alice, waiting, clock):
    from django.utils import timezone

    start = timezone.localtime(timezone.now()).replace(microsecond=0)
    clock(start)
    code = pickup_code_of(waiting)
    for left in (4, 3, 2, 1):
        assert f"{left} tries left" in pick_up(alice.user, waiting, wrong(code)).json()["pickup_code"][0]
    fifth = pick_up(alice.user, waiting, wrong(code))
    assert fifth.status_code == 429
    assert fifth.json()["locked_until"] == (start + dt.timedelta(minutes=15)).isoformat()
    # locked: even the right code waits
    clock(start + dt.timedelta(minutes=14, seconds=59))
    assert pick_up(alice.user, waiting, code).status_code == 429
    clock(start + dt.timedelta(minutes=15, seconds=1))
    assert pick_up(alice.user, waiting, code).status_code == 200


def test_a_resend_texts_a_new_code_and_the_old_one_stops_working(alice, waiting):
    old = pickup_code_of(waiting)
    response = api_as(alice.user).post(f"{ORDERS}{waiting.pk}/pickup-code/resend/", {}, format="json")
    assert response.status_code == 202
    assert old not in response.content.decode()
    new = pickup_code_of(waiting)
    assert Message.objects.filter(to=waiting.villager.phone, template="pickup_code").count() == 2
    if new != old:  # one chance in a million that the new code is the old one
        assert pick_up(alice.user, waiting, old).status_code == 400
    assert pick_up(alice.user, waiting, new).status_code == 200


def test_resending_is_refused_when_the_parcel_is_not_waiting(alice):
    order = move_to(place_order(alice, villager_phone="13912340002"), OrderStatus.AT_COUNTY_CENTRE)
    response = api_as(alice.user).post(f"{ORDERS}{order.pk}/pickup-code/resend/", {}, format="json")
    assert response.status_code == 409
    assert not Message.objects.filter(template="pickup_code").exists()


def test_the_code_never_shows_in_the_partners_pages_or_api(client, alice, waiting):
    code = pickup_code_of(waiting)
    client.force_login(alice.user)
    for url in ("/partner/", f"/partner/orders/{waiting.pk}/", "/partner/orders/"):
        assert code not in client.get(url).content.decode(), url
    assert code not in api_as(alice.user).get(f"{ORDERS}{waiting.pk}/").content.decode()
    assert code not in api_as(alice.user).get(ORDERS).content.decode()


def test_centre_staff_of_the_county_hand_a_parcel_over_with_a_reason(erin, waiting):
    url = f"/api/v1/centre/orders/{waiting.pk}/hand-over/"
    assert api_as(erin).post(url, {}, format="json").status_code == 400
    response = api_as(erin).post(url, {"reason": "手机丢了，核对了身份证"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "picked_up"
    row = PickupCode.objects.get(order=waiting)
    assert (row.overridden_by, row.override_reason) == (erin, "手机丢了，核对了身份证")
    change = OrderStatusChange.objects.filter(order=waiting).latest("id")
    assert change.to_status == "picked_up" and change.changed_by == erin and "手机丢了" in change.reason


def test_nobody_else_hands_a_parcel_over(alice, carol, frank, waiting):
    url = f"/api/v1/centre/orders/{waiting.pk}/hand-over/"
    body = {"reason": "trust me"}
    assert api_as(alice.user).post(url, body, format="json").status_code == 403
    assert api_as(carol).post(url, body, format="json").status_code == 403
    assert api_as(frank).post(url, body, format="json").status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "at_service_point"


def test_the_admin_hands_a_parcel_over(admin_user, waiting):
    url = f"/api/v1/centre/orders/{waiting.pk}/hand-over/"
    assert api_as(admin_user).post(url, {"reason": "villager in hospital"}, format="json").status_code == 200


# ── the partner's batch ──────────────────────────────────────────────────────


def test_bulk_status_answers_per_order(alice, bob):
    at_centre = [move_to(place_order(alice, villager_phone=f"1391234{i:04d}"), "at_county_centre") for i in range(3)]
    paid = move_to(place_order(alice, villager_phone="13912349999"), "paid")
    bobs = move_to(place_order(bob, villager_phone="13912348888"), "at_county_centre")
    ids = [o.pk for o in at_centre] + [paid.pk, bobs.pk, at_centre[0].pk]
    response = api_as(alice.user).post(
        f"{ORDERS}bulk-status/", {"orders": ids, "status": "at_service_point"}, format="json"
    )
    assert response.status_code == 200
    answer = response.json()
    rows = {row["number"]: row for row in answer["results"]}
    assert len(answer["results"]) == 5  # the repeated id answered once
    assert all(rows[str(o.pk)]["result"] == "moved" for o in at_centre)
    assert rows[str(paid.pk)]["result"] == "illegal" and not rows[str(paid.pk)]["ok"]
    assert rows[str(bobs.pk)] == {
        "order": None,
        "number": str(bobs.pk),
        "ok": False,
        "result": "not_found",
        "order_no": None,
        "status": None,
        "error": "No parcel with this number here.",
    }
    bobs.refresh_from_db()
    assert bobs.status == "at_county_centre"
    assert Message.objects.filter(template="pickup_code").count() == 3


@pytest.mark.parametrize(
    "body",
    [
        {"orders": [1], "status": "picked_up"},
        {"orders": [1], "status": "cancelled"},
        {"orders": [], "status": "at_service_point"},
        {"status": "at_service_point"},
    ],
)
def test_bulk_status_refuses_what_a_batch_cannot_do(alice, body):
    response = api_as(alice.user).post(f"{ORDERS}bulk-status/", body, format="json")
    assert response.status_code == 400


def test_bulk_status_is_for_partners(carol, erin):
    for user in (carol, erin):
        response = api_as(user).post(
            f"{ORDERS}bulk-status/", {"orders": [1], "status": "at_service_point"}, format="json"
        )
        assert response.status_code == 403


def test_the_partner_marks_a_batch_arrived_on_the_home_page(client, alice):
    at_centre = [move_to(place_order(alice, villager_phone=f"1391235{i:04d}"), "at_county_centre") for i in range(2)]
    client.force_login(alice.user)
    client.cookies["django_language"] = "en"
    home = client.get("/partner/").content.decode()
    assert all(o.order_no in home for o in at_centre)
    response = client.post("/partner/orders/arrived/", {"orders": [o.pk for o in at_centre]}, follow=True)
    assert "2 parcels marked arrived" in response.content.decode()
    for order in at_centre:
        order.refresh_from_db()
        assert order.status == "at_service_point"


def test_shipping_records_the_carrier_and_tracking_number(alice):
    order = move_to(place_order(alice, villager_phone="13912347777"), "paid")
    response = api_as(alice.user).post(
        f"{ORDERS}{order.pk}/status/",
        {"status": "shipped", "carrier": "顺丰", "tracking_no": "sf 1234 5678"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["carrier"], response.json()["tracking_no"]) == ("顺丰", "SF12345678")
    bad = api_as(alice.user).post(f"{ORDERS}{order.pk}/tracking/", {"tracking_no": "x!"}, format="json")
    assert bad.status_code == 400 and "tracking_no" in bad.json()
