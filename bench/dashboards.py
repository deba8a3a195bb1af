"""Whole-page server time of the dashboards at 100,000 and at 10,000,000 orders (run by hand).

    .venv/bin/python bench/dashboards.py [--db dashboards_bench] [--requests 200]
        [--small 100000] [--large 10000000] [--keep]

What it measures: p50 / p95 / max of the server time of each dashboard page — URL
routing, middleware, session and login, every query and the template rendering — with
Django's test Client in process (no network, no browser), ``DEBUG`` off, over
``--requests`` requests after a short warm-up, at both sizes in one run, and the ratio
10,000,000 / 100,000 of each p95. Targets (issue 6): county page < 100 ms p95, national
page < 200 ms p95, ratio ≤ 1.3.

How the data is made: the dashboards read only the rollup tables, so what matters is
their size, not the orders themselves. The script creates a fresh PostgreSQL database
with the geography of the programme at full scale — 2,800 counties in 31 provinces,
11 villages each (30,800 villages, each with a service point and an active partner
with a login), 69,200 more partners in the other onboarding statuses (100,000 in all)
and 32 villagers per village (985,600) — and then, for each size, fills the rollup
tables directly with set-based ``INSERT … SELECT`` over ``generate_series`` as the
nightly run would have written them for that many orders a year:

- county c gets a share of the year's orders ∝ rank(c)^-0.5 (a long tail: the busiest
  county sells ~100× the median one); a day's expected orders x = N · share / 365,
  tripled on the 6.18 and 11.11 promotion days; a CountyDay row exists when the day
  had orders (x ≥ 1: round(x · U(0.6, 1.4)); x < 1: one order with probability x),
  with sales of 150–450 yuan an order, some returns, buyers ≈ 0.95 · orders. Two
  years of CountyDay (the earlier year at 0.75×) so the county summary has a growth.
- for the last year, from each CountyDay row: the category × channel rows its orders'
  lines would fill (CountyCategoryChannelDay): orders split 70 / 20 / 10 % over
  assisted purchase, farm produce and procurement, 2 lines an order, each channel's
  L lines falling in P(1 − (1 − 1/P)^L) of its P category pairs (20 goods categories
  for assisted and procurement, 4 produce ones for farm produce: up to 44 rows a
  county-day, a busy county's every day; until December 2026 the bench capped them at
  12, which left the 10M world smaller than it claimed), min(orders, 11) village rows (VillageDay) and one
  PartnerDailyIncome row per village row (its active partner), one CountyBuyerDay row
  per buyer (distinct villagers of the county), PromotionCountyDay rows on promotion
  days; ProvinceDay and NationalDay summed from CountyDay; the county summary
  (trailing 12 months, ranks) by ``analytics.rollups.refresh_county_summary``; the
  month rows (category × channel by month, buyers by month) summed from the day rows; one
  succeeded RollupRun for the freshness line.

At 10,000,000 orders this is about 45 million rollup rows (printed per table). Pages
timed: the county dashboard (default last 30 days) of the busiest county and of the
median county, the busiest county over this year, the national dashboard, a deep
ranking page sorted by growth, and the county dashboard API.
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTIES = 2800
PROVINCES = 31
VILLAGES_PER_COUNTY = 11
VILLAGERS_PER_VILLAGE = 32
OTHER_PARTNERS = 69_200
# Orders by channel (as seed_demo's and bench/rollups.py's worlds) and lines an order (1–3).
CHANNEL_SHARES = {"assisted_purchase": 0.70, "farm_produce": 0.20, "government_procurement": 0.10}
LINES_PER_ORDER = 2
TARGETS_MS = {"county": 100.0, "national": 200.0}
MAX_RATIO = 1.3
ROLLUP_TABLES = [
    "counties_countyday",
    "counties_countycategorychannelday",
    "counties_villageday",
    "counties_countybuyerday",
    "counties_promotioncountyday",
    "counties_provinceday",
    "counties_nationalday",
    "partners_partnerdailyincome",
    "counties_countycategorychannelmonth",
    "counties_countybuyermonth",
    "counties_countysummary",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="dashboards_bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and size")
    parser.add_argument("--small", type=int, default=100_000, help="orders a year, first size")
    parser.add_argument("--large", type=int, default=10_000_000, help="orders a year, second size")
    parser.add_argument("--keep", action="store_true", help="keep the databases (default: drop them at the end)")
    parser.add_argument(
        "--reuse", action="store_true", help="time the databases a --keep run left, without rebuilding them"
    )
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup_database(args) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rural_taobao.settings")
    os.environ.pop("DATABASE_REPLICA_URL", None)
    if not args.reuse:
        subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", args.db], check=True)
        subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not args.reuse:
        call_command("migrate", verbosity=0)
    # Production-like: no query log kept in memory per request.
    settings.DEBUG = False


def sql(statement: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        # Without parameters the statement is sent as is (a literal % needs no escaping).
        cursor.execute(statement, params)
        return cursor.rowcount


def scalar(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


# ── The programme's geography, once ──────────────────────────────────────────


def build_geography() -> None:
    started = time.monotonic()
    sql("SELECT setseed(0.2015)")
    sql(
        """
        INSERT INTO counties_province (code, name, name_en, region)
        SELECT lpad((10 + i)::text, 2, '0'), '省份' || i, 'Province ' || i,
               (ARRAY['east', 'central', 'west', 'northeast'])[1 + i %% 4]
          FROM generate_series(1, %s) i
        """,
        [PROVINCES],
    )
    sql(
        """
        INSERT INTO counties_county (code, name, name_en, region, economic_focus, characteristic_products, profile,
                                     is_poverty_county, partnership_since, partner_office, yearly_sales_target,
                                     created_at, updated_at, province_id)
        SELECT p.code || lpad((i / %s + 1)::text, 4, '0'), '测试县' || i, 'County ' || i, p.region, 'mixed', '', '',
               i %% 5 = 0, DATE '2015-07-01', '', 50000000, now(), now(), p.id
          FROM generate_series(0, %s - 1) i
          JOIN counties_province p ON p.code = lpad((11 + i %% %s)::text, 2, '0')
         ORDER BY i
        """,
        [PROVINCES, COUNTIES, PROVINCES],
    )
    sql(
        """
        INSERT INTO counties_village (name, township, created_at, county_id)
        SELECT '村' || j, '乡' || (j %% 3), now(), c.id
          FROM counties_county c CROSS JOIN generate_series(0, %s - 1) j
         ORDER BY c.id, j
        """,
        [VILLAGES_PER_COUNTY],
    )
    sql(
        """
        INSERT INTO counties_servicepoint (address, opened_on, closed_on, village_id)
        SELECT v.name || '村委会旁', DATE '2015-08-01', NULL, v.id FROM counties_village v
        """
    )
    sql(
        """
        INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email,
                               is_staff, is_active, date_joined)
        SELECT '!', NULL, false, 'partner' || v.id, '', '', '', false, true, now() FROM counties_village v
        """
    )
    sql(
        """
        INSERT INTO partners_partner (real_name, phone, status, previous_occupation, motivation, applied_at,
                                      activated_at, exited_at, status_changed_at, service_point_id, user_id,
                                      village_id, service_point_address)
        SELECT '合伙人' || v.id, '13' || lpad(v.id::text, 9, '0'), 'active', '', '', now() - interval '800 days',
               now() - interval '780 days', NULL, now() - interval '780 days', sp.id, u.id, v.id, ''
          FROM counties_village v
          JOIN counties_servicepoint sp ON sp.village_id = v.id
          JOIN auth_user u ON u.username = 'partner' || v.id
        """
    )
    first_village, villages = scalar("SELECT min(id) FROM counties_village"), COUNTIES * VILLAGES_PER_COUNTY
    sql(
        """
        INSERT INTO partners_partner (real_name, phone, status, previous_occupation, motivation, applied_at,
                                      activated_at, exited_at, status_changed_at, service_point_id, user_id,
                                      village_id, service_point_address)
        SELECT '申请人' || i, '15' || lpad(i::text, 9, '0'),
               (ARRAY['applied', 'reviewing', 'approved', 'training', 'suspended', 'exited', 'rejected',
                      'rejected', 'applied', 'exited'])[1 + i %% 10],
               '', '', now() - (i %% 700) * interval '1 day', NULL, NULL, now(), NULL, NULL,
               %s + (i * 7919) %% %s, ''
          FROM generate_series(1, %s) i
        """,
        [first_village, villages, OTHER_PARTNERS],
    )
    sql(
        """
        INSERT INTO orders_villager (name, phone, created_at, partner_id, village_id)
        SELECT '村民' || k, '18' || lpad((p.id * %s + k)::text, 9, '0'), now(), p.id, p.village_id
          FROM partners_partner p CROSS JOIN generate_series(0, %s - 1) k
         WHERE p.status = 'active'
         ORDER BY p.village_id, k
        """,
        [VILLAGERS_PER_VILLAGE, VILLAGERS_PER_VILLAGE],
    )
    sql(
        """
        INSERT INTO orders_category (slug, name_zh, name_en, is_farm_produce, sort_order)
        SELECT 'category-' || i, '品类' || i, 'Category ' || i, i > 20, i FROM generate_series(1, 24) i
        """
    )
    yesterday = _yesterday()
    for name, code, month, first, last in (("6.18", "618", 6, 1, 18), ("11.11", "1111", 11, 1, 11)):
        year = yesterday.year if dt.date(yesterday.year, month, first) <= yesterday else yesterday.year - 1
        sql(
            "INSERT INTO orders_promotion (name, code, starts_on, ends_on, description) VALUES (%s, %s, %s, %s, '')",
            [name, f"{code}-{year}", dt.date(year, month, first), dt.date(year, month, last)],
        )
    # Helper tables of the bench (this database is the bench's own).
    sql(
        """
        CREATE TABLE bench_county AS
        SELECT c.id AS county_id, row_number() OVER (ORDER BY md5(c.id::text)) AS rank FROM counties_county c
        """
    )
    sql(
        """
        CREATE TABLE bench_village AS
        SELECT v.id AS village_id, v.county_id, row_number() OVER (PARTITION BY v.county_id ORDER BY v.id) - 1 AS idx,
               p.id AS partner_id
          FROM counties_village v JOIN partners_partner p ON p.village_id = v.id AND p.status = 'active'
        """
    )
    sql(
        """
        CREATE TABLE bench_villager AS
        SELECT vr.id AS villager_id, v.county_id,
               row_number() OVER (PARTITION BY v.county_id ORDER BY vr.id) - 1 AS idx, vr.partner_id
          FROM orders_villager vr JOIN counties_village v ON v.id = vr.village_id
        """
    )
    # The category × channel pairs an order's lines can fall in: assisted purchases and
    # procurement buy the 20 goods categories, farm produce the 4 produce ones.
    sql(
        """
        CREATE TABLE bench_channel AS
        SELECT ch.channel, ch.share, ch.farm, (SELECT count(*) FROM orders_category c WHERE c.is_farm_produce = ch.farm) AS pairs
          FROM (VALUES ('assisted_purchase', %s::numeric, false), ('farm_produce', %s::numeric, true),
                       ('government_procurement', %s::numeric, false)) ch (channel, share, farm)
        """,
        [CHANNEL_SHARES["assisted_purchase"], CHANNEL_SHARES["farm_produce"], CHANNEL_SHARES["government_procurement"]],
    )
    sql(
        """
        CREATE TABLE bench_pair AS
        SELECT ch.channel, row_number() OVER (PARTITION BY ch.channel ORDER BY c.sort_order) - 1 AS idx,
               c.id AS category_id
          FROM bench_channel ch JOIN orders_category c ON c.is_farm_produce = ch.farm
        """
    )
    for statement in (
        "CREATE UNIQUE INDEX ON bench_village (county_id, idx)",
        "CREATE UNIQUE INDEX ON bench_villager (county_id, idx)",
        "CREATE UNIQUE INDEX ON bench_village (village_id)",
        "CREATE UNIQUE INDEX ON bench_pair (channel, idx)",
    ):
        sql(statement)
    # As autovacuum would have: statistics and visibility maps (index-only scans) of the new tables.
    for table in ("counties_county", "counties_village", "counties_servicepoint", "partners_partner",
                  "orders_villager", "auth_user", "bench_county", "bench_village", "bench_villager"):  # fmt: skip
        sql(f"VACUUM ANALYZE {table}")
    log(
        f"geography: {COUNTIES:,} counties, {villages:,} villages, "
        f"{scalar('SELECT count(*) FROM partners_partner'):,} partners, "
        f"{scalar('SELECT count(*) FROM orders_villager'):,} villagers in {time.monotonic() - started:.0f} s"
    )


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _yesterday() -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=1)


# ── The rollup tables for N orders a year ────────────────────────────────────


def fill_rollups(orders_a_year: int) -> dict[str, int]:
    """Empty the rollup tables and write them as a year of ``orders_a_year`` orders would."""
    from analytics.rollups import refresh_county_summary

    started = time.monotonic()
    sql("TRUNCATE " + ", ".join(ROLLUP_TABLES) + ", counties_rolluprun")
    sql("SELECT setseed(0.618)")
    yesterday = _yesterday()
    year_start = yesterday - dt.timedelta(days=364)
    first_day = yesterday - dt.timedelta(days=729)
    harmonic = sum(k**-0.5 for k in range(1, COUNTIES + 1))
    # Each day's weight: promotion days ×3, the earlier of the two years ×0.75.
    sql("DROP TABLE IF EXISTS bench_day")
    sql(
        """
        CREATE TABLE bench_day AS
        SELECT d::date AS day,
               CASE WHEN EXISTS (SELECT 1 FROM orders_promotion p WHERE d::date BETWEEN p.starts_on AND p.ends_on)
                    THEN 3 ELSE 1 END * CASE WHEN d::date < %s THEN 0.75 ELSE 1 END AS factor
          FROM generate_series(%s::date, %s::date, interval '1 day') d
        """,
        [year_start, first_day, yesterday],
    )
    # FK triggers off while bulk-loading generated rows whose keys are known to exist.
    sql("SET session_replication_role = replica")
    sql("SET work_mem = '256MB'")
    try:
        sql(
            """
            INSERT INTO counties_countyday (day, county_id, sales, returns, commission, orders, returned_orders,
                                            buyers, active_partners)
            SELECT day, county_id, sales, returns, round(sales * 0.03, 2), orders, (returns > 0)::int,
                   least(ceil(orders * 0.95)::int, %(villagers)s), least(orders, %(villages)s)
              FROM (SELECT day, county_id, orders,
                           round((orders * (150 + 300 * random()))::numeric, 2) AS sales,
                           CASE WHEN random() < 0.25 THEN round((orders * 300 * random() * 0.1)::numeric, 2)
                                ELSE 0 END AS returns
                      FROM (SELECT d.day, c.county_id,
                                   CASE WHEN x.expected >= 1
                                        THEN greatest(1, round(x.expected * (0.6 + 0.8 * random())))::int
                                        ELSE (random() < x.expected)::int END AS orders
                              FROM bench_county c
                             CROSS JOIN bench_day d
                             CROSS JOIN LATERAL (
                                   SELECT %(n)s * power(c.rank, -0.5) / %(h)s / 365.0 * d.factor AS expected) x
                           ) o
                     WHERE orders > 0) s
            """,
            {
                "n": orders_a_year,
                "h": harmonic,
                "villagers": VILLAGES_PER_COUNTY * VILLAGERS_PER_VILLAGE,
                "villages": VILLAGES_PER_COUNTY,
            },
        )
        sql(
            """
            INSERT INTO counties_countycategorychannelday (day, county_id, category_id, channel, sales, returns,
                                                           commission, orders, returned_orders, buyers)
            SELECT cd.day, cd.county_id, bp.category_id, ch.channel, round(cd.sales * ch.share / k.k, 2),
                   round(cd.returns * ch.share / k.k, 2), round(cd.commission * ch.share / k.k, 2),
                   least(ceil(cd.orders * ch.share)::int, greatest(1, round(cd.orders * ch.share * %(lines)s / k.k)::int)),
                   0, least(ceil(cd.buyers * ch.share)::int, greatest(1, round(cd.buyers * ch.share * %(lines)s / k.k)::int))
              FROM counties_countyday cd
             CROSS JOIN bench_channel ch
             -- The distinct pairs the channel's lines hit: L lines over P pairs touch
             -- P·(1 − (1 − 1/P)^L) of them (randomly rounded; a county-day with orders
             -- has at least one assisted-purchase row).
             CROSS JOIN LATERAL (
                   SELECT CASE WHEN ch.channel = 'assisted_purchase' THEN greatest(1, x.k) ELSE x.k END AS k
                     FROM (SELECT floor(ch.pairs * (1 - power(1 - 1.0 / ch.pairs, cd.orders * ch.share * %(lines)s))
                                        + random())::int AS k) x) k
             CROSS JOIN LATERAL generate_series(1, k.k) j
              JOIN bench_pair bp ON bp.channel = ch.channel
                                AND bp.idx = (j + cd.county_id + (cd.day - DATE '2000-01-01')) %% ch.pairs
             WHERE cd.day >= %(year_start)s
            """,
            {"lines": LINES_PER_ORDER, "year_start": year_start},
        )
        sql(
            """
            INSERT INTO counties_villageday (day, village_id, county_id, sales, returns, orders, buyers)
            SELECT cd.day, bv.village_id, cd.county_id, round(cd.sales / m.m, 2), round(cd.returns / m.m, 2),
                   greatest(1, cd.orders / m.m), greatest(1, cd.buyers / m.m)
              FROM counties_countyday cd
             CROSS JOIN LATERAL (SELECT least(cd.orders, %s) AS m) m
             CROSS JOIN LATERAL generate_series(1, m.m) j
              JOIN bench_village bv ON bv.county_id = cd.county_id
                                   AND bv.idx = (j * 3 + (cd.day - DATE '2000-01-01')) %% %s
             WHERE cd.day >= %s
            """,
            [VILLAGES_PER_COUNTY, VILLAGES_PER_COUNTY, year_start],
        )
        sql(
            """
            INSERT INTO partners_partnerdailyincome (partner_id, day, orders, returned_orders, sales, returned_sales,
                                                     assisted_sales, commission, reversals)
            SELECT bv.partner_id, vd.day, vd.orders, (vd.returns > 0)::int, vd.sales, vd.returns,
                   round(vd.sales * 0.8, 2), round(vd.sales * 0.03, 2), round(vd.returns * 0.03, 2)
              FROM counties_villageday vd JOIN bench_village bv ON bv.village_id = vd.village_id
            """
        )
        sql(
            """
            INSERT INTO counties_countybuyerday (day, county_id, villager_id, partner_id)
            SELECT cd.day, cd.county_id, bvr.villager_id, bvr.partner_id
              FROM counties_countyday cd
             CROSS JOIN LATERAL generate_series(1, cd.buyers) s
              JOIN bench_villager bvr ON bvr.county_id = cd.county_id
                                     AND bvr.idx = (s * 7919 + (cd.day - DATE '2000-01-01') * 131) %% %s
             WHERE cd.day >= %s
            """,
            [VILLAGES_PER_COUNTY * VILLAGERS_PER_VILLAGE, year_start],
        )
        sql(
            """
            INSERT INTO counties_promotioncountyday (day, promotion_id, county_id, sales, returns, orders, buyers)
            SELECT cd.day, p.id, cd.county_id, round(cd.sales * 0.6, 2), 0, greatest(1, (cd.orders * 0.6)::int),
                   greatest(1, (cd.buyers * 0.6)::int)
              FROM counties_countyday cd JOIN orders_promotion p ON cd.day BETWEEN p.starts_on AND p.ends_on
             WHERE cd.day >= %s
            """,
            [year_start],
        )
        sql(
            """
            INSERT INTO counties_provinceday (day, province_id, sales, returns, orders, buyers, active_partners)
            SELECT cd.day, c.province_id, sum(cd.sales), sum(cd.returns), sum(cd.orders), sum(cd.buyers),
                   sum(cd.active_partners)
              FROM counties_countyday cd JOIN counties_county c ON c.id = cd.county_id
             GROUP BY cd.day, c.province_id
            """
        )
        sql(
            """
            INSERT INTO counties_nationalday (day, sales, returns, orders, buyers, active_partners)
            SELECT day, sum(sales), sum(returns), sum(orders), sum(buyers), sum(active_partners)
              FROM counties_provinceday GROUP BY day
            """
        )
    finally:
        sql("SET session_replication_role = DEFAULT")
    from django.db import connection

    def vacuum(tables):
        # As autovacuum would have: statistics and visibility maps. VACUUM cannot run in a
        # transaction block; Django's connection is in autocommit here.
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")

    month_tables = ["counties_countycategorychannelmonth", "counties_countybuyermonth"]
    vacuum([t for t in ROLLUP_TABLES if t not in month_tables])
    # Month rows: what the nightly days of that year would have left (the migration's SQL).
    sql(
        """
        INSERT INTO counties_countycategorychannelmonth (county_id, month, category_id, channel, sales, returns,
                                                         commission, orders, returned_orders)
        SELECT county_id, date_trunc('month', day)::date, category_id, channel, SUM(sales), SUM(returns),
               SUM(commission), SUM(orders), SUM(returned_orders)
          FROM counties_countycategorychannelday GROUP BY county_id, date_trunc('month', day)::date, category_id, channel
        """
    )
    sql(
        """
        INSERT INTO counties_countybuyermonth (county_id, month, villager_id)
        SELECT county_id, date_trunc('month', day)::date, villager_id
          FROM counties_countybuyerday GROUP BY county_id, date_trunc('month', day)::date, villager_id
        """
    )
    vacuum(month_tables)
    refresh_county_summary(yesterday)
    sql(
        "INSERT INTO counties_rolluprun (trigger, started_at, finished_at, status, days_done, first_day, last_day, "
        "rows_written, duration_seconds, error) VALUES ('bench', now(), now(), 'succeeded', 730, %s, %s, 0, 0, '')",
        [first_day, yesterday],
    )
    log(f"rollups for {orders_a_year:,} orders a year written in {time.monotonic() - started:.0f} s")
    return table_counts()


def table_counts() -> dict[str, int]:
    counts = {table: scalar(f"SELECT count(*) FROM {table}") for table in ROLLUP_TABLES}
    year_start = _yesterday() - dt.timedelta(days=364)
    orders = scalar("SELECT coalesce(sum(orders), 0) FROM counties_countyday WHERE day >= %s", [year_start])
    counts["orders in the last year (sum of CountyDay.orders)"] = orders
    return counts


# ── Timing ───────────────────────────────────────────────────────────────────


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def profile(client, url: str) -> dict:
    """Warm up a page, then one request with its queries captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = list(captured.captured_queries)  # before the next request resets the query log
    slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:3]
    return {
        "queries": len(queries),
        "query_ms": sum(float(q["time"]) for q in queries) * 1000,
        "slowest": [(float(q["time"]) * 1000, q["sql"][:110]) for q in slowest],
    }


