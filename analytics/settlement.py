"""Settlement: the money a partner is owed, from what the platform confirmed.

The ledger (``CommissionEntry``) gets, in each nightly run, as of yesterday (``as_of``):

1. **payable** — an order reconciled ``confirmed`` whose ``payable_from`` day (the return
   window after the confirmation, never before the day we learned of it) has come and on
   which no integrity flag is open or confirmed: its commission (snapshotted at payment)
   lands in the month of that day — or, held by a flag that was cleared since, in the
   month of the clearing;
2. **clawback** — a payable order the platform later refunded or closed: its commission
   comes back off, in the month the refund was learned; likewise a payable order whose
   integrity flag a reviewer confirmed, in the month of the review;
3. **tier adjustment** — when such a clawback means a closed month's payable
   assisted-purchase sales no longer reach the incentive tier it paid, the difference,
   in the month of the clawback, naming the month it corrects.

The statements of open months are then rebuilt from the ledger (commission, incentive on
the month's payable assisted-purchase sales that were not clawed back, clawbacks,
adjustments, total), and months that have ended are closed. A statement that is not
open never changes, and no entry ever lands in such a month: an entry whose month was
closed meanwhile lands in the current month. Running twice changes nothing.

Each step is one set-based statement over the orders that fell due since the last run
(an index range on ``OrderReconciliation.payable_from`` / ``refund_known_at``), never all history.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from integrity.models import Flag, FlagStatus
from orders.models import Channel, Order, OrderLine, OrderReconciliation, Reconciliation
from partners.models import IncentiveTier
from rural_taobao import dates

from .models import CommissionEntry, EntryKind, MonthlyStatement, StatementStatus

ENTRIES = CommissionEntry._meta.db_table
STATEMENTS = MonthlyStatement._meta.db_table
ORDERS = Order._meta.db_table
VIEWS = OrderReconciliation._meta.db_table
LINES = OrderLine._meta.db_table
TIERS = IncentiveTier._meta.db_table
FLAGS = Flag._meta.db_table
OPEN, CONFIRMED, CLEARED = FlagStatus.OPEN.value, FlagStatus.CONFIRMED.value, FlagStatus.CLEARED.value
ZERO = Decimal("0.00")
# Orders due a little before the last run are looked at again (the unique entry per
# order and kind makes that harmless): a run that stopped half-way leaves nothing behind.
LOOKBACK = dt.timedelta(days=7)
# The note of a clawback that a confirmed integrity flag (not a refund) caused.
REVIEW_NOTE = "review"


@dataclass
class SettleResult:
    payable: int = 0
    clawbacks: int = 0
    tier_adjustments: int = 0
    statements: int = 0


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _month_of(date_sql: str) -> str:
    if _pg():
        return f"CAST(date_trunc('month', {date_sql}) AS date)"
    return f"date({date_sql}, 'start of month')"


def _shanghai_date(expression: str) -> str:
    if _pg():
        return f"(({expression}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({expression}, '+8 hours')"


def _date(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def _moment(moment: dt.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _open_month(partner_sql: str, month_sql: str, current: str) -> str:
    """SQL: the month an entry lands in — its own, unless that partner's statement of
    the month is no longer open, then the current month."""
    return (
        f"CASE WHEN EXISTS (SELECT 1 FROM {STATEMENTS} s WHERE s.partner_id = {partner_sql} "
        f"AND s.month = {month_sql} AND s.status <> 'open') THEN {current} ELSE {month_sql} END"  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
    )


# ── 1. payable ───────────────────────────────────────────────────────────────


def _greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if _pg() else f"MAX({a}, {b})"


def _settle_payable(cursor, as_of: dt.date, since: dt.date | None, now, current) -> int:
    # Due since the last run — or held until a reviewer cleared its flag since then.
    window = (
        ""
        if since is None
        else f"""AND (r.payable_from > %s OR EXISTS (
                SELECT 1 FROM {FLAGS} f WHERE f.order_id = r.order_id AND f.status = '{CLEARED}'
                   AND f.reviewed_at >= %s))"""  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
    )
    window_params: list = (
        [] if since is None else [_date(since - LOOKBACK), _moment(dates.day_start(since - LOOKBACK))]
    )
    # A held order's commission lands on the day its last flag was cleared.
    released = (
        f"(SELECT MAX({_shanghai_date('f.reviewed_at')}) FROM {FLAGS} f "
        f"WHERE f.order_id = r.order_id AND f.status = '{CLEARED}')"  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
    )
    day = _greatest("r.payable_from", f"COALESCE({released}, r.payable_from)")
    cursor.execute(
        f"""
        INSERT INTO {ENTRIES}
            (partner_id, kind, order_id, day, month, amount, sales, assisted_sales, note, created_at)
        SELECT x.partner_id, '{EntryKind.PAYABLE.value}', x.id, x.day,
               {_open_month("x.partner_id", _month_of("x.day"), "%s")},
               x.commission, x.total_amount,
               CASE WHEN x.channel = '{Channel.ASSISTED_PURCHASE.value}' THEN x.total_amount ELSE 0 END,
               '', %s
          FROM (
            SELECT o.id, o.placed_by_id AS partner_id, o.total_amount, o.channel, {day} AS day,
                   COALESCE(SUM(l.commission_amount), 0) AS commission
              FROM {VIEWS} r
              JOIN {ORDERS} o ON o.id = r.order_id
              JOIN {LINES} l ON l.order_id = o.id
             WHERE r.payable_from IS NOT NULL AND r.payable_from <= %s {window}
               AND r.state = '{Reconciliation.CONFIRMED.value}'
               AND NOT EXISTS (SELECT 1 FROM {ENTRIES} e WHERE e.order_id = o.id
                                  AND e.kind = '{EntryKind.PAYABLE.value}')
               AND NOT EXISTS (SELECT 1 FROM {FLAGS} f WHERE f.order_id = o.id
                                  AND (f.status IN ('{OPEN}', '{CONFIRMED}') OR f.reviewed_at >= %s))
             GROUP BY o.id, o.placed_by_id, r.payable_from, r.order_id, o.total_amount, o.channel
          ) x
        """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
        [current, now, _date(as_of), *window_params, _moment(dates.day_start(as_of + dt.timedelta(days=1)))],
    )
    return max(cursor.rowcount, 0)


# ── 2. clawbacks ─────────────────────────────────────────────────────────────


def _settle_clawbacks(cursor, as_of: dt.date, since: dt.date | None, now, current) -> int:
    end = _moment(dates.day_start(as_of + dt.timedelta(days=1)))
    window = "" if since is None else "AND r.refund_known_at >= %s"
    params: list = [end] + ([] if since is None else [_moment(dates.day_start(since - LOOKBACK))])
    refund_day = _shanghai_date("r.refund_known_at")
    cursor.execute(
        f"""
        INSERT INTO {ENTRIES}
            (partner_id, kind, order_id, day, month, amount, sales, assisted_sales, concerns_month, note, created_at)
        SELECT p.partner_id, '{EntryKind.CLAWBACK.value}', r.order_id, {refund_day},
               {_open_month("p.partner_id", _month_of(refund_day), "%s")},
               -p.amount, -p.sales, -p.assisted_sales, p.month, '', %s
          FROM {VIEWS} r JOIN {ENTRIES} p ON p.order_id = r.order_id AND p.kind = '{EntryKind.PAYABLE.value}'
         WHERE r.refund_known_at IS NOT NULL AND r.refund_known_at < %s {window}
           AND NOT EXISTS (
               SELECT 1 FROM {ENTRIES} c WHERE c.order_id = r.order_id AND c.kind = '{EntryKind.CLAWBACK.value}'
           )
        """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
        [current, now, *params],
    )
    refunds = max(cursor.rowcount, 0)
    # Payable orders whose integrity flag a reviewer confirmed: taken back in the month
    # of the review.
    window = "" if since is None else "AND f.reviewed_at >= %s"
    params = [end] + ([] if since is None else [_moment(dates.day_start(since - LOOKBACK))])
    cursor.execute(
        f"""
        INSERT INTO {ENTRIES}
            (partner_id, kind, order_id, day, month, amount, sales, assisted_sales, concerns_month, note, created_at)
        SELECT x.partner_id, '{EntryKind.CLAWBACK.value}', x.order_id, x.day,
               {_open_month("x.partner_id", _month_of("x.day"), "%s")},
               -x.amount, -x.sales, -x.assisted_sales, x.month, '{REVIEW_NOTE}', %s
          FROM (
            SELECT p.partner_id, p.order_id, p.amount, p.sales, p.assisted_sales, p.month,
                   {_shanghai_date("MIN(f.reviewed_at)")} AS day
              FROM {FLAGS} f JOIN {ENTRIES} p ON p.order_id = f.order_id AND p.kind = '{EntryKind.PAYABLE.value}'
             WHERE f.status = '{CONFIRMED}' AND f.reviewed_at < %s {window}
               AND NOT EXISTS (
                   SELECT 1 FROM {ENTRIES} c WHERE c.order_id = p.order_id AND c.kind = '{EntryKind.CLAWBACK.value}'
               )
             GROUP BY p.partner_id, p.order_id, p.amount, p.sales, p.assisted_sales, p.month
          ) x
        """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
        [current, now, *params],
    )
    return refunds + max(cursor.rowcount, 0)


# ── 3. tier corrections of closed months ─────────────────────────────────────


def tier_bonus(assisted_sales: Decimal, tiers: list[IncentiveTier]) -> tuple[IncentiveTier | None, Decimal]:
    """The highest tier the month's payable assisted-purchase sales reach, and its bonus."""
    for tier in tiers:  # highest first
        if tier.min_monthly_sales <= assisted_sales:
            return tier, tier.bonus
    return None, ZERO


