"""``GET /api/v1/notifications/`` from outside: the fields, the filters, a bad filter
answered 400 with field errors, admins only (partners and county staff 403), paginated."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
FIELDS = {"id", "to", "template", "text", "status", "attempts", "created_at", "sent_at"}


@pytest.fixture
def outbox():
    return {
        "placed": MessageFactory(to="13800138000", template="order_placed"),
        "code": MessageFactory(to="13800138000", template="pickup_code", sent=True),
        "other": MessageFactory(to="13900139000", template="pickup_code", failed=True),
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_an_admin_sees_every_message_newest_first_with_exactly_the_fields(outbox, admin_user):
    response = client_for(admin_user).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [outbox[k].pk for k in ("other", "code", "placed")]
    row = body["results"][1]
    assert set(row) == FIELDS
    code = outbox["code"]
    assert row["to"] == "13800138000" and row["template"] == "pickup_code" and row["text"] == code.text
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None
    assert body["results"][2]["status"] == "queued" and body["results"][2]["sent_at"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("to=13800138000", {"placed", "code"}),
        ("to=%2B86%20138-0013-8000", {"placed", "code"}),
        ("template=pickup_code", {"code", "other"}),
        ("status=failed", {"other"}),
        ("to=13800138000&template=pickup_code&status=sent", {"code"}),
        ("status=queued&template=pickup_code", set()),
        ("status=&template=&to=", {"placed", "code", "other"}),
    ],
)
def test_the_filters(outbox, admin_user, query, expected):
    response = client_for(admin_user).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert ids(response) == {outbox[name].pk for name in expected}


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("to=12345", "to"), ("template=Order%20Placed", "template")],
)
def test_a_bad_filter_is_a_400_with_a_field_error(outbox, admin_user, query, field):
    response = client_for(admin_user).get(f"{URL}?{query}")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {field} and errors[field] and all(isinstance(m, str) for m in errors[field])


def test_partners_and_county_staff_are_refused(outbox, alice, carol):
    for user in (alice.user, carol):
        response = client_for(user).get(URL)
        assert response.status_code == 403
        assert "results" not in response.json()


def test_anonymous_callers_must_authenticate(outbox):
    assert APIClient().get(URL).status_code == 401


def test_the_list_is_paginated(admin_user):
    MessageFactory.create_batch(5)
    first = client_for(admin_user).get(f"{URL}?page_size=2")
    assert first.json()["count"] == 5 and len(first.json()["results"]) == 2 and first.json()["next"]
    assert client_for(admin_user).get(f"{URL}?page=99").status_code == 404


def test_the_list_takes_a_fixed_number_of_queries(admin_user, django_assert_max_num_queries):
    MessageFactory.create_batch(30)
    client = client_for(admin_user)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def test_the_endpoint_is_in_the_openapi_schema(admin_user):
    schema = client_for(admin_user).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/notifications/"]["get"]
    assert operation["operationId"] == "notifications_list"
    assert {p["name"] for p in operation["parameters"]} >= {"to", "template", "status", "page", "page_size"}
    item = schema["components"]["schemas"]["Message"]
    assert set(item["properties"]) == FIELDS
    assert schema["components"]["schemas"]["MessageStatusEnum"]["enum"] == ["queued", "sent", "failed"]
