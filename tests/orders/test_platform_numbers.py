"""Platform (Taobao) order numbers on orders: the service, the pages and the API."""

import re
import threading
import uuid
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import Order, OrderReconciliation, OrderStatus, PlatformOrderNo, Reconciliation
from orders.services import (
    IdempotencyConflict,
    NotTheOrdersPartner,
    PlatformNumbersRefused,
    order_create,
    order_platform_numbers_add,
    order_transition,
    platform_numbers_normalise,
)
from tests.support.orders import move_to, order_payload, place_order

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def numbers_of(order) -> list[str]:
    return list(PlatformOrderNo.objects.filter(order=order).order_by("id").values_list("number", flat=True))


def field_messages(error: ValidationError) -> list[str]:
    return error.message_dict["platform_order_nos"]


# ── Normalising ──────────────────────────────────────────────────────────────


def test_numbers_are_stripped_split_and_deduplicated_in_the_order_given():
    assert platform_numbers_normalise(" 2388001122334455, 2388001122334466\n2388001122334455 ") == (
        "2388001122334455",
        "2388001122334466",
    )
    assert platform_numbers_normalise(["A-123456 B-654321", "  ", "A-123456，C-111111"]) == (
        "A-123456",
        "B-654321",
        "C-111111",
    )
    assert platform_numbers_normalise(None) == ()
    assert platform_numbers_normalise("") == ()


# ── The service ──────────────────────────────────────────────────────────────


def test_the_partner_adds_numbers_each_recorded_once_with_who_and_when(alice, categories):
    order = place_order(alice)
    added = order_platform_numbers_add(
        order=order, numbers="2388001122334455 2388001122334455,2388001122334466", by_user=alice.user
    )
    assert [n.number for n in added] == ["2388001122334455", "2388001122334466"]
    rows = list(PlatformOrderNo.objects.filter(order=order).order_by("id"))
    assert [r.number for r in rows] == ["2388001122334455", "2388001122334466"]
    assert all(r.added_by == alice.user and r.created_at is not None for r in rows)
    # Adding again (and one more) skips those it has.
    again = order_platform_numbers_add(
        order=order, numbers=["2388001122334466", "2388001122334477"], by_user=alice.user
    )
    assert [n.number for n in again] == ["2388001122334477"]
    assert len(numbers_of(order)) == 3


@pytest.mark.parametrize("bad", ["12345", "2388 0011", "订单2388001122", "x" * 41, "2388_001122"])
def test_a_number_not_in_the_platform_format_is_refused(alice, categories, bad):
    order = place_order(alice)
    numbers = [bad] if " " not in bad else bad.split()
    with pytest.raises(ValidationError) as refused:
        order_platform_numbers_add(order=order, numbers=numbers, by_user=alice.user)
    assert any("is not a Taobao order number" in m for m in field_messages(refused.value))
    assert numbers_of(order) == []


def test_nothing_given_is_refused(alice, categories):
    order = place_order(alice)
    with pytest.raises(ValidationError) as refused:
        order_platform_numbers_add(order=order, numbers=" , ", by_user=alice.user)
    assert field_messages(refused.value) == ["Enter at least one Taobao order number."]


def test_a_number_on_another_order_is_refused_and_none_of_the_batch_recorded(alice, bob, categories):
    mine = place_order(alice)
    other = place_order(alice)
    bobs = place_order(bob, villager_phone="13900001111")
    order_platform_numbers_add(order=other, numbers=["2388001122334455"], by_user=alice.user)
    order_platform_numbers_add(order=bobs, numbers=["2388009999999999"], by_user=bob.user)
    with pytest.raises(ValidationError) as refused:
        order_platform_numbers_add(
            order=mine, numbers=["2388001122330000", "2388001122334455", "2388009999999999"], by_user=alice.user
        )
    messages = field_messages(refused.value)
    # The partner's own other order is named; another partner's is not.
    assert f"Taobao order number 2388001122334455 is already recorded on order {other.order_no}." in messages
    assert "Taobao order number 2388009999999999 is already recorded on another order." in messages
    assert bobs.order_no not in " ".join(messages)
    assert numbers_of(mine) == []


def test_a_race_lost_at_the_unique_index_is_a_validation_error(alice, categories):
    order = place_order(alice)
    with (
        mock.patch.object(PlatformOrderNo.objects, "bulk_create", side_effect=IntegrityError("duplicate key")),
        pytest.raises(ValidationError) as refused,
    ):
        order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=alice.user)
    assert "just recorded on another order" in field_messages(refused.value)[0]
    # The transaction is still usable afterwards.
    assert numbers_of(order) == []
    order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=alice.user)
    assert numbers_of(order) == ["2388001122334455"]