def _statement_status_map(partner_months: set[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], MonthlyStatement]:
    if not partner_months:
        return {}
    partners = {p for p, _m in partner_months}
    months = {m for _p, m in partner_months}
    return {
        (s.partner_id, s.month): s
        for s in MonthlyStatement.objects.filter(partner_id__in=partners, month__in=months)
        if (s.partner_id, s.month) in partner_months
    }


def _settle_tier_adjustments(now) -> int:
    """Recompute the tier corrections that land in open months (idempotent: those of
    open months are replaced, those of closed months stay)."""
    tiers = list(IncentiveTier.objects.order_by("-min_monthly_sales"))
    adjustments = CommissionEntry.objects.filter(kind=EntryKind.TIER_ADJUSTMENT)
    clawbacks = list(
        CommissionEntry.objects.filter(kind=EntryKind.CLAWBACK)
        .exclude(concerns_month=None)
        .filter(~Q(month=F("concerns_month")))
        .values("partner_id", "month", "day", "concerns_month")
        .order_by()
    )
    keys = {(a.partner_id, a.month) for a in adjustments.only("partner_id", "month")}
    keys |= {(c["partner_id"], c["month"]) for c in clawbacks}
    keys |= {(c["partner_id"], c["concerns_month"]) for c in clawbacks}
    statements = _statement_status_map(keys)

    def is_open(partner_id: int, month: dt.date) -> bool:
        statement = statements.get((partner_id, month))
        return statement is None or statement.status == StatementStatus.OPEN

    stale = [a.pk for a in adjustments.only("pk", "partner_id", "month") if is_open(a.partner_id, a.month)]
    if stale:
        CommissionEntry.objects.filter(pk__in=stale).delete()
    # The closed months that a clawback in an open month concerns; the latest such clawback.
    latest: dict[tuple[int, dt.date], tuple[dt.date, dt.date]] = {}
    for c in clawbacks:
        key = (c["partner_id"], c["concerns_month"])
        if is_open(*key) or not is_open(c["partner_id"], c["month"]):
            continue
        if key not in latest or (c["day"], c["month"]) > latest[key]:
            latest[key] = (c["day"], c["month"])
    created = []
    for (partner_id, month), (day, lands_in) in sorted(latest.items()):
        statement = statements[(partner_id, month)]
        clawed = CommissionEntry.objects.filter(kind=EntryKind.CLAWBACK, order_id=OuterRef("order_id"))
        base = (
            CommissionEntry.objects.filter(partner_id=partner_id, month=month, kind=EntryKind.PAYABLE)
            .exclude(Exists(clawed))
            .aggregate(s=Sum("assisted_sales"))["s"]
            or ZERO
        )
        _tier, target = tier_bonus(base, tiers)
        corrected = (
            CommissionEntry.objects.filter(
                partner_id=partner_id, kind=EntryKind.TIER_ADJUSTMENT, concerns_month=month
            ).aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
        deficit = target - (statement.incentive + corrected)
        if deficit < 0:
            created.append(
                CommissionEntry(
                    partner_id=partner_id,
                    kind=EntryKind.TIER_ADJUSTMENT,
                    day=day,
                    month=lands_in,
                    amount=deficit,
                    concerns_month=month,
                    note=f"{month:%Y-%m}",
                    created_at=now,
                )
            )
    CommissionEntry.objects.bulk_create(created)
    return len(created)


# ── 4. statements ────────────────────────────────────────────────────────────


def refresh_statements(month: dt.date, *, partner_ids: list[int] | None = None, current: bool = False) -> int:
    """Rebuild the open statements of `month` from the ledger (all partners, or some).

    For the `current` month, a partner whose commission is held under review gets a
    statement (at zero, showing the held amount) even before the month has entries."""
    month = dates.month_start(month)
    m = _date(month)
    now = _moment(timezone.now())
    only = ""
    params_only: list = []
    if partner_ids is not None:
        if not partner_ids:
            return 0
        only = f" AND partner_id IN ({', '.join(['%s'] * len(partner_ids))})"
        params_only = list(partner_ids)
    tier_id = (
        f"(SELECT t.id FROM {TIERS} t WHERE t.min_monthly_sales <= x.base ORDER BY t.min_monthly_sales DESC LIMIT 1)"  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
    )
    bonus = (
        f"COALESCE((SELECT t.bonus FROM {TIERS} t WHERE t.min_monthly_sales <= x.base "
        "ORDER BY t.min_monthly_sales DESC LIMIT 1), 0)"  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
    )
    P, C = EntryKind.PAYABLE.value, EntryKind.CLAWBACK.value
    with transaction.atomic(), connection.cursor() as cursor:
        # Open statements of partners whose entries went away fall back to zero.
        cursor.execute(
            f"""
            UPDATE {STATEMENTS}
               SET orders = 0, sales = 0, assisted_sales = 0, commission = 0, incentive = 0, clawbacks = 0,
                   adjustments = 0, total = 0, incentive_tier_id = NULL, computed_at = %s
             WHERE month = %s AND status = 'open'{only}
            """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
            [now, m, *params_only],
        )
        cursor.execute(
            f"""
            INSERT INTO {STATEMENTS}
                (partner_id, month, orders, sales, assisted_sales, commission, incentive, clawbacks, adjustments,
                 total, incentive_tier_id, status, closed_at, computed_at, payout_reference, payout_failure, held)
            SELECT x.partner_id, %s, x.orders, x.sales, x.base, x.commission, {bonus}, x.clawbacks, x.adjustments,
                   x.commission - x.clawbacks + {bonus} + x.adjustments, {tier_id}, 'open', NULL, %s, '', '', 0
              FROM (SELECT e.partner_id,
                           SUM(CASE WHEN e.kind = '{P}' THEN 1 ELSE 0 END) AS orders,
                           SUM(CASE WHEN e.kind = '{P}' THEN e.sales ELSE 0 END) AS sales,
                           SUM(CASE WHEN e.kind = '{P}' AND NOT EXISTS (
                                   SELECT 1 FROM {ENTRIES} c WHERE c.order_id = e.order_id AND c.kind = '{C}')
                                    THEN e.assisted_sales ELSE 0 END) AS base,
                           SUM(CASE WHEN e.kind = '{P}' THEN e.amount ELSE 0 END) AS commission,
                           -SUM(CASE WHEN e.kind = '{C}' THEN e.amount ELSE 0 END) AS clawbacks,
                           SUM(CASE WHEN e.kind NOT IN ('{P}', '{C}') THEN e.amount ELSE 0 END) AS adjustments
                      FROM {ENTRIES} e
                     WHERE e.month = %s{only.replace("partner_id", "e.partner_id")}
                     GROUP BY e.partner_id) x
             WHERE true
            ON CONFLICT (partner_id, month) DO UPDATE
               SET orders = excluded.orders, sales = excluded.sales, assisted_sales = excluded.assisted_sales,
                   commission = excluded.commission, incentive = excluded.incentive, clawbacks = excluded.clawbacks,
                   adjustments = excluded.adjustments, total = excluded.total,
                   incentive_tier_id = excluded.incentive_tier_id, computed_at = excluded.computed_at
             WHERE {STATEMENTS}.status = 'open'
            """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
            [m, now, m, *params_only],
        )
        rows = max(cursor.rowcount, 0)
        if current:
            # The current month shows what is held even before it has a ledger line.
            rows += _insert_holding_statements(cursor, m, now, only, params_only)
        # What stays held under review: commission of orders with an open flag (a month
        # keeps the figure it had when it closed).
        cursor.execute(
            f"""
            UPDATE {STATEMENTS}
               SET held = COALESCE((
                   SELECT SUM(l.commission_amount) FROM {ORDERS} o JOIN {LINES} l ON l.order_id = o.id
                    WHERE o.placed_by_id = {STATEMENTS}.partner_id
                      AND o.status NOT IN ('cancelled', 'returned')
                      AND EXISTS (SELECT 1 FROM {FLAGS} f WHERE f.order_id = o.id AND f.status = '{OPEN}')
                      AND NOT EXISTS (SELECT 1 FROM {ENTRIES} e WHERE e.order_id = o.id AND e.kind = '{P}')
               ), 0)
             WHERE month = %s AND status = 'open'{only}
            """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
            [m, *params_only],
        )
        return rows


def _holding_sql() -> str:
    """Orders whose commission is held: an open flag, not paid, not lost."""
    return f"""
        FROM {ORDERS} o
       WHERE o.status NOT IN ('cancelled', 'returned')
         AND EXISTS (SELECT 1 FROM {FLAGS} f WHERE f.order_id = o.id AND f.status = '{OPEN}')
         AND NOT EXISTS (SELECT 1 FROM {ENTRIES} e WHERE e.order_id = o.id AND e.kind = '{EntryKind.PAYABLE.value}')
    """  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound


def _insert_holding_statements(cursor, m, now, only: str, params_only: list) -> int:
    cursor.execute(
        f"""
        INSERT INTO {STATEMENTS}
            (partner_id, month, orders, sales, assisted_sales, commission, incentive, clawbacks, adjustments,
             total, incentive_tier_id, status, closed_at, computed_at, payout_reference, payout_failure, held)
        SELECT h.partner_id, %s, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 'open', NULL, %s, '', '', 0
          FROM (SELECT DISTINCT o.placed_by_id AS partner_id {_holding_sql()}{only.replace("partner_id", "o.placed_by_id")}) h
         WHERE true
        ON CONFLICT (partner_id, month) DO NOTHING
        """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
        [m, now, *params_only],
    )
    return max(cursor.rowcount, 0)


def _partners_holding_without_statement(month: dt.date) -> list[int]:
    """Partners with commission held under review and no statement for `month` yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT o.placed_by_id {_holding_sql()}
               AND NOT EXISTS (SELECT 1 FROM {STATEMENTS} s WHERE s.partner_id = o.placed_by_id AND s.month = %s)
            """,  # nosec B608  # table names from model _meta, enum constants and %s placeholders; values bound
            [_date(dates.month_start(month))],
        )
        return [row[0] for row in cursor.fetchall()]


