"""Server time and page weight of the partner's order pages (run by hand, prints figures).

    .venv/bin/python bench/orders_pages.py [--db orders_bench] [--seed] [--orders 1000000]
        [--requests 200] [--writes 50]

Against a PostgreSQL database filled by ``seed_demo --orders 1000000`` (``--seed`` creates
it: createdb, migrate, seed_demo). It logs in as the busiest active partner and times,
in process with Django's test Client (server time: URL routing, middleware, queries,
templates; no network), many requests of each page: the new-order form, the order list
with each filter and a deep page, the order detail, the partner home, the villagers
page, and placing an order (POST). It prints p50 / p95 / max and the queries per
request, the plans of the list queries, and the first-load weight of the new-order
page: its HTML and every stylesheet, script and icon it references, gzip-compressed as
whitenoise serves the static files (the HTML as a gzip-ing proxy would).

Targets (issue 4): p95 < 100 ms with 1,000,000 orders; new-order page < 150 KB.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0
TARGET_WEIGHT_KB = 150.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="orders_bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", action="store_true", help="create the database and run seed_demo first")
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders for seed_demo (with --seed)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--writes", type=int, default=50, help="orders placed through the form (POST)")
    return parser.parse_args()


def setup(args):
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rural_taobao.settings")
    if args.seed:
        subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True)
        subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if args.seed:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", orders=args.orders, money=False, verbosity=1)
    # Production-like: no query log kept in memory per request.
    settings.DEBUG = False


def busiest_partner():
    from django.db.models import Count

    from orders.models import Order
    from partners.models import Partner, PartnerStatus

    row = (
        Order.objects.filter(partner__status=PartnerStatus.ACTIVE, partner__user__isnull=False)
        .values("partner")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return Partner.objects.select_related("user").get(pk=row["partner"]), row["n"]


def timed(client, method: str, url_or_fn, n: int, data=None) -> tuple[list[float], int, int, list[float]]:
    """Times n requests (after a short warm-up): wall-clock ms per request, the status and
    queries of one, and the CPU ms this process spent per request (Django's own work,
    less sensitive than wall-clock time to other processes on a shared machine)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def url():
        return url_or_fn() if callable(url_or_fn) else url_or_fn

    def call():
        if method == "GET":
            return client.get(url())
        return client.post(url(), data() if callable(data) else data)

    for _ in range(min(5, n)):
        call()
    with CaptureQueriesContext(connection) as captured:
        response = call()
    queries = len(captured.captured_queries)  # before the next requests reset the query log
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return times, response.status_code, queries, cpu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    nodes = [line.strip() for line in lines if "Scan" in line or "Sort" in line or "Limit" in line][:4]
    total = next(line for line in lines if line.startswith("Execution Time"))
    return "; ".join(nodes) + f" | {total}"


def page_weight(client, url: str) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """The page and what it references; then what the service worker fetches when it
    installs on that first visit (the worker script, its precache, the manifest, the
    offline page), counted once: files the page already loaded come from the cache."""
    import json

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from whitenoise.compress import Compressor

    def gz(data: bytes) -> int:
        return len(Compressor.compress_gzip(data))

    def static_file(path: str) -> bytes:
        return Path(finders.find(path[len(settings.STATIC_URL) :])).read_bytes()

    html = client.get(url).content
    page = [("HTML (the page)", len(html), gz(html))]
    seen = set()
    for path in dict.fromkeys(re.findall(rb'(?:href|src)="(/static/[^"?#]+)"', html)):
        name = path.decode()
        seen.add(name)
        data = static_file(name)
        page.append((name[len(settings.STATIC_URL) :], len(data), gz(data)))

    worker = []
    sw_url = re.search(rb'data-sw="([^"]+)"', html)
    if sw_url:
        script = client.get(sw_url.group(1).decode()).content
        worker.append((f"service worker {sw_url.group(1).decode()}", len(script), gz(script)))
        config = re.search(rb"RT_CONFIG\s*=\s*(\{.*?\});", script, re.S)
        extras = json.loads(config.group(1)) if config else {}
        for name in extras.get("precache", []):
            if name not in seen:
                data = static_file(name)
                worker.append((f"precache {name[len(settings.STATIC_URL) :]}", len(data), gz(data)))
        if extras.get("offlinePage"):
            data = client.get(extras["offlinePage"]).content
            worker.append((f"precache {extras['offlinePage']}", len(data), gz(data)))
    manifest = re.search(rb'rel="manifest" href="([^"]+)"', html)
    if manifest:
        data = client.get(manifest.group(1).decode()).content
        worker.append((f"manifest {manifest.group(1).decode()}", len(data), gz(data)))
    return page, worker