@pytest.mark.django_db(transaction=True)
def test_a_race_names_the_number_when_the_winner_committed_first(alice, categories):
    order = place_order(alice)
    winner = place_order(alice)
    real_bulk_create = PlatformOrderNo.objects.bulk_create

    def other_request_commits(number):
        try:
            order_platform_numbers_add(order=winner, numbers=[number], by_user=alice.user)
        finally:
            connection.close()

    def winner_first(rows, *args, **kwargs):
        # The other request commits the same number between our check and our insert.
        with mock.patch.object(PlatformOrderNo.objects, "bulk_create", side_effect=real_bulk_create):
            thread = threading.Thread(target=other_request_commits, args=(rows[0].number,))
            thread.start()
            thread.join()
        return real_bulk_create(rows, *args, **kwargs)

    with (
        mock.patch.object(PlatformOrderNo.objects, "bulk_create", side_effect=winner_first),
        pytest.raises(ValidationError) as refused,
    ):
        order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=alice.user)
    assert field_messages(refused.value) == [
        f"Taobao order number 2388001122334455 is already recorded on order {winner.order_no}."
    ]
    assert numbers_of(winner) == ["2388001122334455"]
    assert numbers_of(order) == []


def test_only_the_orders_partner_or_an_admin_adds(alice, bob, carol, admin_user, categories):
    order = place_order(alice)
    with pytest.raises(NotTheOrdersPartner):
        order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=bob.user)
    with pytest.raises(NotTheOrdersPartner):
        order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=carol)
    with pytest.raises(Order.DoesNotExist):
        order_platform_numbers_add(order=order, partner=bob, numbers=["2388001122334455"], by_user=bob.user)
    order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=admin_user)
    assert PlatformOrderNo.objects.get().added_by == admin_user


def test_a_cancelled_order_takes_no_numbers(alice, categories):
    order = move_to(place_order(alice), OrderStatus.CANCELLED)
    with pytest.raises(PlatformNumbersRefused):
        order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=alice.user)
    assert numbers_of(order) == []


def test_a_returned_order_still_takes_numbers(alice, categories):
    order = move_to(place_order(alice), OrderStatus.RETURNED)
    order_platform_numbers_add(order=order, numbers=["2388001122334455"], by_user=alice.user)
    assert numbers_of(order) == ["2388001122334455"]


def test_an_order_placed_with_numbers_records_them(alice, categories):
    order = place_order(alice, platform_order_nos=["2388001122334455, 2388001122334466"])
    assert numbers_of(order) == ["2388001122334455", "2388001122334466"]


def test_an_order_with_a_bad_or_taken_number_is_not_placed(alice, categories):
    place_order(alice, platform_order_nos=["2388001122334455"])
    with pytest.raises(ValidationError) as refused:
        place_order(alice, platform_order_nos=["2388001122334455", "bad"])
    assert len(field_messages(refused.value)) == 1  # the format first
    with pytest.raises(ValidationError) as refused:
        place_order(alice, platform_order_nos=["2388001122334455"])
    assert "already recorded on order" in field_messages(refused.value)[0]
    assert Order.objects.count() == 1


def test_a_create_race_on_a_number_places_nothing(alice, categories):
    with (
        mock.patch.object(PlatformOrderNo.objects, "bulk_create", side_effect=IntegrityError("duplicate key")),
        pytest.raises(ValidationError),
    ):
        place_order(alice, platform_order_nos=["2388001122334455"])
    assert Order.objects.count() == 0


def test_a_retry_with_the_same_numbers_returns_the_same_order(alice, categories):
    payload = order_payload(platform_order_nos=["2388001122334455"])
    first = order_create(partner=alice, by_user=alice.user, **payload)
    again = order_create(partner=alice, by_user=alice.user, **payload)
    assert first.created and not again.created
    assert again.order.pk == first.order.pk
    assert numbers_of(first.order) == ["2388001122334455"]


def test_a_retry_without_numbers_or_after_more_were_added_is_still_the_same_order(alice, categories):
    payload = order_payload(platform_order_nos=["2388001122334455"])
    first = order_create(partner=alice, by_user=alice.user, **payload)
    order_platform_numbers_add(order=first.order, numbers=["2388001122334466"], by_user=alice.user)
    assert order_create(partner=alice, by_user=alice.user, **payload).order.pk == first.order.pk
    without = {k: v for k, v in payload.items() if k != "platform_order_nos"}
    assert order_create(partner=alice, by_user=alice.user, **without).order.pk == first.order.pk


def test_a_retry_with_other_numbers_is_a_conflict(alice, categories):
    payload = order_payload(platform_order_nos=["2388001122334455"])
    order_create(partner=alice, by_user=alice.user, **payload)
    with pytest.raises(IdempotencyConflict):
        order_create(partner=alice, by_user=alice.user, **{**payload, "platform_order_nos": ["2388001122339999"]})
    assert Order.objects.count() == 1


