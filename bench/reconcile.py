"""Benchmark of the platform feed and reconciliation on PostgreSQL (run by hand, prints figures and ratios).

    .venv/bin/python bench/reconcile.py [--db rt_bench_reconcile] [--orders 1000000] [--normal-orders 10000]

It creates (or reuses with --keep) a PostgreSQL database, seeds reference data with
``seed_demo`` (counties, villages, partners, villagers, rates), then adds --orders paid
orders of history in bulk with the set-based SQL of bench/rollups.py, one platform order
number each, and writes the platform's seller-centre export of them as a CSV (UTF-8 with
BOM, Chinese headers and statuses, amounts like 1,299.00, Shanghai times):

  (a) ``platform_orders_import`` of that file, one row per order (target < 60 s for
      1,000,000 rows); then the same file again (every row unchanged) and a dry run;
  (b) ``reconcile_orders(full=True)`` over every order with a platform number (target
      < 30 s for 1,000,000 orders); the first run writes every order's state, a second
      run finds nothing to change;
  (c) a normal day: --normal-orders orders paid yesterday (Shanghai) with their numbers,
      and the day's feed (those orders, and confirmations of as many older ones). The
      nightly pipeline of that day — the day's rollups (``analytics.rollups.rollup_day``),
      ``reconcile_orders()`` of what changed, ``settlement.settle`` since the day before —
      against the same without the reconciliation (target ratio ≤ 1.3), and against the
      day's rollups alone; each run in a transaction rolled back, the three alternately.
      The history is settled first, as earlier nights would have (each record learned
      the day after its latest event).
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rollups import IndexesSetAside, database_exists, generate_orders  # noqa: E402

NUMBER_BASE = 3_000_000_000_000_000_000
IMPORT_TARGET = 60.0
RECONCILE_TARGET = 30.0
RATIO_TARGET = 1.3
HEADER = "订单编号,订单状态,实付金额,付款时间,确认收货时间,退款金额,退款时间"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench_reconcile")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--normal-orders", type=int, default=10_000)
    parser.add_argument("--partners", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions in (c)")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is already filled")
    return parser.parse_args()


def setup_database(args):
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rural_taobao.settings")
    if not args.keep:
        subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True)
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


def add_numbers(where: str, created_at_sql: str) -> int:
    """One platform number for each order matching ``where`` (SQL over orders o)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO orders_platformorderno (order_id, number, created_at)
            SELECT o.id, ({NUMBER_BASE}::numeric + o.id)::text, {created_at_sql}
              FROM orders_order o
             WHERE {where} AND NOT EXISTS (SELECT 1 FROM orders_platformorderno n WHERE n.order_id = o.id)
            """
        )
        added = cursor.rowcount
        cursor.execute("ANALYZE orders_platformorderno")
    return added


def _local(column: str) -> str:
    return f"to_char(({column}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')"


def write_feed(path: Path, select_sql: str) -> int:
    """The seller-centre export of the orders ``select_sql`` returns (columns: id, status
    code 0–19, total_amount, paid_at), as the platform would say it."""
    from django.db import connection

    # Of every 20: 12 confirmed, 4 shipped, 1 paid, 1 refunded, 1 closed, 1 confirmed at another amount.
    status = """CASE WHEN k < 12 OR k = 19 THEN '交易成功' WHEN k < 16 THEN '已发货' WHEN k = 16 THEN '已付款'
                     WHEN k = 17 THEN '退款成功' ELSE '交易关闭' END"""
    amount = "CASE WHEN k = 19 THEN total_amount + 5 ELSE total_amount END"
    query = f"""
        SELECT ({NUMBER_BASE}::numeric + id)::text, {status}, to_char({amount}, 'FM999,999,999,990.00'),
               {_local("paid_at")},
               CASE WHEN k < 12 OR k = 19 THEN {_local("paid_at + interval '5 days'")} END,
               CASE WHEN k IN (17, 18) THEN to_char(total_amount, 'FM999999999990.00') END,
               CASE WHEN k IN (17, 18) THEN {_local("paid_at + interval '3 days'")} END
          FROM ({select_sql}) x
    """
    with path.open("wb") as out:
        out.write(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, ENCODING 'UTF8')", out)
    with path.open("rb") as data:
        return sum(1 for _line in data) - 1


def timed_import(path: Path, **options):
    from orders.platform_feed import platform_orders_import

    started = time.perf_counter()
    report = platform_orders_import(source=path, filename=path.name, **options)
    seconds = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    return seconds, report


def summary(report) -> str:
    return (
        f"created {report.created:,}, updated {report.updated:,}, unchanged {report.unchanged:,}, "
        f"skipped {report.skipped:,}"
    )


def verdict(ok: bool) -> str:
    return "OK" if ok else "TOO SLOW"


class Rollback(Exception):
    pass


def rolled_back(fn):
    """Seconds of ``fn()`` run in a transaction that is then rolled back (the database is
    the same after, so every repetition does the same work)."""
    from django.db import transaction

    started = time.perf_counter()
    try:
        with transaction.atomic():
            fn()
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds


def main():
    args = parse_args()
    setup_database(args)
    from django.db import connection

    from analytics import rollups, settlement
    from orders.models import Order, PlatformOrder, PlatformOrderNo
    from orders.reconciliation import reconcile_orders
    from rural_taobao import dates

    day = dates.shanghai_yesterday()
    history_end = day - dt.timedelta(days=1)
    history_start = history_end - dt.timedelta(days=180)
    folder = Path(tempfile.mkdtemp(prefix="bench-reconcile-"))
    results: list[str] = []

    if not PlatformOrderNo.objects.filter(number__startswith="3").exists():
        print(f"» generating {args.orders:,} orders of history ({history_start} … {history_end})", flush=True)
        with IndexesSetAside():
            generate_orders(args.orders, history_start, history_end, "history")
        started = time.perf_counter()
        added = add_numbers(f"o.paid_at < '{day.isoformat()}'::timestamp AT TIME ZONE 'Asia/Shanghai'", "o.paid_at")
        print(f"  {added:,} platform numbers added in {time.perf_counter() - started:.0f} s", flush=True)
    with_numbers = PlatformOrderNo.objects.count()
    print(f"» {Order.objects.count():,} orders, {with_numbers:,} with a platform number", flush=True)

    # (a) the feed import
    feed = folder / "platform-orders.csv"
    started = time.perf_counter()
    rows = write_feed(
        feed,
        "SELECT o.id, (o.id % 20) AS k, o.total_amount, o.paid_at FROM orders_order o "
        "JOIN orders_platformorderno n ON n.order_id = o.id",
    )
    print(
        f"» feed file: {rows:,} rows, {feed.stat().st_size / 1e6:.0f} MB, written in "
        f"{time.perf_counter() - started:.0f} s ({feed})",
        flush=True,
    )
    with connection.cursor() as cursor:
        # (with --keep: start again from no platform records, states or ledger)
        cursor.execute(
            "TRUNCATE orders_platformorder, orders_orderreconciliation, orders_reconciliationrun, "
            "analytics_commissionentry, partners_monthlystatement CASCADE"
        )
    first, report = timed_import(feed)
    print(f"(a) import {rows:,} rows: {first:.1f} s ({rows / first:,.0f} rows/s): {summary(report)}", flush=True)
    again, report = timed_import(feed)
    print(f"    same file again: {again:.1f} s: {summary(report)}", flush=True)
    dry, report = timed_import(feed, dry_run=True)
    print(f"    dry run: {dry:.1f} s: {summary(report)}", flush=True)
    with connection.cursor() as cursor:
        # That feed came in earlier nights: the nightly reconciliation of (c) must not see it as new.
        # Each record was learned the day after its latest event (and before this run).
        cursor.execute(
            "UPDATE orders_platformorder SET "
            "changed_at = LEAST(changed_at - interval '2 hours', "
            "GREATEST(paid_at, confirmed_at, refunded_at) + interval '1 day'), "
            "first_seen_at = LEAST(first_seen_at - interval '2 hours', paid_at + interval '1 day')"
        )
        cursor.execute("VACUUM ANALYZE orders_platformorder")
    results.append(
        f"(a) import {rows:,} platform rows: {first:.1f} s (target < {IMPORT_TARGET:.0f} s): "
        f"{verdict(first < IMPORT_TARGET)}; again {again:.1f} s, dry run {dry:.1f} s"
    )

    # (b) reconcile every order
    result = reconcile_orders(full=True)
    print(
        f"(b) reconcile_orders(full=True): {result.seconds:.1f} s, {result.orders:,} orders, {result.changed:,} changed"
    )
    second = reconcile_orders(full=True)
    print(f"    again: {second.seconds:.1f} s, {second.orders:,} orders, {second.changed:,} changed", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE orders_orderreconciliation")
    third = reconcile_orders(full=True)
    print(f"    again after VACUUM: {third.seconds:.1f} s, {third.changed:,} changed", flush=True)
    # Earlier nights settled the history: settle it up to the day before the normal day.
    started = time.perf_counter()
    settled = settlement.settle(as_of=day - dt.timedelta(days=1))
    print(
        f"    settlement of the history: {time.perf_counter() - started:.1f} s, {settled.payable:,} payable, "
        f"{settled.clawbacks:,} clawbacks, {settled.statements:,} statements",
        flush=True,
    )
    results.append(
        f"(b) reconcile {result.orders:,} orders: {result.seconds:.1f} s writing every state "
        f"(target < {RECONCILE_TARGET:.0f} s): {verdict(result.seconds < RECONCILE_TARGET)}; "
        f"nothing to change: {second.seconds:.1f} s, after VACUUM {third.seconds:.1f} s"
    )

    # (c) a normal day
    start = f"'{day.isoformat()}'::timestamp AT TIME ZONE 'Asia/Shanghai'"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM orders_order WHERE paid_at >= {start}")
        on_day = cursor.fetchone()[0]
    if not on_day:
        generate_orders(args.normal_orders, day, day, "normal day")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orders_order")
    # The day's numbers are recorded "now", after the last reconciliation.
    add_numbers(f"o.paid_at >= {start}", "now()")
    daily = folder / "platform-orders-day.csv"
    older = args.normal_orders
    rows = write_feed(
        daily,
        f"""SELECT o.id, CASE WHEN o.paid_at >= {start} THEN 12 + (o.id % 5) ELSE 0 END AS k, o.total_amount, o.paid_at
              FROM orders_order o JOIN orders_platformorderno n ON n.order_id = o.id
             WHERE o.paid_at >= {start}
                OR o.id IN (SELECT id FROM orders_order WHERE id % 20 BETWEEN 12 AND 15 AND paid_at < {start}
                             ORDER BY id DESC LIMIT {older})""",
    )
    seconds, report = timed_import(daily)
    print(f"(c) the day's feed: {rows:,} rows imported in {seconds:.1f} s: {summary(report)}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE orders_order")
        cursor.execute("VACUUM ANALYZE orders_platformorder")
        cursor.execute(f"SELECT count(*) FROM orders_order WHERE paid_at >= {start}")
        on_day = cursor.fetchone()[0]

    def rollups_alone():
        rollups.rollup_day(day)

    parts: dict[str, list[float]] = {"rollups": [], "reconcile": [], "settle": []}

    def pipeline():
        clock = time.perf_counter()
        rollups.rollup_day(day)
        parts["rollups"].append(time.perf_counter() - clock)
        with connection.cursor() as cursor:
            # rollup_day tunes its own transaction (SET LOCAL); in the nightly run that ends at its commit.
            cursor.execute("SET LOCAL jit = DEFAULT")
            cursor.execute("SET LOCAL work_mem = DEFAULT")
        clock = time.perf_counter()
        reconciled = reconcile_orders()
        parts["reconcile"].append(time.perf_counter() - clock)
        pipeline.reconciled = reconciled
        clock = time.perf_counter()
        settlement.settle(as_of=day, since=day - dt.timedelta(days=1))
        parts["settle"].append(time.perf_counter() - clock)

    def without_reconciliation():
        rollups.rollup_day(day)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = DEFAULT")
            cursor.execute("SET LOCAL work_mem = DEFAULT")
        settlement.settle(as_of=day, since=day - dt.timedelta(days=1))

    rolled_back(rollups_alone)  # warm every path once
    rolled_back(without_reconciliation)
    rolled_back(pipeline)
    for values in parts.values():
        values.clear()
    alone, without, full = [], [], []
    for _ in range(args.repeat):
        alone.append(rolled_back(rollups_alone))
        without.append(rolled_back(without_reconciliation))
        full.append(rolled_back(pipeline))
    a, w, b = statistics.median(alone), statistics.median(without), statistics.median(full)
    ratio = b / w
    split = ", ".join(f"{name} {statistics.median(values) * 1000:.0f} ms" for name, values in parts.items())
    print(
        f"(c) normal day {day} ({on_day:,} orders paid, {pipeline.reconciled.orders:,} orders reconciled): "
        f"rollups alone {a * 1000:.0f} ms; rollups and settlement {w * 1000:.0f} ms; "
        f"with reconciliation {b * 1000:.0f} ms ({split}); ratio with / without reconciliation {ratio:.2f}, "
        f"whole money pipeline / rollups alone {b / a:.2f}",
        flush=True,
    )
    results.append(
        f"(c) nightly pipeline with / without reconciliation on a normal day: {b * 1000:.0f} / {w * 1000:.0f} ms "
        f"= {ratio:.2f} (target ≤ {RATIO_TARGET}): {'OK' if ratio <= RATIO_TARGET else 'OVER'}; "
        f"against the day's rollups alone ({a * 1000:.0f} ms): {b / a:.2f}"
    )
    print(f"\n{PlatformOrder.objects.count():,} platform records, {Order.objects.count():,} orders")
    print("\n".join(results))
    for path in (feed, daily):
        path.unlink()
    folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
