"""The nightly rollups: one Shanghai day of orders → county, village, promotion,
province, national and partner-income tables, set-based.

Modelled on Zulip's analytics: each day is rebuilt inside one transaction (delete the
day, then one ``INSERT … SELECT … GROUP BY`` per table), so a crash leaves the previous
figures and running a day twice gives identical tables. A day's cost follows the day's
orders (index range scans on ``paid_at`` / ``returned_at`` / ``cancelled_at``), never all
history. The SQL runs on PostgreSQL and on SQLite (the embedded default).

PostgreSQL never runs ``INSERT … SELECT`` in parallel but does run ``CREATE TEMP TABLE
… AS SELECT`` in parallel, so the day's order lines are gathered once into a temp table
and every rollup reads from there.
"""

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, DecimalField, F, Q, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from counties.models import County
from integrity.checks import check_day
from integrity.models import Flag, FlagStatus
from orders.models import Channel, Order, OrderLine
from orders.reconciliation import reconcile_orders
from rural_taobao import dates
from rural_taobao.money import CENT, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from . import settlement
from .models import (
    CountyBuyerDay,
    CountyBuyerMonth,
    CountyCategoryChannelDay,
    CountyCategoryChannelMonth,
    CountyDay,
    CountyOnlineRetailMonth,
    CountySummary,
    NationalDay,
    PartnerDailyIncome,
    PromotionCountyDay,
    ProvinceDay,
    RollupDirtyDay,
    RollupRun,
    RollupRunStatus,
    VillageDay,
)

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")

# Any constant shared by every process that runs rollups (pg_try_advisory_lock key).
ADVISORY_LOCK_KEY = 7_232_015
STALE_RUN_AFTER = dt.timedelta(hours=6)

ORDERS = Order._meta.db_table
LINES = OrderLine._meta.db_table
FLAGS = Flag._meta.db_table
CONFIRMED = FlagStatus.CONFIRMED.value
DAY_LINES = "rollup_day_lines"
DAY_ORDERS = "rollup_day_orders"
# The day's category and buyer rows as they were before its rebuild (for the month rows).
OLD_CATEGORY_DAY = "rollup_old_category_day"
OLD_BUYERS = "rollup_old_buyers"


class RollupAlreadyRunning(Exception):
    """Another rollup run holds the lock; two runs never overlap."""


@dataclass
class RunResult:
    run_id: int
    days: list[dt.date] = field(default_factory=list)
    rows: int = 0
    flags: int = 0  # raised by the integrity checks of the days
    seconds: float = 0.0


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _db_day_bounds(day: dt.date) -> tuple:
    """[start, end) of a Shanghai calendar day, adapted for the database driver."""
    start, end = dates.day_bounds(day)
    ops = connection.ops
    return ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)


