"""Every API endpoint × every member of the cast × own and other's objects → the status
each may get. Adding an endpoint without rows here fails `test_every_endpoint_has_rows`.

Objects: county A (兰考 410225) with alice's order, villager and partner record; county B
(武功 610431) with bob's. carol is staff of A, dave of B.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from integrity.models import Flag
from orders.models import Order
from partners.models import Course, TrainingSession
from tests.support.dates import shanghai
from tests.support.factories import (
    CategoryFactory,
    PartnerFactory,
    PromotionFactory,
    VillageFactory,
    VillagerFactory,
)
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "alice", "bob", "carol", "dave", "admin"]


def order_body():
    return {
        "client_request_id": str(uuid.uuid4()),
        "channel": "assisted_purchase",
        "villager": {"name": "张三", "phone": "13900009999"},
        "promotion": None,
        "lines": [{"product_name": "电饭煲", "category": "appliances", "quantity": 1, "unit_price": "199.00"}],
    }


def partner_body():
    return {"name": "新合伙人", "phone": "13600001234", "village": None}


# (route name, method, path template, body factory, {actor: status})
# {order_a} {order_b} {villager_a} {villager_b} {partner_a} {partner_b} {county_a} {county_b}
MATRIX = [
    (
        "api-token",
        "post",
        "/api/v1/auth/token/",
        lambda: {"username": "nobody", "password": "x"},
        dict.fromkeys(ACTORS, 400),
    ),
    (
        "api-logout-others",
        "post",
        "/api/v1/auth/logout-others/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-order-list",
        "get",
        "/api/v1/orders/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-order-list",
        "post",
        "/api/v1/orders/",
        order_body,
        {"anonymous": 401, "alice": 201, "bob": 201, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-order-detail",
        "get",
        "/api/v1/orders/{order_a}/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 404, "carol": 200, "dave": 404, "admin": 200},
    ),
    (
        "api-order-detail",
        "get",
        "/api/v1/orders/{order_b}/",
        None,
        {"anonymous": 401, "alice": 404, "bob": 200, "carol": 404, "dave": 200, "admin": 200},
    ),
    (
        "api-order-change-status",
        "post",
        "/api/v1/orders/{order_a}/status/",
        lambda: {"status": "paid"},
        {"anonymous": 401, "alice": 200, "bob": 404, "carol": 403, "dave": 404, "admin": 403},
    ),
    (
        "api-order-change-status",
        "post",
        "/api/v1/orders/{order_b}/status/",
        lambda: {"status": "paid"},
        {"anonymous": 401, "alice": 404, "bob": 200, "carol": 404, "dave": 403, "admin": 403},
    ),
    # The order's own partner (or an admin) records its Taobao numbers; county staff read only.
    (
        "api-order-add-platform-order-nos",
        "post",
        "/api/v1/orders/{order_a}/platform-order-nos/",
        lambda: {"platform_order_nos": ["2388001122334455"]},
        {"anonymous": 401, "alice": 200, "bob": 404, "carol": 403, "dave": 404, "admin": 200},
    ),
    (
        "api-order-add-platform-order-nos",
        "post",
        "/api/v1/orders/{order_b}/platform-order-nos/",
        lambda: {"platform_order_nos": ["2388001122334455"]},
        {"anonymous": 401, "alice": 404, "bob": 200, "carol": 404, "dave": 403, "admin": 200},
    ),
    # The platform's order export: admins only (no file → 400 with the field error).
    (
        "api-platform-orders-import",
        "post",
        "/api/v1/platform-orders/import/",
        lambda: {"dry_run": "true"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    # Admins and county staff (their counties) see the reconciliation list; partners do not.
    (
        "api-reconciliation",
        "get",
        "/api/v1/reconciliation/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-reconciliation",
        "get",
        "/api/v1/reconciliation/?county={county_a}&state=unmatched&month=2026-10",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 404, "admin": 200},
    ),
    (
        "api-category-list",
        "get",
        "/api/v1/categories/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-promotion-list",
        "get",
        "/api/v1/promotions/?active=true",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-villager-list",
        "get",
        "/api/v1/villagers/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-villager-detail",
        "get",
        "/api/v1/villagers/{villager_a}/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 404, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-partner-list",
        "get",
        "/api/v1/partners/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-partner-list",
        "post",
        "/api/v1/partners/",
        partner_body,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 201},
    ),
    (
        "api-partner-detail",
        "get",
        "/api/v1/partners/{partner_a}/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        # A whole record: alice's own, moved to nobody's new values; the village is hers.
        "api-partner-detail",
        "put",
        "/api/v1/partners/{partner_a}/",
        lambda: {
            "name": "王爱丽",
            "phone": "13600005678",
            "village": None,
            "service_point_address": "村委会旁",
            "previous_occupation": "村医",
            "motivation": "",
        },
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-partner-detail",
        "put",
        "/api/v1/partners/{partner_b}/",
        lambda: {"name": ""},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    (
        "api-partner-detail",
        "patch",
        "/api/v1/partners/{partner_b}/",
        lambda: {"previous_occupation": "村医"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-partner-change-status",
        "post",
        "/api/v1/partners/{partner_a}/status/",
        lambda: {"status": "suspended", "reason": "test"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    # The endings of issue 17 (a partner of county A in training): with a reason, and without (400).
    (
        "api-partner-change-status",
        "post",
        "/api/v1/partners/{trainee_a}/status/",
        lambda: {"status": "failed", "reason": "两门课不及格"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-partner-change-status",
        "post",
        "/api/v1/partners/{trainee_a}/status/",
        lambda: {"status": "withdrawn", "reason": "外出打工"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-partner-change-status",
        "post",
        "/api/v1/partners/{trainee_a}/status/",
        lambda: {"status": "withdrawn"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    (
        "api-partner-import-file",
        "post",
        "/api/v1/partners/import/",
        lambda: {"dry_run": "true"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    (
        "api-partner-me",
        "get",
        "/api/v1/partners/me/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-partner-me-income",
        "get",
        "/api/v1/partners/me/income/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-partner-me-statements",
        "get",
        "/api/v1/partners/me/statements/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        # A statement that does not exist: a partner is answered on the field, nobody else gets in.
        "api-partner-me-disputes",
        "post",
        "/api/v1/partners/me/disputes/",
        lambda: {"statement": 999999, "message": "佣金少算了"},
        {"anonymous": 401, "alice": 400, "bob": 400, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-partner-me-disputes",
        "get",
        "/api/v1/partners/me/disputes/",
        None,
        {"anonymous": 401, "alice": 200, "bob": 200, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-disputes",
        "get",
        "/api/v1/disputes/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-dispute-resolve",
        "post",
        "/api/v1/disputes/999999/resolve/",
        lambda: {"decision": "reject", "reason": "x"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 404},
    ),
    (
        "api-county-list",
        "get",
        "/api/v1/counties/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-county-dashboard",
        "get",
        "/api/v1/counties/{county_a}/dashboard/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 404, "admin": 200},
    ),
    (
        "api-county-dashboard",
        "get",
        "/api/v1/counties/{county_b}/dashboard/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 404, "dave": 200, "admin": 200},
    ),
    (
        "api-county-villages",
        "get",
        "/api/v1/counties/{county_a}/villages/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 404, "admin": 200},
    ),
    # County staff get the ranking of the counties they may see.
    (
        "api-billion-yuan-ranking",
        "get",
        "/api/v1/rankings/billion-yuan/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 200, "admin": 200},
    ),
    # Statements and payouts: admins only; the payout account: the partner's own.
    (
        "api-statements",
        "get",
        "/api/v1/statements/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-statement-approve",
        "post",
        "/api/v1/statements/999999/approve/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 404},
    ),
    (
        "api-payouts",
        "get",
        "/api/v1/payouts/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    (
        "api-payouts",
        "post",
        "/api/v1/payouts/",
        lambda: {"statements": [999999]},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    (
        "api-payout-detail",
        "get",
        "/api/v1/payouts/999999/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 404},
    ),
    (
        "api-payout-transfer-file",
        "get",
        "/api/v1/payouts/999999/transfer-file/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 404},
    ),
    (
        "api-payout-paid",
        "post",
        "/api/v1/payouts/999999/paid/",
        lambda: {"reference": "X", "paid_on": "2025-02-10"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 404},
    ),
    (
        "api-payout-results",
        "post",
        "/api/v1/payouts/999999/results/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 404},
    ),
    (
        "api-partner-me-payout-account",
        "get",
        "/api/v1/partners/me/payout-account/",
        None,
        {"anonymous": 401, "alice": 404, "bob": 404, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-partner-me-payout-account",
        "put",
        "/api/v1/partners/me/payout-account/",
        lambda: {"holder_name": "王", "kind": "alipay", "account": "13800001111", "password": "wrong"},
        {"anonymous": 401, "alice": 400, "bob": 400, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-flags",
        "get",
        "/api/v1/flags/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-flag-detail",
        "get",
        "/api/v1/flags/{flag_a}/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 404, "admin": 200},
    ),
    (
        "api-flag-review",
        "post",
        "/api/v1/flags/{flag_a}/review/",
        lambda: {"decision": "clear", "reason": "checked with the villager"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 404, "admin": 200},
    ),
    (
        "api-flag-review",
        "post",
        "/api/v1/flags/{flag_b}/review/",
        lambda: {"decision": "confirm", "reason": ""},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 404, "dave": 400, "admin": 400},
    ),
    (
        "api-notifications",
        "get",
        "/api/v1/notifications/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    # Parcels: the partner's own moves; the county centre's endpoints (no centre staff
    # among the actors: partners and county staff 403, the admin gets in).
    (
        "api-order-set-tracking",
        "post",
        "/api/v1/orders/{order_a}/tracking/",
        lambda: {"tracking_no": "x"},
        {"anonymous": 401, "alice": 400, "bob": 404, "carol": 403, "dave": 404, "admin": 403},
    ),
    (
        "api-order-resend-pickup-code",
        "post",
        "/api/v1/orders/{order_a}/pickup-code/resend/",
        None,
        {"anonymous": 401, "alice": 409, "bob": 404, "carol": 403, "dave": 404, "admin": 403},
    ),
    (
        "api-order-bulk-status",
        "post",
        "/api/v1/orders/bulk-status/",
        lambda: {"orders": [1], "status": "picked_up"},
        {"anonymous": 401, "alice": 400, "bob": 400, "carol": 403, "dave": 403, "admin": 403},
    ),
    (
        "api-centre-receive",
        "post",
        "/api/v1/centre/receive/",
        lambda: {"numbers": []},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    (
        "api-centre-dispatch",
        "post",
        "/api/v1/centre/dispatch/",
        lambda: {},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    (
        "api-centre-hand-over",
        "post",
        "/api/v1/centre/orders/{order_a}/hand-over/",
        lambda: {},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    # Cohort activation (admins): an empty body is a 400, an unknown job a 404.
    (
        "api-partners-activate",
        "post",
        "/api/v1/partners/activate/",
        lambda: {},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 400},
    ),
    (
        "api-job",
        "get",
        "/api/v1/jobs/999999/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 404},
    ),
    # Training: admins and county staff (another county's session 404).
    (
        "api-training-sessions",
        "get",
        "/api/v1/training/sessions/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 200, "admin": 200},
    ),
    (
        "api-training-sessions",
        "post",
        "/api/v1/training/sessions/",
        lambda: {},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 400, "dave": 400, "admin": 400},
    ),
    (
        "api-training-results",
        "post",
        "/api/v1/training/sessions/{session_b}/results/",
        lambda: [],
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 404, "dave": 400, "admin": 400},
    ),
    # Partner figures (issue 17, items 5 and 6): admins and the partner's county staff (another
    # county's partner 404, partners 403); the partner ranking is for admins.
    (
        "api-partner-performance",
        "get",
        "/api/v1/partners/{partner_a}/performance/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 404, "admin": 200},
    ),
    (
        "api-partner-performance",
        "get",
        "/api/v1/partners/{partner_b}/performance/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 404, "dave": 200, "admin": 200},
    ),
    (
        "api-partner-target",
        "put",
        "/api/v1/partners/{partner_a}/targets/2025-07/",
        lambda: {"sales_target": "30000.00"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 200, "dave": 404, "admin": 200},
    ),
    (
        "api-partner-target",
        "put",
        "/api/v1/partners/{partner_b}/targets/2025-07/",
        lambda: {"sales_target": "0"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 404, "dave": 400, "admin": 400},
    ),
    # Replacing a partner (issue 17, item 4): admins and the partner's county staff (another
    # county's partner 404, partners 403); a body without a successor is a 400 and changes nothing.
    (
        "api-partner-replace",
        "post",
        "/api/v1/partners/{partner_a}/replace/",
        lambda: {"reason": "搬家"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 400, "dave": 404, "admin": 400},
    ),
    (
        "api-partner-replace",
        "post",
        "/api/v1/partners/{partner_b}/replace/",
        lambda: {"successor": "x"},
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 404, "dave": 400, "admin": 400},
    ),
    (
        "api-partner-ranking",
        "get",
        "/api/v1/rankings/partners/",
        None,
        {"anonymous": 401, "alice": 403, "bob": 403, "carol": 403, "dave": 403, "admin": 200},
    ),
    # A login in production (the tests run with DEBUG off); open with DEBUG on (tests/site/test_unused_doors.py).
    ("api-schema", "get", "/api/schema/", None, {**dict.fromkeys(ACTORS, 200), "anonymous": 401}),
    ("api-docs", "get", "/api/docs/", None, {**dict.fromkeys(ACTORS, 200), "anonymous": 401}),
]


@pytest.fixture
def objects(alice, bob, carol, dave, admin_user, county_a, county_b):
    CategoryFactory(slug="appliances")
    PromotionFactory(name="11.11", code="1111-matrix", starts_on=dt.date.today(), ends_on=dt.date.today())
    va = VillagerFactory(partner=alice, phone="13911110000")
    vb = VillagerFactory(partner=bob, phone="13922220000")
    cat = CategoryFactory(slug="phones")
    placed = shanghai(dt.date.today(), 9)
    order_a = make_order(partner=alice, villager=va, lines=[(cat, 1, Decimal("10.00"))], placed_at=placed)
    order_b = make_order(partner=bob, villager=vb, lines=[(cat, 1, Decimal("10.00"))], placed_at=placed)
    assert Order.objects.get(pk=order_a.pk).status == "placed"
    flag_a = Flag.objects.create(
        order=order_a,
        county_id=order_a.county_id,
        partner=alice,
        rule="bulk_quantity",
        severity="medium",
        day=dt.date.today(),
        evidence={"quantity": 60, "product": "x", "limit": 50},
    )
    flag_b = Flag.objects.create(
        order=order_b,
        county_id=order_b.county_id,
        partner=bob,
        rule="too_fast",
        severity="medium",
        day=dt.date.today(),
        evidence={"hours": "1.0", "limit": "24"},
    )
    course = Course.objects.create(name="合伙人基础", hours=8)
    session_b = TrainingSession.objects.create(course=course, county=county_b, date=dt.date.today(), trainer="王老师")
    users = {"anonymous": None, "alice": alice.user, "bob": bob.user, "carol": carol, "dave": dave, "admin": admin_user}
    ids = {
        "order_a": order_a.pk,
        "order_b": order_b.pk,
        "villager_a": va.pk,
        "villager_b": vb.pk,
        "partner_a": alice.pk,
        "partner_b": bob.pk,
        "county_a": county_a.code,
        "county_b": county_b.code,
        "flag_a": flag_a.pk,
        "flag_b": flag_b.pk,
        "session_b": session_b.pk,
        "trainee_a": PartnerFactory(status="training", village=VillageFactory(county=county_a)).pk,
    }
    return users, ids, {"village": alice.village_id}


CASES = [(row, actor) for row in MATRIX for actor in ACTORS]


@pytest.mark.parametrize(("row", "actor"), CASES, ids=[f"{r[1]} {r[2]} as {a}" for r, a in CASES])
def test_permission_matrix(objects, row, actor):
    users, ids, extra = objects
    _, method, template, body, expected = row
    client = APIClient()
    if users[actor] is not None:
        client.force_authenticate(users[actor])
    data = body() if body else None
    if isinstance(data, dict) and "village" in data and data["village"] is None:
        data["village"] = extra["village"]
    fmt = "multipart" if template.endswith("/import/") else "json"
    response = getattr(client, method)(template.format(**ids), data, format=fmt)
    assert response.status_code == expected[actor], getattr(response, "data", None)


# Methods every view answers by itself (OPTIONS describes the endpoint, HEAD is GET).
IMPLICIT_METHODS = {"options", "head"}


def _view_methods(callback) -> set[str]:
    """The HTTP methods a resolved API view answers: a viewset's action map, or the
    handlers an APIView class defines."""
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions) - IMPLICIT_METHODS
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    assert view_class is not None, callback
    return {m for m in view_class.http_method_names if hasattr(view_class, m)} - IMPLICIT_METHODS


def _api_routes() -> set[tuple[str, str]]:
    """(route name, method) for every method of every named API route."""

    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name and p.name.startswith("api-"):
                for method in _view_methods(p.callback):
                    yield p.name, method

    return set(walk(get_resolver().url_patterns))


def test_every_endpoint_has_rows():
    """Coverage per (route, method): a route with GET rows but no PUT rows is not covered."""
    covered = {(row[0], row[1]) for row in MATRIX}
    assert _api_routes() - covered == set(), "add rows for these routes and methods to MATRIX"
    assert covered - _api_routes() == set(), "rows for methods the route does not answer"
