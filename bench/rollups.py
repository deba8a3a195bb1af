"""Benchmark of the nightly rollups on PostgreSQL (run by hand, prints figures and ratios).

    .venv/bin/python bench/rollups.py [--db rt_bench] [--promo-orders 1000000]
        [--normal-orders 10000] [--history-small 1000000] [--history-large 10000000]

It creates (or reuses with --keep) a PostgreSQL database, seeds reference data with
``seed_demo`` (counties, villages, 3,000 partners, villagers, rates), then adds orders
in bulk with set-based SQL (the plain indexes of orders and lines are set aside while
loading and rebuilt before anything is timed):

  (a) a promotion day of --promo-orders orders: all of that day's rollups vs the bare
      ``SELECT … GROUP BY`` queries computing the same figures (target ratio ≤ 1.5, < 30 s);
  (b) one normal day of --normal-orders orders rolled up with --history-small and with
      --history-large orders of history: the database is copied before it grows, and the
      day is timed in both copies alternately (target ratio ≤ 1.3, < 2 s at the large size);
  (c) the same normal day computed the way a first attempt would: a Django ORM loop over
      the orders with running totals (target: ours ≥ 100× faster).

"Our rollups" of a day is ``counties.rollups.rollup_day``: every day table and the
day's share of the month rows, in one transaction.
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

PROMO_DAY = dt.date(2026, 6, 18)
NORMAL_DAY = dt.date(2026, 9, 9)
HISTORY_END = dt.date(2026, 9, 8)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--promo-orders", type=int, default=1_000_000)
    parser.add_argument("--normal-orders", type=int, default=10_000)
    parser.add_argument("--history-small", type=int, default=1_000_000)
    parser.add_argument("--history-large", type=int, default=10_000_000)
    parser.add_argument("--partners", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of each measurement")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is already filled")
    parser.add_argument(
        "--history-only", action="store_true", help="skip (a) and (c): time the normal day, grow, time again"
    )
    return parser.parse_args()


def setup_database(args):
    url = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ["DATABASE_URL"] = url
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
        print("» seed_demo: reference data (counties, villages, partners, villagers, rates)")
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


def timed(fn, repeat=1):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def generate_orders(n: int, first_day: dt.date, last_day: dt.date, label: str, step: int = 500_000):
    """n paid orders spread over [first_day, last_day] (Shanghai), 1–3 lines each, with a
    commission snapshot, some returned later — set-based, in steps with progress."""
    from django.db import connection

    days = (last_day - first_day).days + 1
    done = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute("DROP TABLE IF EXISTS bench_villagers")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_villagers AS
            SELECT row_number() OVER (ORDER BY v.id) - 1 AS rn, v.id, v.partner_id, p.village_id, vi.county_id
              FROM orders_villager v JOIN partners_partner p ON p.id = v.partner_id
              JOIN counties_village vi ON vi.id = p.village_id
            """
        )
        cursor.execute("SELECT count(*) FROM bench_villagers")
        villagers = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM orders_category WHERE NOT is_farm_produce")
        categories = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(max(id), 0) FROM orders_order")
        while done < n:
            chunk = min(step, n - done)
            cursor.execute("SELECT COALESCE(max(id), 0) FROM orders_order")
            base = cursor.fetchone()[0]
            cursor.execute(
                """
                INSERT INTO orders_order (id, order_no, client_request_id, partner_id, villager_id, village_id, county_id,
                    channel, promotion_id, status, total_amount, buyer_organisation, reference, carrier, tracking_no,
                    placed_at, paid_at, returned_at, updated_at)
                SELECT %(base)s + g, 'B' || (%(base)s + g), md5(%(base)s::text || g::text)::uuid, v.partner_id, v.id,
                       v.village_id, v.county_id, 'assisted_purchase', NULL,
                       CASE WHEN g %% 40 = 0 THEN 'returned' ELSE 'paid' END,
                       (SELECT sum(49.90 * (1 + ((%(base)s + g) + k) %% 7) * (1 + (%(base)s + g) %% 3))
                          FROM generate_series(1, 1 + (%(base)s + g) %% 3) k),
                       '', '', '', '', t - interval '1 hour', t,
                       CASE WHEN g %% 40 = 0 THEN t + interval '5 days' END, t
                  FROM generate_series(1, %(chunk)s) g
                  JOIN bench_villagers v ON v.rn = (g::bigint * 7919 + %(base)s) %% %(villagers)s
                 CROSS JOIN LATERAL (SELECT (%(first)s::date + ((g + %(base)s) %% %(days)s))::timestamp AT TIME ZONE 'Asia/Shanghai'
                                            + (g %% 86400) * interval '1 second' AS t) ts
                """,
                {"base": base, "chunk": chunk, "villagers": villagers, "first": first_day, "days": days},
            )
            cursor.execute(
                """
                INSERT INTO orders_orderline (order_id, product_name, category_id, quantity, unit_price, line_total,
                    commission_rate, commission_amount)
                SELECT o.id, '商品', (%(cats)s::bigint[])[1 + (o.id + k) %% array_length(%(cats)s::bigint[], 1)],
                       1 + (o.id %% 3), 49.90 * (1 + (o.id + k) %% 7), 49.90 * (1 + (o.id + k) %% 7) * (1 + (o.id %% 3)),
                       0.0300, round(49.90 * (1 + (o.id + k) %% 7) * (1 + (o.id %% 3)) * 0.03, 2)
                  FROM orders_order o CROSS JOIN LATERAL generate_series(1, 1 + (o.id %% 3)) k
                 WHERE o.id > %(base)s AND o.id <= %(top)s
                """,
                {"cats": categories, "base": base, "top": base + chunk},
            )
            done += chunk
            print(f"  {label}: {done:,}/{n:,} orders", flush=True)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('orders_order', 'id'), (SELECT max(id) FROM orders_order))"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('orders_orderline', 'id'), (SELECT max(id) FROM orders_orderline))"
        )
        cursor.execute("ANALYZE orders_order")
        cursor.execute("ANALYZE orders_orderline")


