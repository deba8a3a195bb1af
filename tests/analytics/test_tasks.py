"""The nightly pipeline on a real Celery worker with the Redis broker (not eager mode)."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.result import EagerResult
from django.db import connection

from analytics.dirty_days import mark_days_dirty
from analytics.models import CountyDay, RollupRun
from analytics.tasks import run_nightly_rollups_task
from tests.support.celery_broker import real_broker
from tests.support.live_database import test_database_url as _database_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    client.flushdb()
    return client


@pytest.fixture
def real_worker(tmp_path):
    """A Celery worker process on the rollups and default queues, talking to Redis and the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    _redis_or_skip()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "rural_taobao.settings",
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 — closed below
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rural_taobao",
            "worker",
            "--queues",
            "rollups,celery",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with real_broker(REDIS_URL, REDIS_URL):
            yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_nightly_pipeline_runs_on_a_real_worker(real_worker, world):
    from tests.support.dates import shanghai
    from tests.support.orders import make_order

    # given: payments on two old days, marked dirty as the order service does
    alice, bob, _ = world["partners"]
    cat = world["categories"][0]
    from decimal import Decimal

    days = [dt.date(2025, 3, 1), dt.date(2025, 3, 2)]
    for day, partner, villager in zip(days, (alice, bob), (world["villagers"][0], world["villagers"][3]), strict=True):
        make_order(partner=partner, villager=villager, lines=[(cat, 3, Decimal("1000.00"))], paid_at=shanghai(day))
    mark_days_dirty(days)
    # when: the nightly task goes through Redis to the worker
    # (a producer on a connection of its own: other tests close the app's shared pool)
    with run_nightly_rollups_task.app.connection_for_write() as conn, conn.Producer() as producer:
        result = run_nightly_rollups_task.apply_async(queue="rollups", producer=producer)
    assert not isinstance(result, EagerResult), "the task must go through the broker"
    outcome = result.get(timeout=120, disable_sync_subtasks=False)
    # then: the worker computed those days and recorded a successful run
    assert {dt.date.fromisoformat(d) for d in outcome["days"]} >= set(days)
    assert CountyDay.objects.get(county=alice.village.county, day=days[0]).sales == Decimal("3000.00")
    assert CountyDay.objects.get(county=bob.village.county, day=days[1]).sales == Decimal("3000.00")
    run = RollupRun.objects.get(pk=outcome["run_id"])
    assert (run.status, run.trigger) == ("succeeded", "nightly")
