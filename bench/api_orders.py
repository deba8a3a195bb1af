"""API order-creation benchmark (run by hand): gunicorn with 4 workers on PostgreSQL,
32 concurrent clients creating orders for 60 s; prints orders/s, p50/p99 latency, and
checks that the orders in the database equal the 201 responses.

    .venv/bin/python bench/api_orders.py [--db rt_bench_api] [--clients 32] [--seconds 60] [--workers 4]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench_api")
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
    extra = {"WRITE_THROTTLE_RATE": "1000000/min", "READ_THROTTLE_RATE": "1000000/min"}
    print(f"» gunicorn --workers {args.workers}, {args.clients} clients, {args.seconds:.0f} s")
    with gunicorn(url, workers=args.workers, extra_env=extra) as port:
        # no duplicate sends or client timeouts here: every request is a new order
        result = create_orders(
            port, tokens, category.slug, duration=args.seconds, duplicate_every=10**9, retry_every=10**9
        )
    summary = result.summary()
    in_db = Order.objects.count()
    created = result.statuses.get(201, 0)
    print(f"orders/s: {created / result.seconds:.1f}   p50: {summary['p50_ms']} ms   p99: {summary['p99_ms']} ms")
    print(
        f"responses: {summary['statuses']}   201s: {created:,}   orders in the database: {in_db:,}   "
        f"{'OK: equal' if in_db == created else 'MISMATCH'}"
    )
    print(f"load average: {os.getloadavg()}")
    sys.exit(0 if in_db == created else 1)


if __name__ == "__main__":
    main()