def main():
    args = parse_args()
    setup(args)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from orders.models import Category, Order, Villager

    total_orders = Order.objects.count()
    partner, partner_orders = busiest_partner()
    villager = Villager.objects.filter(village=partner.village).order_by("id").first()
    order = Order.objects.filter(partner=partner).order_by("-placed_at").first()
    today = timezone.localdate()
    category = Category.objects.filter(is_farm_produce=False).order_by("sort_order").first()
    print(f"database {args.db}: {total_orders:,} orders; busiest active partner #{partner.pk} with {partner_orders:,}")

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(partner.user)

    def new_form_url():
        return f"/partner/orders/new/?form={uuid.uuid4()}"

    def new_order_post():
        return {
            "client_request_id": str(uuid.uuid4()),
            "channel": "assisted_purchase",
            "villager_phone": villager.phone,
            "villager_name": "",
            "promotion": "",
            "buyer_organisation": "",
            "reference": "",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "50",
            "lines-0-product_name": "电饭煲",
            "lines-0-category": category.slug,
            "lines-0-quantity": "1",
            "lines-0-unit_price": "199.00",
            "lines-1-product_name": "",
            "lines-1-category": "",
            "lines-1-quantity": "1",
            "lines-1-unit_price": "",
        }

    month_ago = (today.replace(day=1)).isoformat()
    pages = [
        ("new-order form", "GET", new_form_url, args.requests),
        ("new-order (redirect to a form id)", "GET", "/partner/orders/new/", args.requests),
        ("order list, page 1", "GET", "/partner/orders/", args.requests),
        ("order list, status=paid", "GET", "/partner/orders/?status=paid", args.requests),
        ("order list, status=placed", "GET", "/partner/orders/?status=placed", args.requests),
        ("order list, channel=farm_produce", "GET", "/partner/orders/?channel=farm_produce", args.requests),
        ("order list, this month", "GET", f"/partner/orders/?created_after={month_ago}", args.requests),
        ("order list, villager phone", "GET", f"/partner/orders/?villager_phone={villager.phone}", args.requests),
        ("order list, all filters", "GET",
         f"/partner/orders/?status=picked_up&channel=assisted_purchase&created_after=2025-01-01&created_before={today}",
         args.requests),
        ("order list, page 20", "GET", "/partner/orders/?page=20", args.requests),
        ("order detail", "GET", f"/partner/orders/{order.pk}/", args.requests),
        ("partner home", "GET", "/partner/", args.requests),
        ("villagers, page 1", "GET", "/partner/villagers/", args.requests),
        ("villager type-ahead", "GET", f"/partner/villagers/lookup/?q={villager.phone[:5]}", args.requests),
        ("API: GET /api/v1/orders/", "GET", "/api/v1/orders/", args.requests),
        ("API: GET /api/v1/orders/?status=paid", "GET", "/api/v1/orders/?status=paid", args.requests),
        ("place an order (POST)", "POST", "/partner/orders/new/", args.writes),
    ]  # fmt: skip

    print(f"\nserver time per request, ms (Django test Client, {args.requests} requests each after warm-up)")
    print(f"load average of the machine before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'page':<40} {'status':>6} {'queries':>7} {'p50':>8} {'p95':>8} {'max':>8} {'cpu p50':>8}"
        f"  target p95 < {TARGET_MS:.0f}"
    )
    worst = 0.0
    for label, method, url, n in pages:
        data = new_order_post if method == "POST" else None
        times, status, queries, cpu = timed(client, method, url, n, data)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        worst = max(worst, p95)
        verdict = "ok" if p95 < TARGET_MS else "SLOW"
        print(
            f"{label:<40} {status:>6} {queries:>7} {p50:8.1f} {p95:8.1f} {max(times):8.1f} "
            f"{statistics.median(cpu):8.1f}  {verdict}"
        )

    readers = [
        ("API as admin: all orders, with count", User.objects.filter(is_superuser=True, is_active=True)),
        ("API as county staff: their county", User.objects.filter(groups__name="county_staff", county_assignments__isnull=False)),
    ]  # fmt: skip
    for label, users in readers:
        reader = users.order_by("pk").first()
        if reader is None:
            continue
        reader_client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        reader_client.force_login(reader)
        times, status, queries, cpu = timed(reader_client, "GET", "/api/v1/orders/", max(10, args.requests // 4))
        print(
            f"{label:<40} {status:>6} {queries:>7} {statistics.median(times):8.1f} "
            f"{percentile(times, 0.95):8.1f} {max(times):8.1f} {statistics.median(cpu):8.1f}  (for information)"
        )
    print(f"load average of the machine after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    print("\nplans of the order list queries (EXPLAIN ANALYZE of the page's main query)")
    for label, url in [
        ("page 1", "/partner/orders/"),
        ("status=paid", "/partner/orders/?status=paid"),
        ("channel=farm_produce", "/partner/orders/?channel=farm_produce"),
        ("this month", f"/partner/orders/?created_after={month_ago}"),
        ("villager phone", f"/partner/orders/?villager_phone={villager.phone}"),
        ("page 20", "/partner/orders/?page=20"),
    ]:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        main_query = next(q["sql"] for q in captured.captured_queries if 'FROM "orders_order"' in q["sql"])
        print(f"  {label:<22} {explain(main_query)}")

    print("\nfirst load of the new-order page (gzip as whitenoise serves static files; HTML gzip-ed by a proxy)")
    page, worker = page_weight(client, new_form_url())
    for name, raw, gz in page + worker:
        print(f"  {name:<48} {raw / 1024:8.1f} KB raw {gz / 1024:8.1f} KB gzip")
    total_raw, total_gz = sum(r[1] for r in page + worker), sum(r[2] for r in page + worker)
    page_gz = sum(r[2] for r in page)
    print(f"  {'the page alone':<48} {sum(r[1] for r in page) / 1024:8.1f} KB raw {page_gz / 1024:8.1f} KB gzip")
    print(
        f"  {'total with the service worker install':<48} {total_raw / 1024:8.1f} KB raw {total_gz / 1024:8.1f} KB gzip"
        f"   target < {TARGET_WEIGHT_KB:.0f} KB"
    )
    print(
        f"  repeat visits: static files are cached (hashed names, long max-age), only the HTML: {page[0][2] / 1024:.1f} KB"
    )

    print(
        f"\nverdict: worst p95 {worst:.1f} ms ({'ok' if worst < TARGET_MS else 'over target'}), "
        f"page weight {total_gz / 1024:.1f} KB gzip / {total_raw / 1024:.1f} KB raw "
        f"({'ok' if total_raw / 1024 < TARGET_WEIGHT_KB else 'over target'})"
    )


if __name__ == "__main__":
    main()
