"""Benchmark of the nightly integrity checks on PostgreSQL (run by hand, prints figures and ratios).

    .venv/bin/python bench/integrity.py [--db rt_bench_integrity] [--promo-orders 1000000]
        [--normal-orders 10000] [--history-small 1000000] [--history-large 10000000] [--keep]

It creates (or reuses with --keep) a PostgreSQL database, seeds reference data with
``seed_demo`` (counties, villages, 3,000 partners, villagers, rates, the rule defaults),
then adds paid orders in bulk with the set-based SQL of bench/rollups.py (plain indexes
set aside while loading, rebuilt before anything is timed):

  (a) a normal day of --normal-orders orders checked (``integrity.checks.check_day``, every
      rule) with --history-small orders of history, then with --history-large. History
      keeps the programme's size: the small history is the --normal-orders a day of the
      days before, the large one adds older days at the same rate (so the windows the
      rules look back over — 1, 30 and 90 days — hold the same orders in both; what grows
      is everything else). The database is copied before it grows and the day is timed in
      both copies alternately, each run rolled back (target ratio ≤ 1.3).
  (b) a promotion day of --promo-orders orders spread over --promo-villagers villagers,
      checked in full: every rule, the flags it raises written and their foreign keys
      checked (target < 30 s), rolled back, repeated.
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rollups import IndexesSetAside, database_exists, database_wrapper, generate_orders  # noqa: E402

NORMAL_DAY = dt.date(2026, 9, 9)
PROMO_DAY = dt.date(2026, 11, 11)
PROMO_TARGET = 30.0
RATIO_TARGET = 1.3


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench_integrity")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--promo-orders", type=int, default=1_000_000)
    parser.add_argument("--normal-orders", type=int, default=10_000)
    parser.add_argument("--history-small", type=int, default=1_000_000)
    parser.add_argument("--history-large", type=int, default=10_000_000)
    parser.add_argument("--partners", type=int, default=3000)
    parser.add_argument(
        "--promo-villagers",
        type=int,
        default=400_000,
        help="villagers in all before the promotion day is loaded (its orders spread over them)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of each measurement")
    parser.add_argument("--keep", action="store_true", help="reuse the databases if they are already filled")
    parser.add_argument("--only", choices=["normal", "promotion"], help="run one of the two measurements")
    return parser.parse_args()


def setup_database(args):
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rural_taobao.settings")
    if not args.keep:
        for name in (args.db, f"{args.db}_small_history"):
            subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", name], check=True)
    if not database_exists(args, args.db):
        subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from orders.models import Order

    if not Order.objects.exists():
        print("» seed_demo: reference data (counties, villages, partners, villagers, rates)", flush=True)
        started = time.perf_counter()
        call_command(
            "seed_demo",
            "--orders",
            "2000",
            "--partners",
            str(args.partners),
            "--counties",
            "300",
            "--days",
            "30",
            "--end-date",
            "2026-01-31",
            "--no-money",
            verbosity=0,
        )
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)


def count_orders() -> int:
    from orders.models import Order

    return Order.objects.count()


def orders_on(day: dt.date) -> int:
    from orders.models import Order
    from rural_taobao import dates

    start, end = dates.day_bounds(day)
    return Order.objects.filter(paid_at__gte=start, paid_at__lt=end).count()


class Rollback(Exception):
    pass


def rolled_back(fn):
    """Seconds of ``fn()`` in a transaction then rolled back (each repetition does the same
    work), and what it returned."""
    from django.db import connection, transaction

    started = time.perf_counter()
    result = None
    try:
        with transaction.atomic():
            result = fn()
            # The foreign keys are checked at commit: check them now, inside the timing.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds, result


def check(day: dt.date):
    from integrity.checks import check_day

    return check_day(day)


def load(n: int, first: dt.date, last: dt.date, label: str) -> None:
    started = time.monotonic()
    with IndexesSetAside():
        generate_orders(n, first, last, label, step=1_000_000)
    print(f"  {label}: {n:,} orders in {time.monotonic() - started:.0f} s", flush=True)


def normal_day(args) -> None:
    from django.db import connections

    small_db = f"{args.db}_small_history"
    per_day = args.normal_orders
    small_days = max(1, args.history_small // per_day)
    history_end = NORMAL_DAY - dt.timedelta(days=1)
    small_first = history_end - dt.timedelta(days=small_days - 1)
    if orders_on(NORMAL_DAY) < args.normal_orders:
        load(args.history_small, small_first, history_end, "history (small)")
        load(args.normal_orders, NORMAL_DAY, NORMAL_DAY, "the normal day")
        connections.close_all()
        subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", small_db], check=True)
        subprocess.run(["createdb", "-h", args.host, "-U", "postgres", "-T", args.db, small_db], check=True)
        print(f"» {args.db} copied to {small_db}", flush=True)
        missing = args.history_large - args.history_small
        older_days = max(1, missing // per_day)
        older_last = small_first - dt.timedelta(days=1)
        load(missing, older_last - dt.timedelta(days=older_days - 1), older_last, "history (older days)")
    large_db = connections["default"].settings_dict["NAME"]
    connections.close_all()
    wrappers = {"small": database_wrapper(small_db), "large": database_wrapper(large_db)}
    totals, times, flags = {}, {"small": [], "large": []}, {}
    for size, wrapper in wrappers.items():
        connections._connections.default = wrapper
        totals[size] = count_orders()
        _, flags[size] = rolled_back(lambda: check(NORMAL_DAY))  # warm-up
    rounds = max(args.repeat, 5) * 2
    for i in range(rounds):
        for size in ("small", "large") if i % 2 == 0 else ("large", "small"):
            connections._connections.default = wrappers[size]
            seconds, _ = rolled_back(lambda: check(NORMAL_DAY))
            times[size].append(seconds)
    for wrapper in wrappers.values():
        wrapper.close()
    connections._connections.default = wrappers["large"]  # (b) runs on the large history
    small_ms, large_ms = (statistics.median(times[s]) * 1000 for s in ("small", "large"))
    print(
        f"(a) normal day, {args.normal_orders:,} orders, every rule, {rounds} runs each, alternating "
        f"(median; min–max):\n"
        f"      {totals['small']:>12,} orders in the database: {small_ms:6.0f} ms "
        f"({min(times['small']) * 1000:.0f}–{max(times['small']) * 1000:.0f}), flags {dict(flags['small'])}\n"
        f"      {totals['large']:>12,} orders in the database: {large_ms:6.0f} ms "
        f"({min(times['large']) * 1000:.0f}–{max(times['large']) * 1000:.0f}), flags {dict(flags['large'])}\n"
        f"      ratio {large_ms / small_ms:.2f} (target ≤ {RATIO_TARGET}); load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg()),
        flush=True,
    )


def ensure_villagers(total: int) -> None:
    """Villagers enough for a promotion day: seed_demo makes a handful per partner, a
    working partner serves a village (about 130 each for 3,000 partners at 400,000)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_villager")
        have = cursor.fetchone()[0]
        if have >= total:
            return
        cursor.execute(
            """
            INSERT INTO orders_villager (name, phone, created_at, partner_id, village_id)
            SELECT '村民' || g, '199' || lpad(g::text, 8, '0'), now(), p.id, p.village_id
              FROM generate_series(1, %s) g
              JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id, village_id FROM partners_partner) p
                ON p.rn = g %% (SELECT count(*) FROM partners_partner)
            """,
            [total - have],
        )
        cursor.execute("ANALYZE orders_villager")
    print(f"  villagers: {have:,} → {total:,}", flush=True)


def promotion_day(args) -> None:
    if orders_on(PROMO_DAY) < args.promo_orders:
        ensure_villagers(args.promo_villagers)
        load(args.promo_orders, PROMO_DAY, PROMO_DAY, "the promotion day")
    times, flagged = [], {}
    for _ in range(args.repeat):
        seconds, flagged = rolled_back(lambda: check(PROMO_DAY))
        times.append(seconds)
    median = statistics.median(times)
    print(
        f"(b) promotion day, {orders_on(PROMO_DAY):,} orders, every rule with its flags written, "
        f"{args.repeat} runs: median {median:.1f} s ({min(times):.1f}–{max(times):.1f}) "
        f"[{'OK' if median < PROMO_TARGET else 'TOO SLOW'}: target < {PROMO_TARGET:.0f} s]\n"
        f"      flags raised: {sum(flagged.values()):,} {dict(flagged)}",
        flush=True,
    )


def main():
    args = parse_args()
    setup_database(args)
    if args.only != "promotion":
        normal_day(args)
    if args.only != "normal":
        promotion_day(args)


if __name__ == "__main__":
    main()
