"""Reconciliation: what the platform says of each assisted order.

Each order's platform numbers are looked up in the platform records the feed imported
(``PlatformOrder``), and the order gets its ``reconciliation`` state:

- ``unmatched``: no number recorded, or a number the platform has no record of;
- ``refunded``: the platform refunded or closed it, and the order was returned or
  cancelled here too;
- ``status_conflict``: the platform and the order disagree — refunded or closed there but
  not returned or cancelled here, or returned or cancelled here but not there;
- ``amount_mismatch``: the platform's amount differs from the order's total by more than
  ``RECONCILIATION_TOLERANCE`` (¥1);
- ``confirmed``: every platform order of it confirmed (确认收货);
- ``matched``: found, amounts agree, not yet confirmed.

A confirmed order's commission becomes payable on ``payable_from``: ``RETURN_WINDOW_DAYS``
after the (latest) confirmation, and never before the day we learned of it (a file that
brings an old confirmation makes it payable from the day it was imported). The day a
refund was learned is kept for the clawback.

Set-based: one aggregate of the orders' platform records into a temp table, one upsert
into the narrow ``OrderReconciliation`` table of the rows whose figures changed (the wide
orders table is only read). The nightly run takes only what changed since the
last run (records changed, numbers added, orders cancelled or returned); ``full`` takes
every order that has a platform number.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from .models import (
    Order,
    OrderReconciliation,
    OrderStatus,
    PlatformOrder,
    PlatformOrderNo,
    PlatformStatus,
    Reconciliation,
    ReconciliationRun,
)

ORDERS = Order._meta.db_table
VIEWS = OrderReconciliation._meta.db_table
NUMBERS = PlatformOrderNo._meta.db_table
RECORDS = PlatformOrder._meta.db_table
TOUCHED = "recon_touched"
FIGURES = "recon_figures"


@dataclass
class ReconcileResult:
    orders: int
    changed: int
    seconds: float


def _shanghai_date(expression: str) -> str:
    """SQL for the Shanghai calendar day of a timestamp column (UTC+8, no daylight saving)."""
    if connection.vendor == "postgresql":
        return f"(({expression}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({expression}, '+8 hours')"


def _plus_days(date_sql: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({date_sql} + {int(days)})"
    return f"date({date_sql}, '+{int(days)} days')"


def _greatest(a: str, b: str) -> str:
    fn = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return f"{fn}({a}, {b})"


def _adapt(moment: dt.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _touched_orders(cursor, since: dt.datetime) -> None:
    """The temp table of order ids to reconcile: what changed since ``since``."""
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
    s = _adapt(since)
    cursor.execute(
        f"""
        CREATE TEMP TABLE {TOUCHED} AS
        SELECT n.order_id FROM {NUMBERS} n JOIN {RECORDS} p ON p.number = n.number WHERE p.changed_at >= %s
        UNION
        SELECT order_id FROM {NUMBERS} WHERE created_at >= %s
        UNION
        SELECT id FROM {ORDERS} WHERE returned_at >= %s
        UNION
        SELECT id FROM {ORDERS} WHERE cancelled_at >= %s
        """,  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; values bound
        [s, s, s, s],
    )


def _compute_figures(cursor, *, every_order: bool) -> None:
    """Per order with platform numbers (the touched ones, or ``every_order``): its platform
    figures, in a temp table."""
    refund_statuses = f"('{PlatformStatus.REFUNDED.value}', '{PlatformStatus.CLOSED.value}')"
    confirmed = PlatformStatus.CONFIRMED.value
    cursor.execute(f"DROP TABLE IF EXISTS {FIGURES}")
    cursor.execute(
        f"""
        CREATE TEMP TABLE {FIGURES} AS
        SELECT n.order_id,
               COUNT(*) AS numbers,
               COUNT(p.id) AS found,
               SUM(p.amount) AS amount,
               SUM(CASE WHEN p.status IN {refund_statuses} THEN 1 ELSE 0 END) AS refunds,
               SUM(CASE WHEN p.status = '{confirmed}' THEN 1 ELSE 0 END) AS confirmations,
               MAX(p.confirmed_at) AS confirmed_at,
               MAX(CASE WHEN p.status IN {refund_statuses} THEN p.changed_at END) AS refund_known_at,
               MAX(p.changed_at) AS record_changed_at,
               MAX(n.created_at) AS number_added_at
          FROM {NUMBERS} n
          {"" if every_order else f"JOIN {TOUCHED} t ON t.order_id = n.order_id"}
          LEFT JOIN {RECORDS} p ON p.number = n.number
         GROUP BY n.order_id
        """  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; values bound
    )


def _state_sql(tolerance: Decimal) -> str:
    undone = f"('{OrderStatus.CANCELLED.value}', '{OrderStatus.RETURNED.value}')"
    R = Reconciliation
    return f"""
        CASE
          WHEN f.found < f.numbers THEN '{R.UNMATCHED.value}'
          WHEN f.refunds > 0 AND o.status IN {undone} THEN '{R.REFUNDED.value}'
          WHEN f.refunds > 0 OR o.status IN {undone} THEN '{R.STATUS_CONFLICT.value}'
          WHEN ABS(f.amount - o.total_amount) > {tolerance} THEN '{R.AMOUNT_MISMATCH.value}'
          WHEN f.confirmations = f.numbers THEN '{R.CONFIRMED.value}'
          ELSE '{R.MATCHED.value}'
        END"""


def _analyze(cursor, table: str) -> None:
    """Fresh statistics on a temp table (autovacuum never sees them), so PostgreSQL plans
    the joins over a million rows as hash joins."""
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {table}")


def _apply(cursor, window_days: int, tolerance: Decimal) -> int:
    """Upsert the new figures of the orders whose figures differ; returns rows changed."""
    known = _greatest("COALESCE(f.record_changed_at, f.number_added_at)", "f.number_added_at")
    state = _state_sql(tolerance)
    payable_from = _greatest(_plus_days(_shanghai_date("f.confirmed_at"), window_days), _shanghai_date(known))
    confirmed = Reconciliation.CONFIRMED.value
    columns = ("state", "amount", "confirmed_at", "known_at", "refund_known_at", "payable_from")
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    differs = " OR ".join(f"{VIEWS}.{c} {distinct} excluded.{c}" for c in columns)
    cursor.execute(
        f"""
        INSERT INTO {VIEWS} (order_id, {", ".join(columns)})
        SELECT x.order_id, x.state, x.amount, x.confirmed_at, x.known_at, x.refund_known_at,
               CASE WHEN x.state = '{confirmed}' THEN x.payable_from END
          FROM (
            SELECT o.id AS order_id,
                   {state} AS state,
                   f.amount AS amount,
                   f.confirmed_at AS confirmed_at,
                   {known} AS known_at,
                   f.refund_known_at AS refund_known_at,
                   {payable_from} AS payable_from
              FROM {FIGURES} f JOIN {ORDERS} o ON o.id = f.order_id
          ) AS x
         WHERE true
        ON CONFLICT (order_id) DO UPDATE
           SET {", ".join(f"{c} = excluded.{c}" for c in columns)}
         WHERE {differs}
        """  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; values bound
    )
    return max(cursor.rowcount, 0)


def reconcile_orders(*, full: bool = False) -> ReconcileResult:
    """Reconcile the orders whose platform view changed since the last run (all of them
    with ``full``). Running it twice changes nothing the second time."""
    started = timezone.now()
    clock = dt.datetime.now()
    window = int(settings.RETURN_WINDOW_DAYS)
    tolerance = Decimal(str(settings.RECONCILIATION_TOLERANCE))
    last = ReconciliationRun.objects.filter(finished_at__isnull=False).order_by("-upto").first()
    # A change committed while the last run read may carry a time just before its `upto`:
    # look back a minute (reconciling an order twice is harmless).
    since = None if full or last is None else last.upto - dt.timedelta(minutes=1)
    with transaction.atomic(), connection.cursor() as cursor:
        if since is not None:
            _touched_orders(cursor, since)
            _analyze(cursor, TOUCHED)
        _compute_figures(cursor, every_order=since is None)
        _analyze(cursor, FIGURES)
        cursor.execute(f"SELECT COUNT(*) FROM {FIGURES}")  # nosec B608  # table names from model _meta and fixed temp tables, enum constants; values bound
        orders = cursor.fetchone()[0]
        changed = _apply(cursor, window, tolerance)
        for table in (TOUCHED, FIGURES):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        ReconciliationRun.objects.create(
            started_at=started, finished_at=timezone.now(), upto=started, orders=orders, full=full
        )
    return ReconcileResult(orders=orders, changed=changed, seconds=(dt.datetime.now() - clock).total_seconds())


def reconciliation_counts(orders) -> dict[str, int]:
    """How many of the given orders are in each state (for the list's filter chips)."""
    counts = dict.fromkeys(Reconciliation.values, 0)
    rows = orders.order_by().values("reconciliation_row__state").annotate(n=Count("id"))
    for row in rows:
        counts[row["reconciliation_row__state"] or Reconciliation.UNMATCHED.value] += row["n"]
    return counts
