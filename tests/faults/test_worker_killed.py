"""A Celery worker killed with SIGKILL in the middle of a nightly rollup: the next run
produces figures identical to an undisturbed run."""

import datetime as dt
import signal
import time
from decimal import Decimal

import pytest
from celery.result import EagerResult
from django.db import connection

from analytics import rollups
from analytics.dirty_days import mark_days_dirty
from analytics.models import RollupDirtyDay, RollupRun
from analytics.tasks import run_nightly_rollups_task
from tests.support.celery_broker import real_broker
from tests.support.dates import shanghai
from tests.support.live_database import test_database_url as _database_url
from tests.support.orders import make_order
from tests.support.rollup_expectations import all_tables
from tests.support.servers import PrivateRedis, start_rollups_worker

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

DAYS = 60


@pytest.fixture
def history(world):
    """An order a day for DAYS days (some returned), spread over the cast's partners."""
    start = dt.date(2025, 1, 1)
    cat = world["categories"][0]
    for i in range(DAYS):
        partner = world["partners"][i % 3]
        villager = world["villagers"][(i % 3) * 3]
        paid = shanghai(start + dt.timedelta(days=i), 10)
        make_order(
            partner=partner,
            villager=villager,
            lines=[(cat, 1 + i % 4, Decimal("199.00"))],
            paid_at=paid,
            returned_at=paid + dt.timedelta(days=3) if i % 7 == 0 else None,
        )
    return [start + dt.timedelta(days=i) for i in range(DAYS + 3)]


def test_killed_worker_mid_rollup_then_next_run_gives_undisturbed_figures(history, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    # given: the figures of an undisturbed run, then a clean slate with every day dirty
    rollups.run_rollups(history, trigger="reference")
    reference = all_tables()
    with connection.cursor() as cursor:
        for table in (
            "counties_countyday",
            "counties_countycategorychannelday",
            "counties_countycategorychannelmonth",
            "counties_countybuyermonth",
            "counties_villageday",
            "counties_countybuyerday",
            "counties_promotioncountyday",
            "counties_provinceday",
            "counties_nationalday",
            "partners_partnerdailyincome",
            "partners_monthlystatement",
            "counties_countysummary",
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 — fixed table names
    mark_days_dirty(history)

    redis = PrivateRedis()
    redis.start()
    # slow each day down a little so the kill lands mid-run
    worker = start_rollups_worker(_database_url(), redis.url, tmp_path / "worker.log", ROLLUP_DAY_DELAY_SECONDS="0.2")
    try:
        # when: the nightly task runs on the worker and the worker is SIGKILLed a few days in
        with real_broker(redis.url):
            sent = run_nightly_rollups_task.apply_async(queue="rollups")
        assert not isinstance(sent, EagerResult)
        deadline = time.monotonic() + 120
        while not RollupRun.objects.filter(status="running", days_done__gte=5).exists():
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-2000:]
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        redis.stop()
    crashed = RollupRun.objects.get(status="running")
    assert 5 <= crashed.days_done < len(history)
    assert RollupDirtyDay.objects.count() >= len(history) - crashed.days_done - 1

    # when: the next nightly run
    result = rollups.run_nightly(trigger="nightly")

    # then: figures identical to the undisturbed run; the crashed run is marked failed
    assert all_tables() == reference
    assert result.days, "the next run picked up the unfinished days"
    crashed.refresh_from_db()
    assert crashed.status == "failed"
