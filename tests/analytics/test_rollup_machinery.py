"""The machinery around the rollups: two runs never overlap (the PostgreSQL advisory lock
between two real connections, the run-table claim on SQLite), what the command and the
nightly task do when another run holds it, which dirty marks a run consumes (not today's,
not one written while the day was being rebuilt)."""

import datetime as dt
import threading
from decimal import Decimal

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from analytics import rollups
from analytics.dirty_days import mark_days_dirty
from analytics.models import CountyDay, RollupDirtyDay, RollupRun, RollupRunStatus
from analytics.tasks import run_nightly_rollups_task
from integrity.models import Flag, FlagStatus, Rule
from integrity.services import flag_review
from orders.models import OrderStatus
from orders.services import order_transition
from tests.support.dates import shanghai
from tests.support.live_database import test_database_url as _database_url
from tests.support.orders import make_order

DAY = dt.date(2025, 3, 3)


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")


@pytest.fixture
def other_connection():
    """A second, real connection to the test database (another worker's session)."""
    _postgres_only()
    other = psycopg2.connect(_database_url())
    other.autocommit = True
    yield other
    other.close()


def _try_lock(conn) -> bool:
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [rollups.ADVISORY_LOCK_KEY])
        return cursor.fetchone()[0]


def _unlock(conn) -> None:
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [rollups.ADVISORY_LOCK_KEY])


@pytest.fixture
def a_paid_day(world):
    alice = world["partners"][0]
    return make_order(
        partner=alice,
        villager=world["villagers"][0],
        lines=[(world["categories"][0], 2, Decimal("150.00"))],
        paid_at=shanghai(DAY, 10),
    )


# ── two runs never overlap ───────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_run_is_refused_while_another_session_holds_the_lock_and_goes_ahead_once_it_is_released(
    other_connection, a_paid_day, clock
):
    clock(shanghai(DAY + dt.timedelta(days=1), 1, 30))
    # given another session (a second worker) holding the rollup lock
    assert _try_lock(other_connection)
    # when a run starts here, then it is refused before it writes anything
    with pytest.raises(rollups.RollupAlreadyRunning):
        rollups.run_rollups([DAY], trigger="test")
    assert not RollupRun.objects.exists()
    assert not CountyDay.objects.exists()
    # and the command says so instead of failing with a traceback
    with pytest.raises(CommandError, match="Another rollup run is in progress"):
        call_command("run_rollups", "--date", DAY.isoformat())
    # when the other session lets go, the run goes ahead
    _unlock(other_connection)
    rollups.run_rollups([DAY], trigger="test")
    assert CountyDay.objects.get(day=DAY).sales == Decimal("300.00")
    assert RollupRun.objects.get().status == RollupRunStatus.SUCCEEDED


@pytest.mark.django_db
def test_a_running_rollup_holds_the_lock_against_other_sessions_and_releases_it(other_connection, a_paid_day):
    # given a run in progress, when another session tries for the lock after each day
    seen = []

    def progress(done, total, day):
        seen.append(_try_lock(other_connection))

    rollups.run_rollups([DAY, DAY + dt.timedelta(days=1)], trigger="test", progress=progress)
    # then it never got it, and it gets it once the run is over
    assert seen == [False, False]
    assert _try_lock(other_connection)
    _unlock(other_connection)


@pytest.mark.django_db
def test_a_dead_workers_session_releases_the_lock_and_its_running_row_is_marked_failed(a_paid_day):
    _postgres_only()
    # given a worker that died mid-run: its "running" row stayed, its session held the lock
    crashed = RollupRun.objects.create(trigger="nightly", started_at=timezone.now())
    dead = psycopg2.connect(_database_url())
    dead.autocommit = True
    assert _try_lock(dead)
    with pytest.raises(rollups.RollupAlreadyRunning):
        rollups.run_rollups([DAY], trigger="test")
    # when its connection goes away (the server drops a dead session's locks as its
    # backend exits: wait for that on the lock itself, not on a clock)
    dead.close()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '20s'")
        cursor.execute("SELECT pg_advisory_lock(%s), pg_advisory_unlock(%s)", [rollups.ADVISORY_LOCK_KEY] * 2)
    rollups.run_rollups([DAY], trigger="test")
    # then the next run went ahead and recorded the crashed run as failed
    crashed.refresh_from_db()
    assert (crashed.status, crashed.error) == (RollupRunStatus.FAILED, "interrupted (worker died)")


@pytest.mark.django_db
def test_the_nightly_task_skips_when_another_run_holds_the_lock(other_connection, a_paid_day, clock):
    clock(shanghai(DAY + dt.timedelta(days=1), 1, 30))
    mark_days_dirty([DAY])
    assert _try_lock(other_connection)
    # when beat sends the nightly task while another run holds the lock
    result = run_nightly_rollups_task.apply()
    # then it reports a skip (no retry, no error), and leaves the marks for the next night
    assert result.successful()
    assert result.get() == {"skipped": True}
    assert not RollupRun.objects.exists()
    assert RollupDirtyDay.objects.filter(day=DAY).exists()
    # and once the lock is free the same task does the work
    _unlock(other_connection)
    outcome = run_nightly_rollups_task.apply().get()
    assert outcome["days"] == [DAY.isoformat()]
    assert RollupRun.objects.get(pk=outcome["run_id"]).status == RollupRunStatus.SUCCEEDED
    assert not RollupDirtyDay.objects.exists()