def timed(client, url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
    return times


def pages() -> list[tuple[str, str, str, str]]:
    """(name, kind, who, url) of each page timed."""
    from django.urls import reverse

    busiest = scalar("SELECT c.code FROM bench_county b JOIN counties_county c ON c.id = b.county_id WHERE b.rank = 1")
    median = scalar(
        "SELECT c.code FROM bench_county b JOIN counties_county c ON c.id = b.county_id WHERE b.rank = %s",
        [COUNTIES // 2],
    )
    return [
        ("county page, busiest county, last 30 days", "county", "staff", reverse("dashboards:county", args=[busiest])),
        ("county page, median county, last 30 days", "county", "staff", reverse("dashboards:county", args=[median])),
        (
            "county page, busiest county, this year",
            "county",
            "staff",
            reverse("dashboards:county", args=[busiest]) + "?period=year",
        ),
        ("national page, last 30 days", "national", "admin", reverse("dashboards:national")),
        (
            "national page, ranking by growth, page 20",
            "national",
            "admin",
            reverse("dashboards:national") + "?ordering=-growth&page=20",
        ),
        (
            "API county dashboard, busiest county",
            "county",
            "staff",
            reverse("api-county-dashboard", kwargs={"code": busiest}),
        ),
    ]


def create_logins() -> dict:
    """Test clients logged in as a staff member of the timed counties and as an admin."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from counties.models import County, CountyStaffAssignment

    staff, _ = User.objects.get_or_create(username="bench_staff")
    staff.groups.add(Group.objects.get(name="county_staff"))
    codes = [url.split("/")[3] for _, _, who, url in pages() if who == "staff" and "/dashboard/county/" in url]
    for county in County.objects.filter(code__in=codes):
        CountyStaffAssignment.objects.get_or_create(user=staff, county=county)
    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"is_superuser": True, "is_staff": True})
    admin.groups.add(Group.objects.get(name="admin"))
    logins = {}
    for who, user in (("staff", staff), ("admin", admin)):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        logins[who] = client
    return logins


def use_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def database_wrappers(names: list[str]) -> dict:
    """One open connection per database, swapped in as ``default`` request by request."""
    from django.db import connections
    from django.db.utils import load_backend

    connections.close_all()
    base = connections.settings["default"]
    backend = load_backend(base["ENGINE"])
    return {name: backend.DatabaseWrapper({**base, "NAME": name}, "default") for name in names}


def use_wrapper(wrapper) -> None:
    from django.db import connections

    # The handler keeps each thread's connections in an asgiref Local: this replaces "default".
    connections._connections.default = wrapper


def clone_database(host: str, source: str, target: str) -> None:
    from django.db import connections

    connections.close_all()
    subprocess.run(["dropdb", "-h", host, "-U", "postgres", "--if-exists", target], check=True)
    subprocess.run(["createdb", "-h", host, "-U", "postgres", "-T", source, target], check=True)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main():
    args = parse_args()
    setup_database(args)
    sizes = [args.small, args.large]
    databases = {args.small: args.db, args.large: f"{args.db}_large"}
    counts = {}
    if args.reuse:
        for size in sizes:
            use_database(databases[size])
            counts[size] = table_counts()
        log("reusing the databases of an earlier run")
    else:
        log(f"database {args.db} created and migrated")
        build_geography()
        counts[args.small] = fill_rollups(args.small)
        # The larger size in a copy of the database (same geography).
        clone_database(args.host, args.db, databases[args.large])
        use_database(databases[args.large])
        counts[args.large] = fill_rollups(args.large)

    # Both sizes stay connected and alternate request by request, so load from other
    # processes on the machine falls on both alike: the ratio compares like with like.
    wrappers = database_wrappers([databases[size] for size in sizes])
    page_list = pages()
    info, logins = {}, {}
    for size in sizes:
        use_wrapper(wrappers[databases[size]])
        logins[size] = create_logins()
        info[size] = {name: profile(logins[size][who], url) for name, _, who, url in page_list}
    times = {size: {name: [] for name, *_ in page_list} for size in sizes}
    log(f"timing {args.requests} requests per page and size, alternating (load average {load_average()})")
    for i in range(args.requests):
        for name, _, who, url in page_list:
            for size in sizes if i % 2 == 0 else reversed(sizes):
                use_wrapper(wrappers[databases[size]])
                times[size][name] += timed(logins[size][who], url, 1)
        if (i + 1) % (args.requests // 5 or 1) == 0:
            log(f"  {i + 1}/{args.requests} (load average {load_average()})")
    for wrapper in wrappers.values():
        wrapper.close()

    print()
    print("Rollup rows".ljust(54) + "".join(f"{s:>14,}" for s in sizes))
    for table in counts[sizes[0]]:
        print(f"  {table:<52}" + "".join(f"{counts[s][table]:>14,}" for s in sizes))
    print()
    header = f"{'page':<46}{'orders/yr':>12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'query ms':>10}"
    print(header)
    print("-" * len(header))
    failures = []
    kinds = {name: kind for name, kind, _, _ in page_list}
    for name, *_ in page_list:
        p95 = {}
        for size in sizes:
            values = times[size][name]
            p95[size] = percentile(values, 0.95)
            print(
                f"{name:<46}{size:>12,}{percentile(values, 0.5):>9.1f}{p95[size]:>9.1f}{max(values):>9.1f}"
                f"{info[size][name]['queries']:>9}{info[size][name]['query_ms']:>10.1f}"
            )
        ratio = p95[args.large] / p95[args.small]
        p50_ratio = percentile(times[args.large][name], 0.5) / percentile(times[args.small][name], 0.5)
        target = TARGETS_MS[kinds[name]]
        verdict = "ok" if ratio <= MAX_RATIO and p95[args.large] < target else "OVER"
        print(
            f"{'':<46}{'p95 ratio':>12}{ratio:>9.2f}   (p50 ratio {p50_ratio:.2f})   "
            f"target p95 < {target:.0f} ms, ratio ≤ {MAX_RATIO}: {verdict}"
        )
        if verdict != "ok":
            failures.append(name)
    print()
    print(f"Slowest queries of one request at {args.large:,} orders a year:")
    for name, r in info[args.large].items():
        print(f"  {name}")
        for ms, text in r["slowest"]:
            print(f"    {ms:7.2f} ms  {text}")
    print(f"\nLoad average at the end: {load_average()} ({os.cpu_count()} CPUs)")
    if not args.keep:
        for name in databases.values():
            subprocess.run(["dropdb", "-h", args.host, "-U", "postgres", "--if-exists", name], check=True)
    print("All pages within their targets." if not failures else f"Over target: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