def close_ended_months(before: dt.date | None = None) -> int:
    """Close the open statements of months that have ended (those before ``before``,
    default this month)."""
    before = dates.this_month() if before is None else dates.month_start(before)
    return MonthlyStatement.objects.filter(status=StatementStatus.OPEN, month__lt=before).update(
        status=StatementStatus.CLOSED, closed_at=timezone.now()
    )


# ── the run ──────────────────────────────────────────────────────────────────


def settle(*, as_of: dt.date, since: dt.date | None = None) -> SettleResult:
    """Settle every order due up to `as_of` (since the day `since`, or all), rebuild the
    open statements the ledger touched and close months that ended.

    The run for `as_of` is the night after it: the month of the day after `as_of` is the
    current one (this month, when `as_of` is yesterday) — entries due in a month that is
    closed land there, and the months before it are closed."""
    started = timezone.now()
    now = _moment(started)
    current_month = dates.month_start(as_of + dt.timedelta(days=1))
    current = _date(current_month)
    result = SettleResult()
    with transaction.atomic():
        with connection.cursor() as cursor:
            result.payable = _settle_payable(cursor, as_of, since, now, current)
            result.clawbacks = _settle_clawbacks(cursor, as_of, since, now, current)
        result.tier_adjustments = _settle_tier_adjustments(started)
        if since is None:
            # Everything: every open statement, every month with entries (and the rates or
            # tiers an admin changed since are applied).
            months = set(CommissionEntry.objects.values_list("month", flat=True).distinct())
            months |= set(
                MonthlyStatement.objects.filter(status=StatementStatus.OPEN).values_list("month", flat=True).distinct()
            )
            months.add(current_month)
            for month in sorted(months):
                result.statements += refresh_statements(month, current=month == current_month)
        else:
            # A night: only the statements the new entries touch — the month each landed
            # in, and for a clawback the month of the payment it takes back (its tier base
            # shrinks; that month is closed by then, but a statement that is not open is
            # left alone anyway).
            touched: dict[dt.date, set[int]] = defaultdict(set)
            for partner_id, month, concerns in CommissionEntry.objects.filter(created_at__gte=started).values_list(
                "partner_id", "month", "concerns_month"
            ):
                touched[month].add(partner_id)
                if concerns is not None:
                    touched[concerns].add(partner_id)
            # And the partners whose flags changed since the last run (their held amount).
            changed_since = dates.day_start(since)
            for partner_id in (
                Flag.objects.filter(Q(created_at__gte=changed_since) | Q(reviewed_at__gte=changed_since))
                .values_list("partner_id", flat=True)
                .distinct()
            ):
                touched[current_month].add(partner_id)
            # And those still holding as a new month begins (its statement shows the hold).
            touched[current_month].update(_partners_holding_without_statement(current_month))
            for month in sorted(touched):
                result.statements += refresh_statements(
                    month, partner_ids=sorted(touched[month]), current=month == current_month
                )
        close_ended_months(before=current_month)
    return result