def _day_param(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def _execute(cursor, sql: str, params: Iterable = ()) -> int:
    cursor.execute(sql, list(params))
    return max(cursor.rowcount, 0)


# ── one day ──────────────────────────────────────────────────────────────────


def _gather_day(cursor, day: dt.date) -> None:
    """Temp tables of the day's money events: +1 for payments, −1 for returns and for
    cancellations of paid orders (which reverse on their own day)."""
    start, end = _db_day_bounds(day)
    for table in (DAY_LINES, DAY_ORDERS):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    columns = (
        # Sales and commission are the placing partner's (placed_by), whoever holds the order now.
        "o.id AS order_id, o.county_id, o.village_id, o.placed_by_id AS partner_id, o.villager_id, o.channel, "
        "o.promotion_id, l.category_id, l.line_total AS amount, COALESCE(l.commission_amount, 0) AS commission"
    )
    # An order whose integrity flag a reviewer confirmed is not a sale at all.
    genuine = f"NOT EXISTS (SELECT 1 FROM {FLAGS} f WHERE f.order_id = o.id AND f.status = '{CONFIRMED}')"  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
    cursor.execute(
        f"""
        CREATE TEMP TABLE {DAY_LINES} AS
        SELECT {columns}, 1 AS sign
          FROM {ORDERS} o JOIN {LINES} l ON l.order_id = o.id
         WHERE o.paid_at >= %s AND o.paid_at < %s AND {genuine}
        UNION ALL
        SELECT {columns}, -1 AS sign
          FROM {ORDERS} o JOIN {LINES} l ON l.order_id = o.id
         WHERE o.returned_at >= %s AND o.returned_at < %s AND {genuine}
        UNION ALL
        SELECT {columns}, -1 AS sign
          FROM {ORDERS} o JOIN {LINES} l ON l.order_id = o.id
         WHERE o.cancelled_at >= %s AND o.cancelled_at < %s AND o.paid_at IS NOT NULL AND {genuine}
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [start, end, start, end, start, end],
    )
    cursor.execute(
        f"""
        CREATE TEMP TABLE {DAY_ORDERS} AS
        SELECT order_id, county_id, village_id, partner_id, villager_id, channel, promotion_id, sign,
               SUM(amount) AS amount, SUM(commission) AS commission
          FROM {DAY_LINES}
         GROUP BY order_id, county_id, village_id, partner_id, villager_id, channel, promotion_id, sign
        """  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
    )


def _drop_day_tables(cursor) -> None:
    for table in (DAY_LINES, DAY_ORDERS, OLD_CATEGORY_DAY, OLD_BUYERS):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


# Money and counts split by sign: gross sales, reversed amounts, orders each way.
_SPLIT = """
    SUM(CASE WHEN sign = 1 THEN amount ELSE 0 END),
    SUM(CASE WHEN sign = -1 THEN amount ELSE 0 END)
"""


def _rollup_day_tables(cursor, day: dt.date) -> int:
    d = _day_param(day)
    rows = 0
    tables = [
        CountyCategoryChannelDay,
        CountyDay,
        VillageDay,
        CountyBuyerDay,
        PromotionCountyDay,
        ProvinceDay,
        NationalDay,
        PartnerDailyIncome,
    ]
    _keep_old_day_rows(cursor, d)
    for model in tables:
        cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE day = %s", [d])  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s

    rows += _execute(
        cursor,
        f"""
        INSERT INTO {CountyCategoryChannelDay._meta.db_table}
            (county_id, day, category_id, channel, sales, returns, commission, orders, returned_orders, buyers)
        SELECT county_id, %s, category_id, channel, {_SPLIT},
               SUM(CASE WHEN sign = 1 THEN commission ELSE 0 END),
               COUNT(DISTINCT CASE WHEN sign = 1 THEN order_id END),
               COUNT(DISTINCT CASE WHEN sign = -1 THEN order_id END),
               COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END)
          FROM {DAY_LINES}
         GROUP BY county_id, category_id, channel
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {CountyDay._meta.db_table}
            (county_id, day, sales, returns, commission, orders, returned_orders, buyers, active_partners)
        SELECT county_id, %s, {_SPLIT},
               SUM(CASE WHEN sign = 1 THEN commission ELSE 0 END),
               SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN sign = -1 THEN 1 ELSE 0 END),
               COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END),
               COUNT(DISTINCT CASE WHEN sign = 1 THEN partner_id END)
          FROM {DAY_ORDERS}
         GROUP BY county_id
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {VillageDay._meta.db_table} (village_id, county_id, day, sales, returns, orders, buyers)
        SELECT village_id, county_id, %s, {_SPLIT},
               SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END),
               COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END)
          FROM {DAY_ORDERS}
         GROUP BY village_id, county_id
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {CountyBuyerDay._meta.db_table} (county_id, day, villager_id, partner_id)
        SELECT county_id, %s, villager_id, MIN(partner_id)
          FROM {DAY_ORDERS}
         WHERE sign = 1
         GROUP BY county_id, villager_id
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {PromotionCountyDay._meta.db_table} (promotion_id, county_id, day, sales, returns, orders, buyers)
        SELECT promotion_id, county_id, %s, {_SPLIT},
               SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END),
               COUNT(DISTINCT CASE WHEN sign = 1 THEN villager_id END)
          FROM {DAY_ORDERS}
         WHERE promotion_id IS NOT NULL
         GROUP BY promotion_id, county_id
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    # Villagers and partners each belong to one county, so county counts add up exactly.
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {ProvinceDay._meta.db_table} (province_id, day, sales, returns, orders, buyers, active_partners)
        SELECT c.province_id, %s, SUM(cd.sales), SUM(cd.returns), SUM(cd.orders), SUM(cd.buyers),
               SUM(cd.active_partners)
          FROM {CountyDay._meta.db_table} cd JOIN {County._meta.db_table} c ON c.id = cd.county_id
         WHERE cd.day = %s
         GROUP BY c.province_id
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d, d],
    )
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {NationalDay._meta.db_table} (day, sales, returns, orders, buyers, active_partners)
        SELECT %s, SUM(sales), SUM(returns), SUM(orders), SUM(buyers), SUM(active_partners)
          FROM {ProvinceDay._meta.db_table}
         WHERE day = %s
        HAVING COUNT(*) > 0
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d, d],
    )
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {PartnerDailyIncome._meta.db_table}
            (partner_id, day, orders, returned_orders, sales, returned_sales, assisted_sales, commission, reversals)
        SELECT partner_id, %s,
               SUM(CASE WHEN sign = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN sign = -1 THEN 1 ELSE 0 END),
               {_SPLIT},
               SUM(CASE WHEN channel = 'assisted_purchase' THEN sign * amount ELSE 0 END),
               SUM(CASE WHEN sign = 1 THEN commission ELSE 0 END),
               SUM(CASE WHEN sign = -1 THEN commission ELSE 0 END)
          FROM {DAY_ORDERS}
         GROUP BY partner_id
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    rows += _month_rows_follow_the_day(cursor, day)
    return rows


