"""County centre parcels benchmark (issue 16: "2,000 parcels received in one call in
under 5 s"), run by hand on PostgreSQL and Redis; prints figures and ratios.

    .venv/bin/python bench/parcels.py [--db rt_bench_parcels] [--history 200000] [--parcels 2000]
        [--points 50] [--repeat 5] [--broker redis://127.0.0.1:6379/13] [--keep]

It creates (or reuses with --keep) its own database: a county (兰考县) with its centre
staff user (an API token), --points partners each with a service point and 40
villagers, a second county with 10 partners, and --history orders in every status
spread over a year (a status history row and, past the service point, a pickup code
each). Each round then adds --parcels fresh shipped orders of the county (spread over
its service points; most with a waybill number on the order, some on a platform order
number of the order), and calls, through the HTTP layer (Django's test client, the
whole middleware stack, DRF token authentication as the centre user, DEBUG off):

  receive   POST /api/v1/centre/receive/ with the numbers, shuffled: most tracking
            numbers, ~10 % order numbers (a few lower-cased), ~5 % a platform order's
            tracking number, plus ~2 % unknown numbers, ~1 % another county's parcels
            (both answer not_found), ~1 % already at the centre (already) and ~1 %
            picked up (illegal).
  dispatch  POST /api/v1/centre/dispatch/ with every service point of the county: the
            run takes every parcel at the centre (the received ones and the ones that
            were there already); each gets a pickup code and its villager an SMS,
            queued in the outbox and enqueued on a real Celery broker (Redis, a database
            of its own, emptied after each round; no worker runs) — all inside the timing.

Printed per call: median, min and max seconds over --repeat rounds and the SQL queries of
one call (CaptureQueriesContext); and the queries of a round of --parcels / 10, to show
whether they grow with the parcels. Every answer is checked (each good number moved
and at_county_centre, the unknown ones not_found, the illegal ones illegal; after the
run every parcel at_service_point with a pickup code and one queued SMS, and one message
on the broker per parcel); the exit code is 1 on a mismatch or when a median is over
the 5 s target.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 5.0
VILLAGERS_PER_POINT = 40
OTHER_COUNTY_POINTS = 10
RECEIVE, DISPATCH = "/api/v1/centre/receive/", "/api/v1/centre/dispatch/"

# The history's statuses, per 100 orders: most parcels were picked up long ago.
HISTORY_MIX = {
    "picked_up": 80,
    "returned": 3,
    "cancelled": 3,
    "placed": 1,
    "paid": 3,
    "shipped": 3,
    "at_county_centre": 3,
    "at_service_point": 4,
}
RANK = {
    "placed": 0,
    "cancelled": 0,
    "paid": 1,
    "shipped": 2,
    "at_county_centre": 3,
    "at_service_point": 4,
    "picked_up": 5,
    "returned": 5,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench_parcels")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--history", type=int, default=200_000, help="orders of the history, both counties")
    parser.add_argument("--parcels", type=int, default=2000, help="good parcels received and dispatched per round")
    parser.add_argument("--points", type=int, default=50, help="service points (partners) of the county")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds, each on fresh parcels")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13", help="Celery broker (emptied each round)")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is already filled")
    return parser.parse_args()


def setup(args) -> None:
    exists = subprocess.run(
        ["psql", "-h", args.host, "-U", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{args.db}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists and not args.keep:
        subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    if not exists or not args.keep:
        subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@{args.host}:5432/{args.db}",
            "DJANGO_SETTINGS_MODULE": "rural_taobao.settings",
            # as in production: DEBUG off, tasks sent to a broker
            "DEBUG": "0",
            "SECRET_KEY": "bench-parcels-not-a-secret",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "testserver",
            "CELERY_BROKER_URL": args.broker,
            "WRITE_THROTTLE_RATE": "1000000/min",
            "READ_THROTTLE_RATE": "1000000/min",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ── The world ────────────────────────────────────────────────────────────────


def build_world(args) -> None:
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from orders.models import Villager
    from tests.support.factories import (
        CountyFactory,
        CountyStaffAssignmentFactory,
        PartnerFactory,
        UserFactory,
        VillageFactory,
    )

    started = time.perf_counter()
    county = CountyFactory(code="410225", name="兰考县")
    other = CountyFactory(code="410221", name="杞县")
    centre = CountyStaffAssignmentFactory(
        county=county, user=UserFactory(username="lankao-centre", groups=["county_centre"])
    ).user
    Token.objects.create(user=centre, key="bench0parcels0centre0token0000000000000")
    villagers = []
    for c, n, prefix in ((county, args.points, "137"), (other, OTHER_COUNTY_POINTS, "136")):
        for i in range(n):
            partner = PartnerFactory(
                active=True,
                phone=f"{prefix}0000{i:04d}",
                village=VillageFactory(county=c, name=f"{c.name[:2]}{i}村"),
            )
            villagers += [
                Villager(village=partner.village, name=f"村民{j}", phone=f"{prefix}{i:04d}{j:04d}")
                for j in range(VILLAGERS_PER_POINT)
            ]
    Villager.objects.bulk_create(villagers)
    print(f"» world: 2 counties, {args.points + OTHER_COUNTY_POINTS} service points, {len(villagers):,} villagers")
    mix = [status for status, weight in HISTORY_MIX.items() for _ in range(weight)]
    with connection.cursor() as cursor:
        mine = int(args.history * args.points / (args.points + OTHER_COUNTY_POINTS))
        for c, n in ((county, mine), (other, args.history - mine)):
            ids = insert_orders(cursor, county_id=c.pk, n=n, statuses=mix, prefix=f"H{c.code}", max_age_days=365)
            # the county's own history has nothing at the centre: the run takes exactly the round's parcels
            if c == county:
                cursor.execute(
                    "UPDATE orders_order SET status = 'at_service_point', at_service_point_at = at_county_centre_at "
                    "WHERE county_id = %s AND status = 'at_county_centre'",
                    [c.pk],
                )
            cursor.execute(
                """
                INSERT INTO orders_orderstatuschange (order_id, from_status, to_status, changed_by_id, changed_at, reason)
                SELECT id, '', status, NULL, updated_at, '' FROM orders_order WHERE id = ANY(%s)
                """,
                [ids],
            )
            cursor.execute(
                """
                INSERT INTO orders_pickupcode (order_id, code_hash, issued_at, sends, failures, used_at, override_reason)
                SELECT id, md5(id::text) || md5(order_no), at_service_point_at, 1, 0, picked_up_at, ''
                  FROM orders_order WHERE id = ANY(%s) AND at_service_point_at IS NOT NULL
                """,
                [ids],
            )
        cursor.execute("ANALYZE")
    print(f"» history: {args.history:,} orders in {time.perf_counter() - started:.0f} s", flush=True)


def insert_orders(cursor, *, county_id: int, n: int, statuses: list[str], prefix: str, max_age_days: float) -> list:
    """n orders of the county's villagers, their statuses cycling through ``statuses``,
    stamped up to their status (placed, paid 1 h later, shipped after a day, …), placed
    up to ``max_age_days`` ago; waybill numbers ``{prefix}T{n}`` from shipped on. Their ids."""
    cursor.execute(
        """
        WITH v AS (
            SELECT row_number() OVER (ORDER BY vi.id) - 1 AS rn, vi.id, p.id AS partner_id, vi.village_id
              FROM orders_villager vi JOIN counties_village vl ON vl.id = vi.village_id
              JOIN partners_partner p ON p.village_id = vi.village_id AND p.status = 'active'
             WHERE vl.county_id = %(county)s
        ), src AS (
            SELECT g, v.id AS villager_id, v.partner_id, v.village_id,
                   (%(statuses)s::text[])[1 + (g * 37) %% array_length(%(statuses)s::text[], 1)] AS status,
                   now() - interval '5 days' - ((g * 7919) %% (%(age)s * 86400)) * interval '1 second' AS t
              FROM generate_series(1::bigint, %(n)s) g
              JOIN v ON v.rn = (g * 104729) %% (SELECT count(*) FROM v)
        ), ranked AS (
            SELECT src.*, CASE status WHEN 'placed' THEN 0 WHEN 'cancelled' THEN 0 WHEN 'paid' THEN 1
                               WHEN 'shipped' THEN 2 WHEN 'at_county_centre' THEN 3 WHEN 'at_service_point' THEN 4
                               ELSE 5 END AS rank
              FROM src
        )
        INSERT INTO orders_order (order_no, client_request_id, channel, status, total_amount, buyer_organisation,
            reference, placed_at, paid_at, shipped_at, at_county_centre_at, at_service_point_at, picked_up_at,
            cancelled_at, returned_at, updated_at, county_id, partner_id, placed_by_id, village_id, promotion_id,
            villager_id, carrier, tracking_no)
        SELECT %(prefix)s || 'N' || g, gen_random_uuid(), 'assisted_purchase', status, 49.90 * (1 + g %% 20), '', '',
               t,
               CASE WHEN rank >= 1 THEN t + interval '1 hour' END,
               CASE WHEN rank >= 2 THEN t + interval '1 day' END,
               CASE WHEN rank >= 3 THEN t + interval '2 days' END,
               CASE WHEN rank >= 4 THEN t + interval '2 days 6 hours' END,
               CASE WHEN rank >= 5 THEN t + interval '3 days' END,
               CASE WHEN status = 'cancelled' THEN t + interval '2 hours' END,
               CASE WHEN status = 'returned' THEN t + interval '4 days' END,
               now(), %(county)s, partner_id, partner_id, village_id, NULL, villager_id,
               CASE WHEN rank >= 2 THEN '顺丰' ELSE '' END,
               CASE WHEN rank >= 2 THEN %(prefix)s || 'T' || g ELSE '' END
          FROM ranked
        RETURNING id
        """,
        {"county": county_id, "statuses": statuses, "n": n, "prefix": prefix, "age": max_age_days},
    )
    return [row[0] for row in cursor.fetchall()]


def fresh_round(round_no: int, parcels: int, rng: random.Random) -> dict:
    """The round's orders and the numbers the centre scans: ``good`` (number → order id),
    ``unknown`` (not_found), ``already`` (at the centre), ``illegal`` (picked up)."""
    from django.db import connection

    from counties.models import County
    from orders.models import Order, PlatformOrderNo

    county, other = County.objects.get(code="410225"), County.objects.get(code="410221")
    side = max(1, parcels // 100)
    with connection.cursor() as cursor:
        prefix = f"R{round_no}X"
        good_ids = insert_orders(
            cursor, county_id=county.pk, n=parcels, statuses=["shipped"], prefix=prefix, max_age_days=1
        )
        already_ids = insert_orders(
            cursor, county_id=county.pk, n=side, statuses=["at_county_centre"], prefix=prefix + "A", max_age_days=1
        )
        illegal_ids = insert_orders(
            cursor, county_id=county.pk, n=side, statuses=["picked_up"], prefix=prefix + "P", max_age_days=1
        )
        other_ids = insert_orders(
            cursor, county_id=other.pk, n=side, statuses=["shipped"], prefix=prefix + "O", max_age_days=1
        )
    orders = {o.pk: o for o in Order.objects.filter(pk__in=good_ids + already_ids + illegal_ids + other_ids)}
    good: dict[str, int] = {}
    platform = []
    for i, pk in enumerate(good_ids):
        order = orders[pk]
        kind = i % 20
        if kind < 2:  # the centre typed the order number
            good[order.order_no.lower() if i % 40 == 0 else order.order_no] = pk
        elif kind == 2:  # a basket split by seller: the waybill is on a platform order
            tracking = f"YT{round_no}{i:07d}"
            platform.append(
                PlatformOrderNo(
                    order=order,
                    number=f"TB{round_no}{i:09d}",
                    carrier="圆通",
                    tracking_no=tracking,
                    created_at=order.paid_at,
                )
            )
            good[tracking] = pk
        else:
            good[order.tracking_no] = pk
    PlatformOrderNo.objects.bulk_create(platform)
    unknown = [f"SF{round_no}9{i:010d}" for i in range(2 * side)] + [orders[pk].tracking_no for pk in other_ids]
    already = {orders[pk].tracking_no: pk for pk in already_ids}
    illegal = {orders[pk].tracking_no: pk for pk in illegal_ids}
    numbers = [*good, *unknown, *already, *illegal]
    rng.shuffle(numbers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    return {"numbers": numbers, "good": good, "unknown": unknown, "already": already, "illegal": illegal}


# ── The calls ────────────────────────────────────────────────────────────────


def post(client, path: str, body: dict):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # it keeps 9,000 queries at most: count from empty
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(path, json.dumps(body), content_type="application/json")
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (response.status_code, response.content[:500])
    assert len(queries) < connection.queries_log.maxlen, "more queries than the log keeps"
    return seconds, len(queries), response.json()


def check_receive(world: dict, answer: dict) -> list[str]:
    rows = {row["number"]: row for row in answer["results"]}
    problems = []
    for number, pk in world["good"].items():
        row = rows.get(number.upper())
        if row is None or row["result"] != "moved" or row["order"] != pk or row["status"] != "at_county_centre":
            problems.append(f"good {number}: {row}")
    for number in world["unknown"]:
        if rows.get(number, {}).get("result") != "not_found":
            problems.append(f"unknown {number}: {rows.get(number)}")
    for number in world["already"]:
        if rows.get(number, {}).get("result") != "already":
            problems.append(f"already {number}: {rows.get(number)}")
    for number in world["illegal"]:
        if rows.get(number, {}).get("result") != "illegal":
            problems.append(f"illegal {number}: {rows.get(number)}")
    if len(rows) != len(world["numbers"]):
        problems.append(f"{len(rows)} answers for {len(world['numbers'])} numbers")
    from orders.models import Order

    in_db = Order.objects.filter(pk__in=list(world["good"].values()), status="at_county_centre").count()
    if in_db != len(world["good"]):
        problems.append(f"{in_db} of {len(world['good'])} at the centre in the database")
    return problems


def check_dispatch(answer: dict, expected_ids: set, broker_count: int, messages_before: int) -> list[str]:
    from notifications.models import Message
    from orders.models import Order, PickupCode

    problems = []
    moved = {row["order"] for row in answer["results"] if row["result"] == "moved"}
    if moved != expected_ids or answer["moved"] != len(expected_ids):
        problems.append(f"moved {answer['moved']}, expected {len(expected_ids)}")
    ids = list(expected_ids)
    at_point = Order.objects.filter(pk__in=ids, status="at_service_point").count()
    codes = PickupCode.objects.filter(order_id__in=ids, used_at__isnull=True, failures=0).count()
    sms = Message.objects.filter(pk__gt=messages_before, template="pickup_code", status="queued").count()
    if not at_point == codes == len(ids):
        problems.append(f"{at_point} at a service point, {codes} pickup codes, for {len(ids)} parcels")
    if sms != len(ids) or broker_count != len(ids):
        problems.append(f"{sms} SMS queued, {broker_count} tasks on the broker, for {len(ids)} parcels")
    return problems


def broker_queue(args):
    """The broker's Redis database: its default queue's length, emptied between rounds."""
    import redis

    conn = redis.Redis.from_url(args.broker)

    class Queue:
        def count(self) -> int:
            return conn.llen("celery")

        def empty(self) -> None:
            conn.delete("celery")

    return Queue()


def one_round(args, client, queue, round_no: int, parcels: int, rng: random.Random) -> dict:
    from django.db.models import Max

    from counties.models import ServicePoint
    from notifications.models import Message
    from orders.models import Order

    world = fresh_round(round_no, parcels, rng)
    queue.empty()
    r_seconds, r_queries, r_answer = post(client, RECEIVE, {"numbers": world["numbers"]})
    problems = check_receive(world, r_answer)
    points = list(ServicePoint.objects.filter(village__county__code="410225").values_list("pk", flat=True))
    expected = set(Order.objects.filter(county__code="410225", status="at_county_centre").values_list("pk", flat=True))
    messages_before = Message.objects.aggregate(top=Max("pk"))["top"] or 0
    d_seconds, d_queries, d_answer = post(client, DISPATCH, {"service_points": points})
    problems += check_dispatch(d_answer, expected, queue.count(), messages_before)
    queue.empty()
    return {
        "receive": (r_seconds, r_queries, len(world["numbers"]), r_answer),
        "dispatch": (d_seconds, d_queries, len(expected)),
        "problems": problems,
    }


def hashing_seconds(n: int) -> float:
    """CPU of the pickup codes' keyed hashes for n parcels (part of dispatch)."""
    from orders.pickup import _hash, _new_code

    started = time.perf_counter()
    for pk in range(n):
        _hash(pk, _new_code())
    return time.perf_counter() - started