def test_the_paid_move_records_numbers_in_the_same_transaction(alice, categories):
    order = place_order(alice)
    order_transition(order=order, to_status="paid", by_user=alice.user, platform_order_nos="2388001122334455")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert numbers_of(order) == ["2388001122334455"]


def test_a_taken_number_refuses_the_paid_move_too(alice, categories):
    place_order(alice, platform_order_nos=["2388001122334455"])
    order = place_order(alice)
    with pytest.raises(ValidationError):
        order_transition(order=order, to_status="paid", by_user=alice.user, platform_order_nos=["2388001122334455"])
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert numbers_of(order) == []


def test_numbers_go_with_the_paid_move_only(alice, categories):
    order = place_order(alice)
    with pytest.raises(ValidationError) as refused:
        order_transition(
            order=order, to_status="cancelled", reason="no", by_user=alice.user, platform_order_nos=["2388001122334455"]
        )
    assert "go with the payment" in field_messages(refused.value)[0]
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


# ── Pages ────────────────────────────────────────────────────────────────────


@pytest.fixture
def as_alice(client, alice, categories):
    client.cookies["django_language"] = "en"
    client.force_login(alice.user)
    return client


def new_order_post(client, **fields) -> dict:
    page = client.get(reverse("partner_order_new"), follow=True)
    request_id = re.search(r'name="client_request_id" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "client_request_id": request_id,
        "channel": "assisted_purchase",
        "villager_phone": "13912345678",
        "villager_name": "张大妈",
        "promotion": "",
        "buyer_organisation": "",
        "reference": "",
        "platform_order_nos": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-product_name": "海尔冰箱",
        "lines-0-category": "appliances",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "3999.00",
    }
    data.update(fields)
    return data


def test_the_new_order_form_has_the_optional_numbers_field(as_alice):
    page = as_alice.get(reverse("partner_order_new"), follow=True).content.decode()
    assert 'name="platform_order_nos"' in page
    assert "Taobao order number(s)" in page


