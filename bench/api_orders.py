"""API order-creation benchmark (run by hand): gunicorn with 4 workers on PostgreSQL,
32 concurrent clients creating orders for 60 s against an orders table that already
holds --orders orders (1,000,000 by default: a year of the 32 partners' orders in the
three channels, 1–3 lines each, loaded set-based by bench/rollups.py's generator with
the plain indexes set aside and rebuilt before the clock starts); prints orders/s,
p50/p99 latency, and checks that the orders created equal the 201 responses.

    DEBUG=1 .venv/bin/python bench/api_orders.py [--db rt_bench_api] [--orders 1000000]
        [--clients 32] [--seconds 60] [--workers 4]

The exit status is 1 when anything went wrong: a connection error or a client timeout
(counted as they happen), any 5xx answer, or created orders that differ from the 201s.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench_api")
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the table before the clients start")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "rural_taobao.settings", "CELERY_BROKER_URL": ""})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from rest_framework.authtoken.models import Token

    from orders.models import Order
    from tests.support.factories import CategoryFactory, CountyFactory, PartnerFactory, VillageFactory
    from tests.support.load import create_orders
    from tests.support.servers import gunicorn

    county = CountyFactory(code="410225", name="兰考县")
    category = CategoryFactory(slug="appliances")
    # One partner per client, as in the field: each partner works their own phone.
    tokens = [
        Token.objects.create(
            user=PartnerFactory(
                active=True, phone=f"1370000{i:04d}", village=VillageFactory(county=county, name=f"测试村{i}")
            ).user
        ).key
        for i in range(args.clients)
    ]
    CategoryFactory(slug="vegetables", is_farm_produce=True)  # the generated farm-produce orders' lines
    preload_orders(args.orders)
    before = Order.objects.count()
    extra = {"WRITE_THROTTLE_RATE": "1000000/min", "READ_THROTTLE_RATE": "1000000/min"}
    failures = count_connection_failures()
    print(
        f"» gunicorn --workers {args.workers}, {args.clients} clients, {args.seconds:.0f} s, {before:,} orders in the table"
    )
    with gunicorn(url, workers=args.workers, extra_env=extra) as port:
        # no duplicate sends or client timeouts here: every request is a new order
        result = create_orders(
            port, tokens, category.slug, duration=args.seconds, duplicate_every=10**9, retry_every=10**9
        )
    summary = result.summary()
    new_orders = Order.objects.count() - before
    created = result.statuses.get(201, 0)
    server_errors = sum(n for status, n in result.statuses.items() if status >= 500)
    print(f"orders/s: {created / result.seconds:.1f}   p50: {summary['p50_ms']} ms   p99: {summary['p99_ms']} ms")
    print(
        f"responses: {summary['statuses']}   201s: {created:,}   orders created: {new_orders:,}   "
        f"{'OK: equal' if new_orders == created else 'MISMATCH'}"
    )
    print(f"connection errors and timeouts: {sum(failures.values()):,} {dict(failures) or ''}   5xx: {server_errors:,}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    ok = new_orders == created and not failures and not server_errors
    sys.exit(0 if ok else 1)


def preload_orders(n: int) -> None:
    """n orders of the partners' villagers over the last year, set-based (30 villagers a
    partner, the phones the clients use, so their orders find them)."""
    from django.db import connection

    from bench.rollups import IndexesSetAside, generate_orders
    from rural_taobao import dates

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO orders_villager (name, phone, created_at, partner_id, village_id)
            SELECT '村民' || (k + 1), '139' || lpad(k::text, 8, '0'), now(), p.id, p.village_id
              FROM partners_partner p CROSS JOIN generate_series(0, 29) k
            """
        )
    if n:
        yesterday = dates.shanghai_yesterday()
        with IndexesSetAside():
            generate_orders(n, yesterday - dt.timedelta(days=364), yesterday, "orders of the last year")


def count_connection_failures() -> Counter:
    """Counts every connection error and client timeout of the load's requests (the load
    helper retries or skips them; here each one fails the run)."""
    from tests.support import load

    failures: Counter = Counter()
    lock = threading.Lock()
    send = load.request

    def counted(*args, **kwargs):
        try:
            return send(*args, **kwargs)
        except OSError as exc:  # TimeoutError and connection errors alike
            with lock:
                failures[type(exc).__name__] += 1
            raise

    load.request = counted
    return failures


if __name__ == "__main__":
    main()