# ── reads: a partner's money ─────────────────────────────────────────────────


@dataclass
class MoneySummary:
    pending: Decimal  # commission of paid orders the platform has not (yet) made payable
    payable: Decimal  # on statements not yet paid
    paid: Decimal  # on paid statements
    held: Decimal = ZERO  # of the pending: orders under review (an open flag)


def pending_orders(partner_id: int, *, month: dt.date | None = None):
    """The partner's paid orders whose commission is not payable yet (and not lost)."""
    orders = (
        # Commission is the placing partner's, whoever holds the order now.
        Order.objects.filter(placed_by_id=partner_id, paid_at__isnull=False)
        .exclude(status__in=["cancelled", "returned"])
        .exclude(reconciliation_row__state=Reconciliation.REFUNDED)
        .exclude(commission_entries__kind=EntryKind.PAYABLE)
        # a confirmed flag: the commission is never paid, so it is not pending either
        .exclude(Exists(Flag.objects.filter(order_id=OuterRef("pk"), status=FlagStatus.CONFIRMED)))
    )
    if month is not None:
        start, end = dates.month_bounds(month)
        orders = orders.filter(paid_at__gte=start, paid_at__lt=end)
    return orders


def pending_commission(partner_id: int, *, month: dt.date | None = None) -> Decimal:
    lines = OrderLine.objects.filter(order__in=pending_orders(partner_id, month=month))
    return lines.aggregate(s=Sum("commission_amount"))["s"] or ZERO


def held_commission(partner_id: int) -> Decimal:
    """Commission waiting on a review: the partner's pending orders with an open flag."""
    open_flag = Flag.objects.filter(order_id=OuterRef("order_id"), status=FlagStatus.OPEN)
    lines = OrderLine.objects.filter(order__in=pending_orders(partner_id)).filter(Exists(open_flag))
    return lines.aggregate(s=Sum("commission_amount"))["s"] or ZERO


def money_summary(partner_id: int) -> MoneySummary:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        MonthlyStatement.objects.filter(partner_id=partner_id).values("status").annotate(s=Sum("total")).order_by()
    ):
        totals[row["status"]] += row["s"] or ZERO
    unpaid = totals[StatementStatus.OPEN] + totals[StatementStatus.CLOSED] + totals[StatementStatus.APPROVED]
    return MoneySummary(
        pending=pending_commission(partner_id),
        payable=unpaid,
        paid=totals[StatementStatus.PAID],
        held=held_commission(partner_id),
    )