@pytest.mark.django_db
def test_on_sqlite_a_fresh_running_row_refuses_a_second_run_and_a_stale_one_does_not(a_paid_day):
    if connection.vendor != "sqlite":
        pytest.skip("the run-table claim is SQLite's (PostgreSQL has the advisory lock)")
    # given a run that started an hour ago and is still running
    alive = RollupRun.objects.create(trigger="command", started_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(rollups.RollupAlreadyRunning):
        rollups.run_rollups([DAY], trigger="test")
    # given instead one that started longer ago than any run lasts
    alive.started_at = timezone.now() - rollups.STALE_RUN_AFTER - dt.timedelta(minutes=1)
    alive.save()
    rollups.run_rollups([DAY], trigger="test")
    alive.refresh_from_db()
    assert alive.status == RollupRunStatus.FAILED
    assert CountyDay.objects.get(day=DAY).sales == Decimal("300.00")


# ── which dirty marks a run consumes ─────────────────────────────────────────


@pytest.mark.django_db
def test_todays_marks_wait_for_the_night_after_today(world, clock):
    # given a payment at 00:20 today, marked by the order service
    today = DAY
    alice = world["partners"][0]
    order = make_order(
        partner=alice, villager=world["villagers"][0], lines=[(world["categories"][0], 1, Decimal("80.00"))]
    )
    clock(shanghai(today, 0, 20))
    order_transition(order_id=order.pk, to_status=OrderStatus.PAID, by_user=alice.user)
    assert list(RollupDirtyDay.objects.values_list("day", flat=True)) == [today]
    # when the nightly run goes at 01:30
    clock(shanghai(today, 1, 30))
    result = rollups.run_nightly(trigger="test")
    # then it rolled up yesterday only: today is not over, its mark and its sales wait
    assert result.days == [today - dt.timedelta(days=1)]
    assert RollupDirtyDay.objects.filter(day=today).exists()
    assert not CountyDay.objects.filter(day=today).exists()
    # and the next night's run takes today up and consumes the mark
    clock(shanghai(today + dt.timedelta(days=1), 1, 30))
    assert rollups.run_nightly(trigger="test").days == [today]
    assert CountyDay.objects.get(day=today).sales == Decimal("80.00")
    assert not RollupDirtyDay.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_mark_written_while_its_day_is_rebuilt_stays_for_the_next_run(world, admin_user, clock, monkeypatch):
    _postgres_only()  # the other writer needs a connection of its own to the same database
    # given a bulk order on DAY that the nightly checks flagged, the day rolled up
    alice = world["partners"][0]
    order = make_order(
        partner=alice,
        villager=world["villagers"][0],
        lines=[(world["categories"][0], 80, Decimal("25.00"))],
        paid_at=shanghai(DAY, 10),
    )
    clock(shanghai(DAY + dt.timedelta(days=1), 1, 30))
    rollups.run_rollups([DAY], trigger="test")
    flag = Flag.objects.get(order=order, rule=Rule.BULK_QUANTITY)
    assert CountyDay.objects.get(day=DAY).sales == Decimal("2000.00")
    mark_days_dirty([DAY])
    # when a reviewer confirms the flag (in a session of their own, a minute later) while
    # DAY is being rebuilt from the orders gathered before the confirmation
    gather = rollups._gather_day
    errors = []

    def reviewer():
        try:
            flag_review(flag_id=flag.pk, by_user=admin_user, decision="confirm", reason="刷单")
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def gather_then_review(cursor, day):
        gather(cursor, day)
        clock(timezone.now() + dt.timedelta(minutes=1))
        thread = threading.Thread(target=reviewer)
        thread.start()
        thread.join(timeout=60)

    monkeypatch.setattr(rollups, "_gather_day", gather_then_review)
    rollups.run_rollups([DAY], trigger="test")
    monkeypatch.undo()
    assert not errors
    assert Flag.objects.get(pk=flag.pk).status == FlagStatus.CONFIRMED
    # then the rebuild kept the order (it was a sale when gathered) and left the newer mark
    assert CountyDay.objects.get(day=DAY).sales == Decimal("2000.00")
    assert RollupDirtyDay.objects.filter(day=DAY).exists()
    # and the next run takes the order out and consumes the mark
    clock(timezone.now() + dt.timedelta(minutes=1))
    rollups.run_rollups(rollups.dirty_days(), trigger="test")
    assert not CountyDay.objects.filter(day=DAY).exists()
    assert not RollupDirtyDay.objects.exists()