def main():
    args = parse_args()
    setup(args)
    from django.test import Client

    from orders.models import Order

    if not Order.objects.exists():
        build_world(args)
    print(f"» orders in the database: {Order.objects.count():,}", flush=True)
    client = Client(HTTP_AUTHORIZATION="Token bench0parcels0centre0token0000000000000")
    queue = broker_queue(args)
    rng = random.Random(16)
    base = int(time.time()) % 100_000  # fresh numbers on a reused database
    small = one_round(args, client, queue, base, max(10, args.parcels // 10), rng)  # also the warm-up
    rounds = [one_round(args, client, queue, base + i + 1, args.parcels, rng) for i in range(args.repeat)]
    problems = small["problems"] + [p for r in rounds for p in r["problems"]]
    ok = not problems
    print(f"{args.repeat} rounds, each on {args.parcels:,} fresh parcels (seconds: median, min–max; SQL queries):")
    for call in ("receive", "dispatch"):
        times = [r[call][0] for r in rounds]
        median = statistics.median(times)
        ok = ok and median < TARGET_SECONDS
        queries = sorted({r[call][1] for r in rounds})
        n = rounds[0][call][2]
        what = f"{n:,} numbers" if call == "receive" else f"{n:,} parcels, {args.points} points"
        print(
            f"  {call:8}  {what:28} {median:6.2f} s ({min(times):.2f}–{max(times):.2f})  "
            f"{'/'.join(map(str, queries))} queries; warm-up round of {small[call][2]:,}: {small[call][1]} queries, "
            f"{small[call][0]:.2f} s   [{'OK' if median < TARGET_SECONDS else 'TOO SLOW'}: target < {TARGET_SECONDS:.0f} s]"
        )
    last = rounds[-1]["receive"][3]
    print(
        f"  receive answers (last round): moved {last['moved']:,}, already {last['already']}, "
        f"not_found {last['not_found']}, illegal {last['illegal']}"
    )
    print(f"  pickup-code hashing alone, {args.parcels:,} codes: {hashing_seconds(args.parcels) * 1000:.0f} ms CPU")
    print(f"  checks: {'OK' if not problems else f'{len(problems)} PROBLEMS'}")
    for problem in problems[:20]:
        print(f"    {problem}")
    print("  load average: " + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f"; {os.cpu_count()} CPUs")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