def test_the_form_places_the_order_with_its_numbers(as_alice):
    response = as_alice.post(
        reverse("partner_order_new"), new_order_post(as_alice, platform_order_nos="2388001122334455 2388001122334466")
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert numbers_of(order) == ["2388001122334455", "2388001122334466"]


def test_a_bad_number_is_shown_on_the_form_field(as_alice):
    response = as_alice.post(reverse("partner_order_new"), new_order_post(as_alice, platform_order_nos="12"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a Taobao order number" in page
    assert 'value="12"' in page
    assert not Order.objects.exists()


def test_the_order_page_shows_the_numbers_and_the_reconciliation_state(as_alice, alice):
    order = place_order(alice, platform_order_nos=["2388001122334455"])
    OrderReconciliation.objects.create(order=order, state=Reconciliation.AMOUNT_MISMATCH, amount="7000.00")
    page = as_alice.get(reverse("partner_order_detail", args=[order.pk])).content.decode()
    assert "2388001122334455" in page
    assert 'data-state="amount_mismatch"' in page
    assert "Amount mismatch" in page or "amount" in page.lower()
    assert re.search(r'id="platform-amount">[^<]*7,000\.00', page)
    assert 'id="platform-numbers-form"' in page
    assert 'id="id_paid_platform_order_nos"' in page


def test_the_add_form_records_numbers_and_reports_refusals(as_alice, alice):
    order = place_order(alice)
    url = reverse("partner_order_platform_numbers", args=[order.pk])
    response = as_alice.post(url, {"platform_order_nos": "2388001122334455"}, follow=True)
    assert "recorded: 2388001122334455" in response.content.decode()
    assert numbers_of(order) == ["2388001122334455"]
    response = as_alice.post(url, {"platform_order_nos": "bad"}, follow=True)
    assert "is not a Taobao order number" in response.content.decode()


def test_the_add_form_of_another_partners_order_is_404(as_alice, bob, categories):
    bobs = place_order(bob, villager_phone="13900001111")
    response = as_alice.post(
        reverse("partner_order_platform_numbers", args=[bobs.pk]), {"platform_order_nos": "2388001122334455"}
    )
    assert response.status_code == 404
    assert numbers_of(bobs) == []


def test_the_paid_action_on_the_order_page_takes_numbers(as_alice, alice):
    order = place_order(alice)
    as_alice.post(
        reverse("partner_order_transition", args=[order.pk]),
        {"to_status": "paid", "expected_status": "placed", "platform_order_nos": "2388001122334455"},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert numbers_of(order) == ["2388001122334455"]


def test_a_cancelled_order_page_has_no_add_form(as_alice, alice):
    order = move_to(place_order(alice), OrderStatus.CANCELLED)
    page = as_alice.get(reverse("partner_order_detail", args=[order.pk])).content.decode()
    assert 'id="platform-numbers-form"' not in page


# ── API ──────────────────────────────────────────────────────────────────────


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def body(**overrides) -> dict:
    data = {
        "client_request_id": str(uuid.uuid4()),
        "channel": "assisted_purchase",
        "villager": {"name": "张大妈", "phone": "13812345678"},
        "lines": [{"product_name": "海尔冰箱", "category": "appliances", "quantity": 2, "unit_price": "3999.00"}],
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def fresh_throttle():
    from django.core.cache import cache

    cache.clear()


def test_the_order_json_has_its_numbers_and_reconciliation(alice, categories, django_assert_max_num_queries):
    for _ in range(3):
        place_order(alice, platform_order_nos=[f"23880011{uuid.uuid4().int % 10**8:08d}"])
    api = api_as(alice.user)
    with django_assert_max_num_queries(8):  # no query per order
        data = api.get(ORDERS).json()
    assert len(data["results"]) == 3
    for row in data["results"]:
        assert len(row["platform_order_nos"]) == 1
        assert row["reconciliation"] == "unmatched"


def test_create_takes_numbers(alice, categories):
    api = api_as(alice.user)
    response = api.post(ORDERS, body(platform_order_nos=["2388001122334455", "2388001122334466"]), format="json")
    assert response.status_code == 201
    assert response.json()["platform_order_nos"] == ["2388001122334455", "2388001122334466"]
    assert numbers_of(Order.objects.get(pk=response.json()["id"])) == ["2388001122334455", "2388001122334466"]


def test_create_retry_with_numbers_is_idempotent_and_bad_numbers_400(alice, categories):
    api = api_as(alice.user)
    payload = body(platform_order_nos=["2388001122334455"])
    assert api.post(ORDERS, payload, format="json").status_code == 201
    assert api.post(ORDERS, payload, format="json").status_code == 200
    response = api.post(ORDERS, body(platform_order_nos=["bad"]), format="json")
    assert response.status_code == 400
    assert "is not a Taobao order number" in response.json()["platform_order_nos"][0]
    response = api.post(ORDERS, body(platform_order_nos=["2388001122334455"]), format="json")
    assert response.status_code == 400
    assert "already recorded" in response.json()["platform_order_nos"][0]
    response = api.post(ORDERS, body(platform_order_nos="2388001122334455"), format="json")
    assert response.status_code == 400 and "platform_order_nos" in response.json()


def test_the_status_move_to_paid_takes_numbers(alice, categories):
    order = place_order(alice)
    api = api_as(alice.user)
    response = api.post(
        f"{ORDERS}{order.pk}/status/", {"status": "paid", "platform_order_nos": ["2388001122334455"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert response.json()["platform_order_nos"] == ["2388001122334455"]
    other = place_order(alice)
    response = api.post(
        f"{ORDERS}{other.pk}/status/", {"status": "paid", "platform_order_nos": ["2388001122334455"]}, format="json"
    )
    assert response.status_code == 400
    assert "already recorded" in response.json()["platform_order_nos"][0]
    other.refresh_from_db()
    assert other.status == OrderStatus.PLACED


def test_the_add_endpoint(alice, bob, admin_user, carol, categories):
    order = place_order(alice)
    url = f"{ORDERS}{order.pk}/platform-order-nos/"
    api = api_as(alice.user)
    response = api.post(url, {"platform_order_nos": ["2388001122334455"]}, format="json")
    assert response.status_code == 200
    assert response.json()["platform_order_nos"] == ["2388001122334455"]
    response = api.post(url, {"platform_order_nos": ["nope"]}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["platform_order_nos"]
    assert api.post(url, {"platform_order_nos": []}, format="json").status_code == 400
    assert api.post(url, {}, format="json").status_code == 400
    # Another partner's order is outside their scope; county staff read only; admins may add.
    assert api_as(bob.user).post(url, {"platform_order_nos": ["2388001122334466"]}, format="json").status_code == 404
    assert api_as(carol).post(url, {"platform_order_nos": ["2388001122334466"]}, format="json").status_code == 403
    response = api_as(admin_user).post(url, {"platform_order_nos": ["2388001122334466"]}, format="json")
    assert response.status_code == 200
    assert response.json()["platform_order_nos"] == ["2388001122334455", "2388001122334466"]
    assert (
        api.post(
            f"{ORDERS}999999/platform-order-nos/", {"platform_order_nos": ["2388001122334477"]}, format="json"
        ).status_code
        == 404
    )


def test_the_add_endpoint_refuses_a_cancelled_order_with_409(alice, categories):
    order = move_to(place_order(alice), OrderStatus.CANCELLED)
    response = api_as(alice.user).post(
        f"{ORDERS}{order.pk}/platform-order-nos/", {"platform_order_nos": ["2388001122334455"]}, format="json"
    )
    assert response.status_code == 409
