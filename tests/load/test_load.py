"""Load without loss (short form for CI): gunicorn on PostgreSQL, 50 concurrent clients,
retries and duplicate sends; then 50 clients racing one transition."""

import os

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from orders.models import Order
from tests.support.factories import CategoryFactory, PartnerFactory, VillageFactory
from tests.support.live_database import test_database_url as _database_url
from tests.support.load import create_orders, race_transition
from tests.support.servers import gunicorn, request

pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True)]

CLIENTS = 50
# Any total of at least one order per client; below 350 (7 a client) the duplicate and retry
# intervals shrink to each client's share (tests.support.load.create_orders), never to none.
ORDERS = int(os.environ.get("LOAD_ORDERS", "2000"))


@pytest.fixture
def partners_with_tokens(county_a):
    if connection.vendor != "postgresql":
        pytest.skip("the server shares the test database: PostgreSQL only")
    partners = [
        PartnerFactory(active=True, phone=f"1370000{i:04d}", village=VillageFactory(county=county_a, name=f"负载村{i}"))
        for i in range(CLIENTS)
    ]
    return [(p, Token.objects.create(user=p.user).key) for p in partners]


def test_many_clients_create_each_order_exactly_once(partners_with_tokens):
    category = CategoryFactory(slug="appliances")
    tokens = [token for _, token in partners_with_tokens]
    with gunicorn(
        _database_url(), workers=4, extra_env={"WRITE_THROTTLE_RATE": "100000/min", "READ_THROTTLE_RATE": "100000/min"}
    ) as port:
        # when: 50 clients create ORDERS orders, some sent twice, some retried after a timeout
        result = create_orders(port, tokens, category.slug, total=ORDERS)
        summary = result.summary()
        print("load:", summary)
        # then: duplicates and retries were sent, every send reached the server (no refused
        # or reset connection), no 5xx, every distinct request answered, exactly one order each
        assert summary["duplicates_sent"] > 0 and summary["retries_sent"] > 0, summary
        assert result.errors == [], summary
        assert not [s for s in result.statuses if s >= 500], summary
        assert set(result.statuses) <= {200, 201}, summary
        assert summary["repeats_answered_with_another_order"] == 0
        assert Order.objects.count() == len(result.answered_ids) == ORDERS
        assert Order.objects.values("order_no").distinct().count() == ORDERS
        assert {str(x) for x in Order.objects.values_list("client_request_id", flat=True)} == result.answered_ids

        # when: 50 clients race to move one order to paid
        partner, token = partners_with_tokens[0]
        order = Order.objects.filter(partner=partner).first()
        outcome = race_transition(port, token, order.pk, "paid", clients=CLIENTS)
        print("race:", outcome)
        # then: exactly one wins, the rest get 409
        assert outcome == {200: 1, 409: CLIENTS - 1}
        status, body = request(port, "GET", f"/api/v1/orders/{order.pk}/", token=token)
        assert (status, body["status"]) == (200, "paid")
        assert order.status_changes.filter(to_status="paid").count() == 1


def test_a_total_too_small_for_every_client_is_refused():
    with pytest.raises(ValueError, match="at least one order per client"):
        create_orders(1, ["token"] * CLIENTS, "appliances", total=CLIENTS - 1)