class IndexesSetAside:
    """Bulk-load practice for growing the bench history: the plain (non-constraint)
    indexes of orders and lines are dropped, the rows inserted without FK triggers, and
    the indexes rebuilt at the end (CREATE INDEX sorts once, in parallel, instead of
    maintaining ten btrees row by row). Constraint indexes (primary and unique keys) stay.
    The rollups are timed only after the indexes are back."""

    TABLES = ("orders_order", "orders_orderline")

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.relname, pg_get_indexdef(x.indexrelid)
                  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                 WHERE t.relname = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                """,
                [list(self.TABLES)],
            )
            self.indexes = cursor.fetchall()
            for name, _ in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SET session_replication_role = replica")
        print(f"  {len(self.indexes)} indexes set aside while loading", flush=True)
        return self

    def __exit__(self, *exc):
        from django.db import connection

        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 2")
            for number, (name, definition) in enumerate(self.indexes, 1):
                cursor.execute(definition)
                print(f"  index {number}/{len(self.indexes)} rebuilt: {name}", flush=True)
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("VACUUM ANALYZE orders_order")
            cursor.execute("VACUUM ANALYZE orders_orderline")
        print(f"  indexes rebuilt and tables vacuumed in {time.monotonic() - started:.0f} s", flush=True)
        return False


def count_orders() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_order")
        return cursor.fetchone()[0]


def bare_queries(day: dt.date) -> None:
    """The figures of one day straight from orders ⋈ lines: no temp tables, no inserts."""
    from django.db import connection

    from analytics.rollups import _db_day_bounds as day_bounds

    start, end = day_bounds(day)
    events = f"""
        SELECT o.id AS order_id, o.county_id, o.village_id, o.partner_id, o.villager_id, o.channel, o.promotion_id,
               l.category_id, l.line_total AS amount, COALESCE(l.commission_amount, 0) AS commission, 1 AS sign
          FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id WHERE o.paid_at >= '{start}' AND o.paid_at < '{end}'
        UNION ALL
        SELECT o.id, o.county_id, o.village_id, o.partner_id, o.villager_id, o.channel, o.promotion_id,
               l.category_id, l.line_total, COALESCE(l.commission_amount, 0), -1
          FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id WHERE o.returned_at >= '{start}' AND o.returned_at < '{end}'
        UNION ALL
        SELECT o.id, o.county_id, o.village_id, o.partner_id, o.villager_id, o.channel, o.promotion_id,
               l.category_id, l.line_total, COALESCE(l.commission_amount, 0), -1
          FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id
         WHERE o.cancelled_at >= '{start}' AND o.cancelled_at < '{end}' AND o.paid_at IS NOT NULL
    """
    per_order = f"""
        SELECT order_id, county_id, village_id, partner_id, villager_id, channel, promotion_id, sign,
               SUM(amount) AS amount, SUM(commission) AS commission
          FROM ({events}) e GROUP BY order_id, county_id, village_id, partner_id, villager_id, channel, promotion_id, sign
    """
    split = "SUM(CASE WHEN sign = 1 THEN amount ELSE 0 END), SUM(CASE WHEN sign = -1 THEN amount ELSE 0 END)"
    queries = [
        f"""SELECT county_id, category_id, channel, {split}, SUM(CASE WHEN sign = 1 THEN commission ELSE 0 END),
                   COUNT(DISTINCT CASE WHEN sign = 1 THEN order_id END), COUNT(DISTINCT CASE WHEN sign = -1 THEN order_id END),
                   COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END)
              FROM ({events}) e GROUP BY county_id, category_id, channel""",
        f"""SELECT county_id, {split}, SUM(CASE WHEN sign = 1 THEN commission ELSE 0 END), SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END),
                   SUM(CASE WHEN sign = -1 THEN 1 ELSE 0 END), COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END),
                   COUNT(DISTINCT CASE WHEN sign = 1 THEN partner_id END)
              FROM ({per_order}) x GROUP BY county_id""",
        f"""SELECT village_id, county_id, {split}, SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END),
                   COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END) FROM ({per_order}) x GROUP BY village_id, county_id""",
        f"SELECT county_id, villager_id, MIN(partner_id) FROM ({per_order}) x WHERE sign = 1 GROUP BY county_id, villager_id",
        f"""SELECT promotion_id, county_id, {split}, SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END),
                   COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END)
              FROM ({per_order}) x WHERE promotion_id IS NOT NULL GROUP BY promotion_id, county_id""",
        f"""SELECT partner_id, SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN sign = -1 THEN 1 ELSE 0 END), {split},
                   SUM(CASE WHEN channel = 'assisted_purchase' THEN sign * amount ELSE 0 END),
                   SUM(CASE WHEN sign = 1 THEN commission ELSE 0 END), SUM(CASE WHEN sign = -1 THEN commission ELSE 0 END)
              FROM ({per_order}) x GROUP BY partner_id""",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute("SET work_mem = '256MB'")
        for sql in queries:
            cursor.execute(sql)
            cursor.fetchall()


def orm_loop(day: dt.date) -> None:
    """A first attempt: loop over the day's orders, running totals with +=, a save per row."""
    from decimal import Decimal

    from django.db import transaction

    from analytics.models import CountyCategoryChannelDay, CountyDay, PartnerDailyIncome, VillageDay
    from analytics.rollups import _db_day_bounds as day_bounds
    from orders.models import Order

    start, end = day_bounds(day)
    with transaction.atomic():
        for model in (CountyDay, CountyCategoryChannelDay, VillageDay, PartnerDailyIncome):
            model.objects.filter(day=day).delete()
        for order in Order.objects.filter(paid_at__gte=start, paid_at__lt=end):
            county_day, _ = CountyDay.objects.get_or_create(county_id=order.county_id, day=day)
            village_day, _ = VillageDay.objects.get_or_create(
                village_id=order.village_id, county_id=order.county_id, day=day
            )
            income, _ = PartnerDailyIncome.objects.get_or_create(partner_id=order.partner_id, day=day)
            commission = Decimal(0)
            for line in order.lines.all():
                row, _ = CountyCategoryChannelDay.objects.get_or_create(
                    county_id=order.county_id, day=day, category_id=line.category_id, channel=order.channel
                )
                row.sales += line.line_total
                row.orders += 1
                row.save()
                commission += line.commission_amount or 0
            county_day.sales += order.total_amount
            county_day.orders += 1
            county_day.save()
            village_day.sales += order.total_amount
            village_day.orders += 1
            village_day.save()
            income.sales += order.total_amount
            income.orders += 1
            income.commission += commission
            income.save()


