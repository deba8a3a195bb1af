"""Races on PostgreSQL: separate connections in threads, each in its own transaction.

To make the race real rather than lucky, the test thread first holds the lock the
contenders need, waits until PostgreSQL reports them all waiting on it, and then lets go.
"""

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from orders.models import Order, OrderNumberCounter, OrderStatus, OrderStatusChange
from orders.services import IllegalTransition, order_create, order_transition
from tests.support.orders import appliances, order_payload, place_order

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_on_locks() -> int:
    with connections["default"].cursor() as cursor:
        # Inside a transaction PostgreSQL keeps showing its first snapshot of the stats.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def contend(lock: Callable[[], None], contenders: list[Callable[[], object]]) -> list[object]:
    """Run `contenders` in threads while this thread holds `lock`; return their results."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    results: list[object] = [None] * len(contenders)

    def run(index: int, fn: Callable[[], object]) -> None:
        try:
            results[index] = fn()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test checks
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(contenders)]
    with transaction.atomic():
        lock()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while waiting_on_locks() < len(contenders):
            assert time.monotonic() < deadline, f"the contenders never queued on the lock: {results}"
            time.sleep(0.02)
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_concurrent_payments_of_one_order_exactly_one_wins(alice):
    # given
    order = place_order(alice)
    pay = lambda: order_transition(order_id=order.pk, to_status="paid", by_user=alice.user)  # noqa: E731
    # when: both wait behind a lock on the order row, then race
    results = contend(lambda: Order.objects.select_for_update().get(pk=order.pk), [pay, pay])
    # then
    winners = [r for r in results if isinstance(r, Order)]
    losers = [r for r in results if isinstance(r, IllegalTransition)]
    assert (len(winners), len(losers)) == (1, 1), results
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(order.status_changes.values_list("to_status", flat=True)) == ["placed", "paid"]


def test_a_concurrent_cancel_and_ship_cannot_both_happen(alice):
    # given
    order = place_order(alice)
    order_transition(order=order, to_status="paid", by_user=alice.user)
    ship = lambda: order_transition(order_id=order.pk, to_status="shipped", by_user=alice.user)  # noqa: E731
    cancel = lambda: order_transition(  # noqa: E731
        order_id=order.pk, to_status="cancelled", by_user=alice.user, reason="changed mind", expected_status="paid"
    )
    # when
    results = contend(lambda: Order.objects.select_for_update().get(pk=order.pk), [ship, cancel])
    # then: whichever came second was refused
    assert sum(isinstance(r, Order) for r in results) == 1, results
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1, results
    order.refresh_from_db()
    assert order.status in (OrderStatus.SHIPPED, OrderStatus.CANCELLED)
    assert order.status_changes.count() == 3


def test_concurrent_orders_of_one_county_get_unique_consecutive_numbers(alice):
    # given: the day's counter row exists and this thread holds its lock
    appliances()
    place_order(alice)
    county = alice.village.county
    contenders = [
        (lambda i=i: order_create(partner=alice, by_user=alice.user, **order_payload(villager_phone=f"1390000000{i}")))
        for i in range(6)
    ]
    # when
    results = contend(lambda: OrderNumberCounter.objects.select_for_update().get(county=county), contenders)
    # then
    assert all(not isinstance(r, Exception) for r in results), results
    numbers = sorted(Order.objects.values_list("order_no", flat=True))
    assert len(set(numbers)) == 7
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 8))


def test_the_first_orders_of_a_day_race_to_create_the_counter(alice):
    # given: no counter row for today yet; this thread inserts it without committing,
    # so both contenders find no row and queue on the unique index trying to create it
    appliances()
    payloads = [order_payload(villager_phone=f"1370000000{i}") for i in range(2)]
    contenders = [lambda p=p: order_create(partner=alice, by_user=alice.user, **p) for p in payloads]
    first_row = OrderNumberCounter(county=alice.village.county, day=timezone.localdate())
    # when
    results = contend(lambda: OrderNumberCounter.objects.bulk_create([first_row]), contenders)
    # then
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(Order.objects.values_list("order_no", flat=True))[-1].endswith("-00002")
    assert OrderNumberCounter.objects.get().last_value == 2


def test_two_concurrent_submits_of_one_form_yield_one_order(alice):
    # given: a double tap, two requests with the same client_request_id
    appliances()
    payload = order_payload(client_request_id=uuid.uuid4())
    submit = lambda: order_create(partner=alice, by_user=alice.user, **payload)  # noqa: E731
    place_order(alice)  # the day's counter exists, so the lock below is on a real row
    county = alice.village.county
    # when
    results = contend(lambda: OrderNumberCounter.objects.select_for_update().get(county=county), [submit, submit])
    # then
    assert all(not isinstance(r, Exception) for r in results), results
    assert results[0].order.pk == results[1].order.pk
    assert sorted(r.created for r in results) == [False, True]
    assert Order.objects.filter(client_request_id=payload["client_request_id"]).count() == 1
    assert OrderStatusChange.objects.filter(order=results[0].order).count() == 1
