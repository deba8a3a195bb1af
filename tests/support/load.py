"""Load against the real server: gunicorn on PostgreSQL on loopback, many concurrent
clients creating orders through the API, some retried and some sent twice.

Used by tests/load/test_load.py (a short form, in CI) and bench/api_orders.py (by hand);
the server itself is tests.support.servers.gunicorn.
Traffic goes to 127.0.0.1 only, in bounded loops that stop by themselves.
"""

import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field

from tests.support.servers import request


def order_body(rng: random.Random, category_slug: str) -> dict:
    return {
        "client_request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "channel": "assisted_purchase",
        "villager": {"name": "村民" + str(rng.randint(1, 30)), "phone": f"139{rng.randint(0, 29):08d}"},
        "promotion": None,
        "lines": [
            {
                "product_name": "电饭煲",
                "category": category_slug,
                "quantity": rng.randint(1, 5),
                "unit_price": f"{rng.randint(50, 900)}.00",
            }
            for _ in range(rng.randint(1, 3))
        ],
    }


@dataclass
class LoadResult:
    statuses: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    created_ids: set = field(default_factory=set)  # client_request_ids answered 201
    answered_ids: set = field(default_factory=set)  # answered 200 or 201
    order_ids_by_request: dict = field(default_factory=dict)
    mismatched: int = 0  # a repeat answered with another order than the first
    errors: list = field(default_factory=list)  # connection errors (refused, reset): must stay empty
    duplicates_sent: int = 0  # second sends of the same request
    retries_sent: int = 0  # sends again after the client gave up waiting on the first
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, status, latency, request_id=None, order_id=None):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.append(latency)
            if request_id and status in (200, 201):
                self.answered_ids.add(request_id)
                if status == 201:
                    self.created_ids.add(request_id)
                first = self.order_ids_by_request.setdefault(request_id, order_id)
                if first != order_id:
                    self.mismatched += 1

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0  # noqa: E731
        return {
            "requests": len(lat),
            "statuses": dict(sorted(self.statuses.items())),
            "created": len(self.created_ids),
            "distinct_requests_answered": len(self.answered_ids),
            "repeats_answered_with_another_order": self.mismatched,
            "duplicates_sent": self.duplicates_sent,
            "retries_sent": self.retries_sent,
            "connection_errors": len(self.errors),
            "p50_ms": round(pct(0.50), 1),
            "p99_ms": round(pct(0.99), 1),
            "mean_ms": round(statistics.mean(lat) * 1000, 1) if lat else 0,
            "seconds": round(self.seconds, 2),
            "orders_per_second": round(len(self.created_ids) / self.seconds, 1) if self.seconds else 0,
        }


def create_orders(
    port: int,
    tokens: list[str],
    category_slug: str,
    *,
    total: int | None = None,
    duration: float | None = None,
    duplicate_every: int = 7,
    retry_every: int = 11,
    seed: int = 1,
) -> LoadResult:
    """One thread per token. Each sends orders; every `duplicate_every`-th is sent twice
    with the same client_request_id, every `retry_every`-th is retried after a short
    client-side timeout (the server may well have committed the first).

    With a `total`, the orders are shared out among the clients (the first ones take the
    remainder), and when a client's share is smaller than `duplicate_every` or
    `retry_every`, those shrink to it: a small total still sends duplicates and retries
    (never silently none). A total smaller than the number of clients is refused."""
    result = LoadResult()
    if total is not None:
        if total < len(tokens):
            raise ValueError(f"total={total}: at least one order per client ({len(tokens)} clients)")
        share = total // len(tokens)
        duplicate_every, retry_every = min(duplicate_every, share), min(retry_every, share)
    stop_at = time.monotonic() + duration if duration else None

    def client(index: int, token: str):
        rng = random.Random(seed * 1000 + index)
        per_client = None if total is None else total // len(tokens) + (index < total % len(tokens))
        n = 0
        while (per_client is None or n < per_client) and (stop_at is None or time.monotonic() < stop_at):
            n += 1
            body = order_body(rng, category_slug)
            request_id = body["client_request_id"]
            sends = 2 if n % duplicate_every == 0 else 1
            retried = n % retry_every == 0
            with result.lock:
                result.duplicates_sent += sends - 1
                result.retries_sent += retried
            for attempt in range(sends + retried):
                timeout = 0.05 if (retried and attempt == 0) else 30
                start = time.perf_counter()
                try:
                    status, data = request(port, "POST", "/api/v1/orders/", body, token, timeout=timeout)
                except TimeoutError:
                    continue  # the client gave up waiting; it will send the same request again
                except OSError as exc:
                    with result.lock:
                        result.errors.append(repr(exc))
                    continue
                order_id = data.get("id") if isinstance(data, dict) else None
                result.record(status, time.perf_counter() - start, request_id, order_id)

    threads = [threading.Thread(target=client, args=(i, t)) for i, t in enumerate(tokens)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - start
    return result


def race_transition(port: int, token: str, order_id: int, to_status: str, clients: int = 50) -> dict:
    """`clients` threads move one order to the same next state at once."""
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def go():
        barrier.wait()
        status, _ = request(port, "POST", f"/api/v1/orders/{order_id}/status/", {"status": to_status}, token)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=go) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {s: statuses.count(s) for s in sorted(set(statuses))}