# ── the day's month rows ─────────────────────────────────────────────────────
#
# Month rows must equal their month's day rows. Rebuilding the whole month every night
# would cost the month (20 s at 10 M orders a year), so the day's rebuild moves them:
# the day's old rows (kept before the delete) come out, its new rows go in, in the same
# transaction. Running a day twice takes out what it put in: the tables stay identical.


def _keep_old_day_rows(cursor, d) -> None:
    for table in (OLD_CATEGORY_DAY, OLD_BUYERS):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"""
        CREATE TEMP TABLE {OLD_CATEGORY_DAY} AS
        SELECT county_id, category_id, channel, sales, returns, commission, orders, returned_orders
          FROM {CountyCategoryChannelDay._meta.db_table} WHERE day = %s
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    cursor.execute(
        f"CREATE TEMP TABLE {OLD_BUYERS} AS SELECT county_id, villager_id "
        f"FROM {CountyBuyerDay._meta.db_table} WHERE day = %s",  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )


def _month_rows_follow_the_day(cursor, day: dt.date) -> int:
    d, m = _day_param(day), _day_param(dates.month_start(day))
    end = _day_param(dates.next_month(dates.month_start(day)))
    category_day, category_month = CountyCategoryChannelDay._meta.db_table, CountyCategoryChannelMonth._meta.db_table
    buyer_day, buyer_month = CountyBuyerDay._meta.db_table, CountyBuyerMonth._meta.db_table
    figures = ("sales", "returns", "commission", "orders", "returned_orders")
    # Sums: add (new − old) of each (county, category, channel) of the day.
    rows = _execute(
        cursor,
        f"""
        INSERT INTO {category_month} (county_id, month, category_id, channel, {", ".join(figures)})
        SELECT county_id, %s, category_id, channel, {", ".join(f"SUM({f})" for f in figures)}
          FROM (SELECT county_id, category_id, channel, {", ".join(figures)}
                  FROM {category_day} WHERE day = %s
                UNION ALL
                SELECT county_id, category_id, channel, {", ".join(f"-{f}" for f in figures)}
                  FROM {OLD_CATEGORY_DAY}) x
         GROUP BY county_id, category_id, channel
        ON CONFLICT (county_id, month, category_id, channel) DO UPDATE SET
            {", ".join(f"{f} = {category_month}.{f} + EXCLUDED.{f}" for f in figures)}
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [m, d],
    )
    # A key whose only day row went away leaves nothing behind.
    cursor.execute(
        f"""
        DELETE FROM {category_month}
         WHERE month = %s AND {" AND ".join(f"{f} = 0" for f in figures)}
           AND (county_id, category_id, channel) IN (SELECT county_id, category_id, channel FROM {OLD_CATEGORY_DAY})
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [m],
    )
    # Buyers: each of the day's buyers is a buyer of the month ...
    rows += _execute(
        cursor,
        f"""
        INSERT INTO {buyer_month} (county_id, month, villager_id)
        SELECT county_id, %s, villager_id FROM {buyer_day} WHERE day = %s
        ON CONFLICT (county_id, month, villager_id) DO NOTHING
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [m, d],
    )
    # ... and a villager who is no longer a buyer of the day (a corrected payment) stays a
    # buyer of the month only with another day in it. Usually nobody: the day's own index
    # answers first, and only those left are looked for in the rest of the month.
    cursor.execute(
        f"""
        DELETE FROM {OLD_BUYERS}
         WHERE EXISTS (SELECT 1 FROM {buyer_day} b WHERE b.day = %s AND b.county_id = {OLD_BUYERS}.county_id
                                                     AND b.villager_id = {OLD_BUYERS}.villager_id)
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [d],
    )
    cursor.execute(
        f"""
        DELETE FROM {buyer_month}
         WHERE month = %s
           AND (county_id, villager_id) IN (
                SELECT o.county_id, o.villager_id FROM {OLD_BUYERS} o
                 WHERE NOT EXISTS (SELECT 1 FROM {buyer_day} b
                                    WHERE b.county_id = o.county_id AND b.villager_id = o.villager_id
                                      AND b.day >= %s AND b.day < %s))
        """,  # nosec B608  # table names from model _meta and fixed temp-table names; values bound as %s
        [m, m, end],
    )
    return rows


@contextmanager
def _tuned_for_rollups(cursor):
    if _is_postgres():
        # Short analytic queries: JIT compilation costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
    yield


# Fault tests slow each day down so a worker can be killed mid-run; 0 in real runs.
_DAY_DELAY = float(os.environ.get("ROLLUP_DAY_DELAY_SECONDS", "0") or 0)


def rollup_day(day: dt.date) -> int:
    """Rebuild every rollup of one Shanghai day in one transaction; returns rows written."""
    started = timezone.now()
    if _DAY_DELAY:
        time.sleep(_DAY_DELAY)
    with transaction.atomic(), connection.cursor() as cursor, _tuned_for_rollups(cursor):
        _gather_day(cursor, day)
        rows = _rollup_day_tables(cursor, day)
        _drop_day_tables(cursor)
        # Clear the day's dirty mark unless an order changed after this rebuild began.
        RollupDirtyDay.objects.filter(day=day, marked_at__lte=started).delete()
    return rows


# ── the county summary: trailing 12 months of online sales and ranks ───────
#
# A 淘宝县's sales are what the county sells online: its farm-produce channel, net of
# returns. Where the county government publishes its monthly online retail figure
# (CountyOnlineRetailMonth), that figure counts for the month instead of the channel's;
# a month cut by a window's edge counts the share of its days inside the window.
# Assisted purchases and procurement are kept beside the measure, never in it.


def taobao_county_threshold() -> Decimal:
    """The 亿元淘宝县 mark in yuan (``settings.TAOBAO_COUNTY_THRESHOLD_YUAN``, ¥1亿)."""
    return Decimal(settings.TAOBAO_COUNTY_THRESHOLD_YUAN)


@dataclass(frozen=True)
class _Window:
    """Days after ``after`` up to and including ``through``."""

    after: dt.date
    through: dt.date

    def days_of_month(self, month: dt.date) -> int:
        first = max(month, self.after + dt.timedelta(days=1))
        last = min(dates.next_month(month) - dt.timedelta(days=1), self.through)
        return max((last - first).days + 1, 0)


def summary_windows(as_of: dt.date) -> tuple[_Window, _Window, _Window]:
    """(trailing 12 months, the 12 months before, this year) as of a day."""
    t12_from = as_of - dt.timedelta(days=365)
    return (
        _Window(t12_from, as_of),
        _Window(as_of - dt.timedelta(days=730), t12_from),
        _Window(as_of.replace(month=1, day=1) - dt.timedelta(days=1), as_of),
    )


def _official_share(figure: Decimal, month: dt.date, window: _Window) -> Decimal:
    days_in_month = (dates.next_month(month) - month).days
    return (figure * window.days_of_month(month) / days_in_month).quantize(CENT, rounding=ROUND_HALF_UP)


def _ranks(values: dict[int, Decimal]) -> dict[int, int]:
    """SQL's RANK() over the values, best first: ties share a rank, the next one skips."""
    ordered = sorted(values.values(), reverse=True)
    first_place: dict[Decimal, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return {key: first_place[value] for key, value in values.items()}


def county_online_sales(as_of: dt.date) -> dict[int, dict]:
    """Per county id: trailing-12-month, prior-12-month and year-to-date online sales,
    the purchases and procurement beside them and the official months used."""
    windows = summary_windows(as_of)
    t12, p12, ytd = windows
    net = F("sales") - F("returns")
    money: DecimalField = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)

    def within(window: _Window):
        return Sum(Case(When(day__gt=window.after, day__lte=window.through, then=net), default=0, output_field=money))

    # Per county, channel and month, the net sales inside each window. A month wholly
    # inside the windows is read from the month rows (a row per county × category ×
    # channel × month); only the months a window's edge cuts — at most three — from the
    # day rows, so the cost follows the months, not two years of days.
    first_month, last_month = dates.month_start(p12.after + dt.timedelta(days=1)), dates.month_start(as_of)
    edges = sorted({first_month, dates.month_start(t12.after + dt.timedelta(days=1)), last_month})
    edge_days = Q()
    for month in edges:
        edge_days |= Q(day__gte=month, day__lt=dates.next_month(month))
    channel_months: list[dict] = list(
        CountyCategoryChannelDay.objects.filter(edge_days, day__gt=p12.after, day__lte=as_of)
        .annotate(month=TruncMonth("day"))
        .values("county_id", "channel", "month")
        .annotate(t12=within(t12), p12=within(p12), ytd=within(ytd))
    )
    for row in (
        CountyCategoryChannelMonth.objects.filter(month__gte=first_month, month__lte=last_month)
        .exclude(month__in=edges)
        .values("county_id", "channel", "month")
        .annotate(total=Sum(net, output_field=money))
    ):
        days = (dates.next_month(row["month"]) - row["month"]).days
        for key, window in zip(("t12", "p12", "ytd"), windows, strict=True):
            row[key] = row["total"] if window.days_of_month(row["month"]) == days else ZERO
        channel_months.append(row)
    official = {
        (county_id, month): figure
        for county_id, month, figure in CountyOnlineRetailMonth.objects.filter(
            month__gte=dates.month_start(p12.after + dt.timedelta(days=1)), month__lte=as_of
        ).values_list("county_id", "month", "online_retail_sales")
    }
    figures: dict[int, dict] = {
        county_id: {"t12": ZERO, "p12": ZERO, "ytd": ZERO, "purchases": ZERO, "procurement": ZERO, "official": 0}
        for county_id in County.objects.values_list("pk", flat=True)
    }
    for row in channel_months:
        county = figures.get(row["county_id"])
        if county is None:
            continue
        if row["channel"] == Channel.ASSISTED_PURCHASE:
            county["purchases"] += row["t12"]
        elif row["channel"] == Channel.GOVERNMENT_PROCUREMENT:
            county["procurement"] += row["t12"]
        elif row["channel"] == Channel.FARM_PRODUCE and (row["county_id"], row["month"]) not in official:
            for key in ("t12", "p12", "ytd"):
                county[key] += row[key]
    for (county_id, month), figure in official.items():
        county = figures.get(county_id)
        if county is None:
            continue
        for key, window in zip(("t12", "p12", "ytd"), windows, strict=True):
            county[key] += _official_share(figure, month, window)
        if t12.days_of_month(month):
            county["official"] += 1
    return figures


def refresh_county_summary(as_of: dt.date) -> int:
    """Trailing-12-month online sales per county as of a day, the 亿元淘宝县 flag and
    national and provincial ranks; replaces every row in one transaction."""
    figures = county_online_sales(as_of)
    threshold = taobao_county_threshold()
    provinces = dict(County.objects.values_list("pk", "province_id"))
    national = _ranks({county_id: f["t12"] for county_id, f in figures.items()})
    provincial: dict[int, int] = {}
    for province_id in set(provinces.values()):
        provincial |= _ranks({c: figures[c]["t12"] for c, p in provinces.items() if p == province_id and c in figures})
    rows = [
        CountySummary(
            county_id=county_id,
            as_of=as_of,
            trailing_12m_sales=f["t12"],
            prior_12m_sales=f["p12"],
            year_to_date_sales=f["ytd"],
            is_billion_yuan=f["t12"] >= threshold,
            national_rank=national[county_id],
            provincial_rank=provincial[county_id],
            trailing_12m_purchases=f["purchases"],
            trailing_12m_procurement=f["procurement"],
            official_months=f["official"],
        )
        for county_id, f in figures.items()
    ]
    with transaction.atomic():
        CountySummary.objects.all().delete()
        CountySummary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# ── runs: lock, record, days ─────────────────────────────────────────────────


@contextmanager
def _exclusive_run():
    """Two runs never overlap: a PostgreSQL advisory lock (released by the server if the
    worker dies), or on SQLite a claim on the run table."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise RollupAlreadyRunning
        try:
            # Holding the lock proves no other run is alive: earlier "running" rows crashed.
            RollupRun.objects.filter(status=RollupRunStatus.RUNNING).update(
                status=RollupRunStatus.FAILED, error="interrupted (worker died)", finished_at=timezone.now()
            )
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
    else:
        with transaction.atomic():
            fresh = timezone.now() - STALE_RUN_AFTER
            if RollupRun.objects.filter(status=RollupRunStatus.RUNNING, started_at__gte=fresh).exists():
                raise RollupAlreadyRunning
            RollupRun.objects.filter(status=RollupRunStatus.RUNNING).update(
                status=RollupRunStatus.FAILED, error="interrupted", finished_at=timezone.now()
            )
        yield


def dirty_days() -> list[dt.date]:
    """Finished days (up to yesterday) whose orders changed since they were rolled up.
    Today's marks stay until today is over."""
    return list(
        RollupDirtyDay.objects.filter(day__lte=dates.shanghai_yesterday()).order_by("day").values_list("day", flat=True)
    )


def days_with_orders() -> list[dt.date]:
    """Every day from the first payment to yesterday (for a full rebuild)."""
    first = Order.objects.filter(paid_at__isnull=False).order_by("paid_at").values_list("paid_at", flat=True).first()
    if first is None:
        return []
    start = dates.shanghai_day(first)
    end = dates.shanghai_yesterday()
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def run_rollups(
    days: Iterable[dt.date],
    *,
    trigger: str = "command",
    progress: Callable[[int, int, dt.date], None] | None = None,
    full: bool = False,
) -> RunResult:
    """Roll up the given days (oldest first), then reconcile and settle the partners'
    money (``full``: every order, not just what changed) and the county summary as of
    yesterday."""
    days = sorted(set(days))
    with _exclusive_run():
        run = RollupRun.objects.create(trigger=trigger, started_at=timezone.now())
        result = RunResult(run_id=run.pk, days=days)
        clock = time.monotonic()
        try:
            for index, day in enumerate(days, start=1):
                # The integrity checks of the day first (they only flag; a flag a reviewer
                # confirmed earlier is what takes an order out of the figures below).
                result.flags += sum(check_day(day).values())
                result.rows += rollup_day(day)
                run.days_done = index
                run.first_day = run.first_day or day
                run.last_day = day
                run.rows_written = result.rows
                run.save(update_fields=["days_done", "first_day", "last_day", "rows_written"])
                if progress:
                    progress(index, len(days), day)
            result.rows += _settle(run, full=full)
            result.rows += refresh_county_summary(dates.shanghai_yesterday())
        except Exception as exc:
            run.status = RollupRunStatus.FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            run.duration_seconds = time.monotonic() - clock
            run.save()
            raise
        result.seconds = time.monotonic() - clock
        run.status = RollupRunStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.duration_seconds = result.seconds
        run.rows_written = result.rows
        run.save()
        return result


def _settle(run: RollupRun, *, full: bool) -> int:
    """Reconcile the orders against the platform's records, then settle what fell due up
    to yesterday (payable commission, clawbacks), rebuild the open statements and close
    the months that ended."""
    reconciled = reconcile_orders(full=full)
    previous = (
        RollupRun.objects.filter(status=RollupRunStatus.SUCCEEDED, settled_through__isnull=False)
        .order_by("-settled_through")
        .values_list("settled_through", flat=True)
        .first()
    )
    as_of = dates.shanghai_yesterday()
    settled = settlement.settle(as_of=as_of, since=None if full else previous)
    run.settled_through = as_of
    return reconciled.changed + settled.payable + settled.clawbacks + settled.tier_adjustments + settled.statements


def run_nightly(*, trigger: str = "nightly") -> RunResult:
    """Yesterday and every earlier day touched since the last run."""
    return run_rollups([*dirty_days(), dates.shanghai_yesterday()], trigger=trigger)


def last_successful_run() -> RollupRun | None:
    return RollupRun.objects.filter(status=RollupRunStatus.SUCCEEDED).order_by("-finished_at").first()
