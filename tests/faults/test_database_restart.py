"""PostgreSQL restarted while the app runs: requests during the restart fail cleanly (503,
no traceback page), later ones succeed, and nothing is half-written."""

import json
import uuid

import pytest

from tests.support.servers import PrivatePostgres, gunicorn, manage, request

pytestmark = pytest.mark.faults

SETUP = """
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from tests.support.factories import CategoryFactory, PartnerFactory
partner = PartnerFactory(active=True, phone="13712345678")
CategoryFactory(slug="appliances")
print(Token.objects.create(user=partner.user).key)
"""

COUNT = """
from orders.models import Order
import json
print(json.dumps({"orders": Order.objects.count(), "without_lines": Order.objects.filter(lines__isnull=True).count()}))
"""


def order(request_id: str) -> dict:
    return {
        "client_request_id": request_id,
        "channel": "assisted_purchase",
        "villager": {"name": "张三", "phone": "13900001111"},
        "lines": [{"product_name": "电视机", "category": "appliances", "quantity": 1, "unit_price": "2999.00"}],
    }


@pytest.fixture
def postgres():
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


def test_requests_during_a_restart_get_503_and_later_ones_succeed(postgres):
    # given: a migrated private database with a partner, and the app serving from it
    manage(postgres.url, "migrate", "--no-input", "-v", "0")
    token = manage(postgres.url, "shell", "-c", SETUP).strip().splitlines()[-1]
    with gunicorn(postgres.url, workers=2) as port:
        created = []
        status, body = request(port, "POST", "/api/v1/orders/", order(str(uuid.uuid4())), token)
        assert status == 201
        created.append(body["id"])

        # when: the database goes down
        postgres.stop()
        during = [request(port, "POST", "/api/v1/orders/", order(str(uuid.uuid4())), token) for _ in range(3)]
        page_status, page = request(port, "GET", "/apply/")  # lists counties: needs the database
        health_status, health = request(port, "GET", "/healthz")

        # then: clean 503s with a message, no traceback; health says the database is down
        assert [s for s, _ in during] == [503, 503, 503]
        assert all("detail" in b for _, b in during)
        assert page_status == 503
        assert b"Traceback" not in page and b"unavailable-message" in page
        assert (health_status, health["database"]) == (503, "down")

        # when: it is back
        postgres.start()
        retried = order(str(uuid.uuid4()))
        after = request(port, "POST", "/api/v1/orders/", retried, token)
        again = request(port, "POST", "/api/v1/orders/", retried, token)

        # then: requests succeed again, idempotently
        assert after[0] == 201 and again[0] == 200 and after[1]["id"] == again[1]["id"]
        assert request(port, "GET", "/healthz")[0] == 200
    counts = json.loads(manage(postgres.url, "shell", "-c", COUNT).strip().splitlines()[-1])
    assert counts == {"orders": 2, "without_lines": 0}