def main():
    args = parse_args()
    setup_database(args)
    from analytics import rollups
    from orders.models import Order

    def ours(day):
        return rollups.rollup_day(day)

    figures = {}
    if not Order.objects.filter(paid_at__date=PROMO_DAY).exists():
        history = max(args.history_small - args.promo_orders - args.normal_orders, 0)
        print(
            f"» generating {history:,} orders of history, a promotion day of {args.promo_orders:,}, a normal day of {args.normal_orders:,}"
        )
        with IndexesSetAside():
            generate_orders(history, HISTORY_END - dt.timedelta(days=364), HISTORY_END, "history")
            generate_orders(args.promo_orders, PROMO_DAY, PROMO_DAY, "6.18")
            generate_orders(args.normal_orders, NORMAL_DAY, NORMAL_DAY, "normal day")
    total = count_orders()
    promo_orders = Order.objects.filter(paid_at__date=PROMO_DAY).count()
    normal_orders = Order.objects.filter(paid_at__date=NORMAL_DAY).count()
    print(
        f"» {total:,} orders in the database; {promo_orders:,} paid on {PROMO_DAY}, {normal_orders:,} on {NORMAL_DAY}"
    )

    if args.history_only:
        small, _ = timed(lambda: ours(NORMAL_DAY), max(args.repeat, 5))
        print(f"(b) normal day, {normal_orders:,} orders, {total:,} orders of history: {small * 1000:.0f} ms")
        grow_and_time(args, total, small, normal_orders, ours)
        return

    # (a) the promotion day
    ours_promo, rows = timed(lambda: ours(PROMO_DAY), args.repeat)
    bare_promo, _ = timed(lambda: bare_queries(PROMO_DAY), args.repeat)
    figures["a"] = (ours_promo, bare_promo)
    print(
        f"(a) promotion day, {args.promo_orders:,} orders: rollups {ours_promo:.2f} s ({rows:,} rows), "
        f"bare GROUP BY queries {bare_promo:.2f} s, ratio {ours_promo / bare_promo:.2f} (target ≤ 1.5, < 30 s)"
    )

    # (b) a normal day at the small history
    small, _ = timed(lambda: ours(NORMAL_DAY), max(args.repeat, 5))
    print(f"(b) normal day, {normal_orders:,} orders, {total:,} orders of history: {small * 1000:.0f} ms")

    # (c) the ORM loop on the same day
    loop, _ = timed(lambda: orm_loop(NORMAL_DAY), 1)
    ours(NORMAL_DAY)  # put our figures back
    print(
        f"(c) normal day through a Django ORM loop: {loop:.1f} s vs ours {small * 1000:.0f} ms → ours {loop / small:.0f}× faster (target ≥ 100×)"
    )

    grow_and_time(args, total, small, normal_orders, ours)


