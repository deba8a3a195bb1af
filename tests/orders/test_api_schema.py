"""The orders endpoints answer what the OpenAPI schema says, on success and on error."""

import copy
import uuid

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.support.orders import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def _to_json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(node, dict):
        node = {k: _to_json_schema(v) for k, v in node.items()}
        if node.pop("nullable", False):
            return {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_to_json_schema(v) for v in node]
    return node


def check(openapi, path: str, method: str, response) -> None:
    operation = openapi["paths"][path][method]
    declared = operation["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    document = _to_json_schema(copy.deepcopy(openapi))
    jsonschema.validate(
        response.json(),
        {**_to_json_schema(copy.deepcopy(schema)), "components": document["components"]},
    )


def test_the_orders_endpoints_are_in_the_schema(openapi):
    paths = openapi["paths"]
    assert set(paths["/api/v1/orders/"]) == {"get", "post"}
    assert set(paths["/api/v1/orders/{id}/status/"]) == {"post"}
    post = paths["/api/v1/orders/"]["post"]["responses"]
    assert {"200", "201", "400", "409"} <= set(post)
    params = {p["name"] for p in paths["/api/v1/orders/"]["get"]["parameters"]}
    assert params >= {"status", "channel", "created_after", "created_before", "villager_phone", "ordering", "page"}


def test_responses_match_the_schema(openapi, alice, carol, categories):
    client = APIClient()
    client.force_authenticate(alice.user)
    payload = {
        "client_request_id": str(uuid.uuid4()),
        "channel": "assisted_purchase",
        "villager": {"name": "张大妈", "phone": "13812345678"},
        "lines": [{"product_name": "冰箱", "category": "appliances", "quantity": 2, "unit_price": "3999.00"}],
    }
    created = client.post("/api/v1/orders/", payload, format="json")
    check(openapi, "/api/v1/orders/", "post", created)
    check(openapi, "/api/v1/orders/", "post", client.post("/api/v1/orders/", payload, format="json"))
    check(
        openapi, "/api/v1/orders/", "post", client.post("/api/v1/orders/", {**payload, "reference": "x"}, format="json")
    )
    bad = {**payload, "client_request_id": str(uuid.uuid4())}
    for lines in ([], [{"quantity": 0}], [{**payload["lines"][0], "category": "nope"}], "x"):
        response = client.post("/api/v1/orders/", {**bad, "lines": lines}, format="json")
        assert response.status_code == 400
        check(openapi, "/api/v1/orders/", "post", response)
    order_id = created.json()["id"]
    check(openapi, "/api/v1/orders/", "get", client.get("/api/v1/orders/"))
    check(openapi, "/api/v1/orders/{id}/", "get", client.get(f"/api/v1/orders/{order_id}/"))
    status_path = "/api/v1/orders/{id}/status/"
    check(
        openapi,
        status_path,
        "post",
        client.post(f"/api/v1/orders/{order_id}/status/", {"status": "paid"}, format="json"),
    )
    check(
        openapi,
        status_path,
        "post",
        client.post(f"/api/v1/orders/{order_id}/status/", {"status": "paid"}, format="json"),
    )
    check(
        openapi,
        status_path,
        "post",
        client.post(f"/api/v1/orders/{order_id}/status/", {"status": "cancelled"}, format="json"),
    )
    check(openapi, "/api/v1/categories/", "get", client.get("/api/v1/categories/"))
    check(openapi, "/api/v1/promotions/", "get", client.get("/api/v1/promotions/?active=true"))
    check(openapi, "/api/v1/villagers/", "get", client.get("/api/v1/villagers/"))
    staff = APIClient()
    staff.force_authenticate(carol)
    place_order(alice)
    check(openapi, "/api/v1/orders/", "get", staff.get("/api/v1/orders/"))
    check(
        openapi,
        status_path,
        "post",
        staff.post(f"/api/v1/orders/{order_id}/status/", {"status": "shipped"}, format="json"),
    )
