"""Redis stopped: order entry keeps working, /healthz says degraded, and the nightly run
catches up on the missed days once Redis is back."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from celery.result import EagerResult
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from analytics.dirty_days import mark_days_dirty
from analytics.models import CountyDay, RollupDirtyDay
from analytics.tasks import run_nightly_rollups_task
from orders.models import Order
from tests.support.celery_broker import real_broker
from tests.support.dates import shanghai
from tests.support.live_database import test_database_url as _database_url
from tests.support.orders import make_order
from tests.support.servers import PrivateRedis, gunicorn, request, start_rollups_worker

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_orders_keep_flowing_without_redis_and_the_nightly_run_catches_up(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the server shares the test database: PostgreSQL only")
    alice = world["partners"][0]
    token = Token.objects.create(user=alice.user).key
    redis = PrivateRedis()
    redis.start()
    try:
        with gunicorn(_database_url(), workers=2, extra_env={"CELERY_BROKER_URL": redis.url}) as port:
            assert request(port, "GET", "/healthz")[1] == {"status": "ok", "database": "ok", "broker": "ok"}
            # when: Redis stops
            redis.stop()
            body = {
                "client_request_id": str(uuid.uuid4()),
                "channel": "assisted_purchase",
                "villager": {"name": "王五", "phone": "13900002222"},
                "lines": [
                    {
                        "product_name": "化肥",
                        "category": world["categories"][0].slug,
                        "quantity": 10,
                        "unit_price": "120.00",
                    }
                ],
            }
            created = request(port, "POST", "/api/v1/orders/", body, token)
            paid = request(port, "POST", f"/api/v1/orders/{created[1]['id']}/status/", {"status": "paid"}, token)
            health = request(port, "GET", "/healthz")
            # then: orders are taken and moved; health says degraded, not down
            assert created[0] == 201 and paid[0] == 200 and paid[1]["status"] == "paid"
            assert health == (200, {"status": "degraded", "database": "ok", "broker": "down"})
    finally:
        redis.stop()
    assert Order.objects.filter(pk=created[1]["id"], status="paid").exists()

    # given: yesterday's payments were made during the outage and the nightly run never ran
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    make_order(
        partner=alice,
        villager=world["villagers"][0],
        lines=[(world["categories"][0], 2, Decimal("500.00"))],
        paid_at=shanghai(yesterday, 20),
    )
    mark_days_dirty([yesterday])
    # when: Redis is back, a worker runs, and the nightly task goes through the broker
    redis.start()
    worker = start_rollups_worker(_database_url(), redis.url, tmp_path / "worker.log", CELERY_RESULT_BACKEND=redis.url)
    try:
        with real_broker(redis.url, redis.url):
            result = run_nightly_rollups_task.apply_async(queue="rollups")
            assert not isinstance(result, EagerResult)
            outcome = result.get(timeout=120, disable_sync_subtasks=False)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        redis.stop()
    # then: the missed day is rolled up and no longer waiting
    assert yesterday.isoformat() in outcome["days"]
    assert CountyDay.objects.get(county=alice.village.county, day=yesterday).sales == Decimal("1000.00")
    assert not RollupDirtyDay.objects.filter(day=yesterday).exists()
