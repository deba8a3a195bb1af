"""The county centre from outside: receive and dispatch through the API and the pages —
the per-number reports for good, unknown, illegal and repeated numbers, another county's
parcels answering as unknown, the status history, the pickup codes texted on dispatch —
and who may use it (centre staff of the county and admins; partners and county staff 403)."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.models import Message
from orders.models import OrderStatus, OrderStatusChange, PickupCode
from tests.support.factories import PartnerFactory, VillageFactory
from tests.support.orders import move_to, place_order

pytestmark = pytest.mark.django_db

RECEIVE, DISPATCH = "/api/v1/centre/receive/", "/api/v1/centre/dispatch/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


def shipped(partner, n: int, *, tracking_prefix: str = "SF") -> list:
    """n orders of ``partner`` shipped, each with a waybill number."""
    orders = []
    for i in range(n):
        order = move_to(place_order(partner, villager_phone=f"139{partner.pk % 10000:04d}{i:04d}"), OrderStatus.PAID)
        from orders.services import order_transition

        order = order_transition(
            order_id=order.pk,
            to_status=OrderStatus.SHIPPED,
            by_user=partner.user,
            carrier="顺丰",
            tracking_no=f"{tracking_prefix}{partner.pk:04d}{i:06d}",
        )
        orders.append(order)
    return orders


@pytest.fixture
def parcels(alice, bob):
    return {"a": shipped(alice, 3), "b": shipped(bob, 1, tracking_prefix="YT")}


def by_number(answer) -> dict:
    return {row["number"]: row for row in answer["results"]}


def test_receive_reports_each_number_and_moves_the_shipped_ones(erin, alice, parcels):
    a1, a2, a3 = parcels["a"]
    paid_only = move_to(place_order(alice, villager_phone="13900001111"), OrderStatus.PAID)
    other_county = parcels["b"][0]
    numbers = [
        a1.tracking_no,
        a2.order_no.lower(),
        paid_only.order_no,
        "NOSUCH123",
        other_county.tracking_no,
        a1.tracking_no,
    ]
    response = api_as(erin).post(RECEIVE, {"numbers": numbers}, format="json")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["moved"], answer["already"], answer["not_found"], answer["illegal"]) == (2, 0, 2, 1)
    rows = by_number(answer)
    assert list(rows) == [a1.tracking_no, a2.order_no, paid_only.order_no, "NOSUCH123", other_county.tracking_no]
    assert rows[a1.tracking_no]["result"] == "moved"
    assert rows[a1.tracking_no]["order"] == a1.pk and rows[a1.tracking_no]["status"] == "at_county_centre"
    assert rows[a2.order_no]["ok"] is True
    assert rows[paid_only.order_no]["result"] == "illegal" and "Paid" in rows[paid_only.order_no]["error"]
    # another county's parcel answers exactly as an unknown number
    assert rows[other_county.tracking_no] | {"number": "NOSUCH123"} == rows["NOSUCH123"]
    a1.refresh_from_db(), a2.refresh_from_db(), a3.refresh_from_db(), other_county.refresh_from_db()
    assert (a1.status, a2.status, a3.status, other_county.status) == (
        "at_county_centre",
        "at_county_centre",
        "shipped",
        "shipped",
    )
    assert a1.at_county_centre_at is not None
    change = OrderStatusChange.objects.filter(order=a1).latest("id")
    assert (change.from_status, change.to_status, change.changed_by) == ("shipped", "at_county_centre", erin)
    # receiving again: already there, nothing written twice
    again = api_as(erin).post(RECEIVE, {"numbers": [a1.tracking_no]}, format="json").json()
    assert again["results"][0]["result"] == "already" and again["moved"] == 0
    assert OrderStatusChange.objects.filter(order=a1, to_status="at_county_centre").count() == 1


def test_receive_finds_a_platform_orders_own_tracking_number(erin, alice):
    from orders.models import PlatformOrderNo

    order = move_to(place_order(alice, villager_phone="13900002222", platform_order_nos=["TB20261111001"]), "shipped")
    PlatformOrderNo.objects.filter(order=order).update(tracking_no="ZTO7788990011", carrier="中通")
    answer = api_as(erin).post(RECEIVE, {"numbers": ["zto7788990011"]}, format="json").json()
    assert (answer["results"][0]["order"], answer["results"][0]["result"]) == (order.pk, "moved")


@pytest.mark.parametrize("body", [{}, {"numbers": []}, {"numbers": "SF1"}, {"numbers": [None]}])
def test_receive_needs_a_list_of_numbers(erin, body):
    response = api_as(erin).post(RECEIVE, body, format="json")
    assert response.status_code == 400
    assert "numbers" in response.json()


def test_dispatch_a_run_moves_the_points_parcels_and_texts_each_villager_a_code(erin, alice, county_a, parcels):
    a1, a2, a3 = parcels["a"]
    neighbour = PartnerFactory(active=True, village=VillageFactory(county=county_a, name="李庄村"))
    (n1,) = shipped(neighbour, 1, tracking_prefix="JD")
    api_as(erin).post(RECEIVE, {"numbers": [a1.tracking_no, a2.tracking_no, n1.tracking_no]}, format="json")
    Message.objects.all().delete()
    response = api_as(erin).post(DISPATCH, {"service_points": [alice.service_point_id]}, format="json")
    assert response.status_code == 200
    answer = response.json()
    assert (answer["moved"], answer["not_found"], answer["illegal"]) == (2, 0, 0)
    assert {row["order"] for row in answer["results"]} == {a1.pk, a2.pk}
    for order in (a1, a2):
        order.refresh_from_db()
        assert order.status == "at_service_point"
    n1.refresh_from_db()
    a3.refresh_from_db()
    assert (n1.status, a3.status) == ("at_county_centre", "shipped")
    # one SMS per villager with a 6-digit code and the service point's address, within one segment
    texts = {m.to: m.text for m in Message.objects.filter(template="pickup_code")}
    assert set(texts) == {a1.villager.phone, a2.villager.phone}
    for order in (a1, a2):
        text = texts[order.villager.phone]
        assert re.search(r"取件码\d{6}", text) and order.order_no in text and len(text) <= 70
        assert alice.service_point.address[:4] in text
    # the code is kept only as a hash
    code = re.search(r"取件码(\d{6})", texts[a1.villager.phone]).group(1)
    assert code not in PickupCode.objects.get(order=a1).code_hash


@pytest.mark.parametrize("calls", [(RECEIVE, "numbers"), (DISPATCH, "orders")])
def test_receive_and_dispatch_take_no_more_queries_for_6_parcels_than_for_2(
    erin, alice, calls, django_assert_max_num_queries
):
    # given 2 and then 6 parcels
    url, key = calls
    counts = []
    for n in (2, 6):
        orders = shipped(alice, n, tracking_prefix=f"Q{n}")
        if url == DISPATCH:
            api_as(erin).post(RECEIVE, {"numbers": [o.tracking_no for o in orders]}, format="json")
        body = {key: [o.tracking_no if key == "numbers" else o.pk for o in orders]}
        # when centre staff move them in one call
        with CaptureQueriesContext(connection) as queries:
            answer = api_as(erin).post(url, body, format="json").json()
        assert answer["moved"] == n
        counts.append(len(queries))
    # then the call costs no query per parcel (the first call reads what later ones reuse)
    assert counts[1] <= counts[0], counts
    # and dispatch queued each villager's code in the same call
    if url == DISPATCH:
        assert Message.objects.filter(template="pickup_code").count() == 8


def test_dispatch_by_orders_reports_the_ones_not_at_the_centre(erin, parcels, bob):
    a1, a2, _a3 = parcels["a"]
    api_as(erin).post(RECEIVE, {"numbers": [a1.tracking_no]}, format="json")
    other = parcels["b"][0]
    answer = api_as(erin).post(DISPATCH, {"orders": [a1.pk, a2.pk, other.pk, 999999]}, format="json").json()
    rows = {row["number"]: row for row in answer["results"]}
    assert rows[str(a1.pk)]["result"] == "moved"
    assert rows[str(a2.pk)]["result"] == "illegal"
    assert rows[str(other.pk)]["result"] == "not_found" and rows["999999"]["result"] == "not_found"


@pytest.mark.parametrize("body", [{}, {"service_points": [1], "orders": [1]}, {"orders": ["x"]}])
def test_dispatch_needs_either_service_points_or_orders(erin, body):
    response = api_as(erin).post(DISPATCH, body, format="json")
    assert response.status_code == 400


def test_partners_and_county_staff_may_not_use_the_centre(alice, carol, erin, parcels):
    number = parcels["a"][0].tracking_no
    for user in (alice.user, carol):
        for url, body in ((RECEIVE, {"numbers": [number]}), (DISPATCH, {"orders": [parcels["a"][0].pk]})):
            response = api_as(user).post(url, body, format="json")
            assert response.status_code == 403, (user, url)
            assert "centre" in response.json()["detail"]
    parcels["a"][0].refresh_from_db()
    assert parcels["a"][0].status == "shipped"


def test_the_admin_moves_parcels_of_every_county(admin_user, parcels):
    numbers = [parcels["a"][0].tracking_no, parcels["b"][0].tracking_no]
    answer = api_as(admin_user).post(RECEIVE, {"numbers": numbers}, format="json").json()
    assert answer["moved"] == 2


def test_centre_staff_of_another_county_see_nothing_of_it(frank, parcels):
    a1 = parcels["a"][0]
    answer = api_as(frank).post(RECEIVE, {"numbers": [a1.tracking_no, a1.order_no]}, format="json").json()
    assert answer["not_found"] == 2
    a1.refresh_from_db()
    assert a1.status == "shipped"


# ── the pages ────────────────────────────────────────────────────────────────


def page_client(client, user):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_the_workspace_receives_a_pasted_list_and_reports_the_problems(client, erin, parcels):
    a1, a2, a3 = parcels["a"]
    c = page_client(client, erin)
    home = c.get("/centre/").content.decode()
    assert 'id="kpi-expected">3<' in home
    pasted = f"{a1.tracking_no}\n  {a2.order_no}  \n\nBAD-NUMBER-1\n{a1.tracking_no}"
    response = c.post("/centre/receive/", {"numbers": pasted})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 parcels moved" in html and "1 not found" in html
    assert 'data-number="BAD-NUMBER-1"' in html
    assert 'id="kpi-at-centre">2<' in html and 'id="kpi-expected">1<' in html
    # a run to alice's service point from the checkbox list
    assert f'value="{a1.village.service_point.pk}"' in html
    dispatched = c.post("/centre/dispatch/", {"service_points": [a1.village.service_point.pk]}).content.decode()
    assert "2 parcels moved" in dispatched and 'id="kpi-at-service-points">2<' in dispatched


def test_the_workspace_refuses_an_empty_list_in_the_pages_language(client, erin):
    c = page_client(client, erin)
    c.cookies["django_language"] = "zh-hans"
    response = c.post("/centre/receive/", {"numbers": "  \n "})
    assert response.status_code == 400
    assert "此项为必填项" in response.content.decode()


def test_the_workspace_is_for_centre_staff_and_admins(client, alice, carol, erin, admin_user):
    assert page_client(client, erin).get("/centre/").status_code == 200
    assert page_client(client, admin_user).get("/centre/").status_code == 200
    for user in (carol, alice.user):
        assert page_client(client, user).get("/centre/").status_code == 403
    # and centre staff have no money dashboards
    assert page_client(client, erin).get("/dashboard/").status_code == 403


def test_add_county_staff_role_centre(county_a, capsys):
    call_command("add_county_staff", "gina", "--county", county_a.code, "--role", "centre", "--password", "pw-123456")
    from django.contrib.auth.models import User

    user = User.objects.get(username="gina")
    assert set(user.groups.values_list("name", flat=True)) == {"county_centre"}
    assert list(user.county_assignments.values_list("county__code", flat=True)) == [county_a.code]
    assert "role centre" in capsys.readouterr().out
    # back to plain county staff: one role at a time, the counties stay
    call_command("add_county_staff", "gina", "--county", county_a.code)
    assert set(user.groups.values_list("name", flat=True)) == {"county_staff"}