def database_exists(args, name: str) -> bool:
    return bool(
        subprocess.run(
            ["psql", "-h", args.host, "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )


def database_wrapper(name: str):
    """A second connection like ``default`` but to database ``name``."""
    from django.db import connections
    from django.db.utils import load_backend

    base = connections.settings["default"]
    return load_backend(base["ENGINE"]).DatabaseWrapper({**base, "NAME": name}, "default")


def grow_and_time(args, total, small, normal_orders, ours):
    """(b) with both histories side by side: the database as it is (--history-small) is
    copied, the original grown to --history-large orders, and the same normal day rolled
    up in the two databases alternately, so load from elsewhere on the machine falls on
    both alike."""
    from django.db import connections

    small_db = f"{args.db}_small_history"
    if count_orders() < args.history_large:
        connections.close_all()
        subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", small_db], check=True)
        subprocess.run(["createdb", "-h", args.host, "-U", "postgres", "-T", args.db, small_db], check=True)
        print(f"» {args.db} copied to {small_db} with {total:,} orders of history")
        missing = args.history_large - total
        print(f"» growing history by {missing:,} orders")
        started = time.monotonic()
        with IndexesSetAside():
            generate_orders(
                missing, HISTORY_END - dt.timedelta(days=364 * 3), HISTORY_END, "more history", step=1_000_000
            )
        print(f"  history grown in {time.monotonic() - started:.0f} s", flush=True)
    if not database_exists(args, small_db):
        print(f"(b) {small_db} is missing: run without --keep to rebuild both histories")
        return
    large_db = connections["default"].settings_dict["NAME"]
    connections.close_all()
    wrappers = {"small": database_wrapper(small_db), "large": database_wrapper(large_db)}
    totals, times = {}, {"small": [], "large": []}
    for size, wrapper in wrappers.items():
        connections._connections.default = wrapper
        totals[size] = count_orders()
        ours(NORMAL_DAY)  # warm-up
    rounds = max(args.repeat, 5) * 2
    for i in range(rounds):
        for size in ("small", "large") if i % 2 == 0 else ("large", "small"):
            connections._connections.default = wrappers[size]
            start = time.perf_counter()
            ours(NORMAL_DAY)
            times[size].append(time.perf_counter() - start)
    for wrapper in wrappers.values():
        wrapper.close()
    small_ms, large_ms = (statistics.median(times[s]) * 1000 for s in ("small", "large"))
    print(
        f"(b) normal day, {normal_orders:,} orders, {rounds} runs each, alternating (median; min–max):\n"
        f"      {totals['small']:>12,} orders of history: {small_ms:6.0f} ms "
        f"({min(times['small']) * 1000:.0f}–{max(times['small']) * 1000:.0f})\n"
        f"      {totals['large']:>12,} orders of history: {large_ms:6.0f} ms "
        f"({min(times['large']) * 1000:.0f}–{max(times['large']) * 1000:.0f})\n"
        f"      ratio {large_ms / small_ms:.2f} (target ≤ 1.3, < 2 s at the large size); load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
