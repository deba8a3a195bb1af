"""The nightly integrity checks: each rule one set-based pass over one Shanghai day's
orders (the orders paid that day; for ``too_fast`` the orders picked up that day), never
all history. Every look back (a villager's 30 days, a category's 90 days of prices, a
partner's 30 days of sales) is an index range bounded by the people and categories of
the day, so a day's checks cost the same whatever the size of the history.

A flag is raised once per order and rule (a unique key): running a day twice adds
nothing, and a flag somebody already reviewed stays as they left it.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from counties.models import StaffPhone
from orders.models import Category, Channel, Order, OrderLine, OrderStatus, Villager
from partners.models import Partner
from rural_taobao import dates

from .models import Flag, FlagStatus, Rule
from .rules import RuleConfig, rule_configs

ORDERS = Order._meta.db_table
LINES = OrderLine._meta.db_table
FLAGS = Flag._meta.db_table
VILLAGERS = Villager._meta.db_table
PARTNERS = Partner._meta.db_table
STAFF_PHONES = StaffPhone._meta.db_table
USERS = User._meta.db_table
# Orders that still count: not cancelled, not returned.
LIVE = f"o.status NOT IN ('{OrderStatus.CANCELLED.value}', '{OrderStatus.RETURNED.value}')"
# A category's price band is judged from its most recent lines in the look-back window:
# at most this many (a sample of the window on busy categories, so the cost stays flat).
BAND_SAMPLE = 2000
# The bands are first read from (about) this many of the window's most recent orders, all
# categories in one pass; only a category still short of its sample is read on its own.
BAND_PREFIX_ORDERS = 25_000


@dataclass
class CheckResult:
    days: list[dt.date] = field(default_factory=list)
    flagged: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # new flags per rule
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.flagged.values())


@dataclass
class Finding:
    order_id: int
    evidence: dict


@dataclass
class Source:
    """A rule's findings left in the database: a query whose rows are (order id, county
    id, partner id, evidence as JSON). On PostgreSQL the flags are inserted straight from
    it, so a promotion day's hundreds of thousands of findings never reach Python."""

    sql: str
    params: list


# What a rule finds: its findings, or queries of them (raised in order: a later query never
# replaces the flag an earlier one raised for the same order).
Findings = list[Finding] | list[Source]


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _moment(moment: dt.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _bounds(first: dt.date, last: dt.date) -> tuple:
    start, end = dates.days_bounds(first, last)
    return _moment(start), _moment(end)


def _dec(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _rows(sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _json_object(*pairs: tuple[str, str]) -> str:
    """SQL building a JSON object of (key, SQL expression) pairs."""
    function = "jsonb_build_object" if _pg() else "json_object"
    arguments = ", ".join(f"'{key}', {expression}" for key, expression in pairs)
    return f"{function}({arguments})"


def _shanghai_date(expression: str) -> str:
    if _pg():
        return f"(({expression}) AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({expression}, '+8 hours')"


# ── the rules ────────────────────────────────────────────────────────────────


def _self_dealing(day: dt.date, config: RuleConfig) -> list[Finding]:
    start, end = _bounds(day, day)
    found: dict[int, Finding] = {}
    partner_rows = _rows(
        f"""
        SELECT o.id, v.phone, p.real_name, CASE WHEN p.id = o.partner_id THEN 1 ELSE 0 END
          FROM {ORDERS} o
          JOIN {VILLAGERS} v ON v.id = o.villager_id
          JOIN {PARTNERS} p ON p.phone = v.phone
         WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
        """,
        [start, end],
    )
    for order_id, phone, name, own in sorted(partner_rows, key=lambda r: -r[3]):
        if order_id not in found:
            whose = "own_partner" if own else "other_partner"
            found[order_id] = Finding(order_id, {"phone": phone, "whose": whose, "name": name})
    staff_rows = _rows(
        f"""
        SELECT o.id, v.phone, u.username
          FROM {ORDERS} o
          JOIN {VILLAGERS} v ON v.id = o.villager_id
          JOIN {STAFF_PHONES} s ON s.phone = v.phone
          JOIN {USERS} u ON u.id = s.user_id
         WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
        """,
        [start, end],
    )
    for order_id, phone, username in staff_rows:
        found.setdefault(order_id, Finding(order_id, {"phone": phone, "whose": "staff", "name": username}))
    return list(found.values())


def _villager_burst(day: dt.date, config: RuleConfig) -> Findings:
    per_day, per_30 = config.int("per_day"), config.int("per_30_days")
    start, end = _bounds(day, day)
    window_start, _end = _bounds(day - dt.timedelta(days=29), day)
    iso_day = day.isoformat()
    over_the_day = Source(
        f"""
        SELECT id, county_id, partner_id,
               {_json_object(("window", "'day'"), ("rank", "rnk"), ("count", "cnt"), ("limit", "CAST(%s AS integer)"), ("day", "CAST(%s AS text)"))}
          FROM (
            SELECT o.id, o.county_id, o.partner_id,
                   ROW_NUMBER() OVER (PARTITION BY o.villager_id ORDER BY o.paid_at, o.id) AS rnk,
                   COUNT(*) OVER (PARTITION BY o.villager_id) AS cnt
              FROM {ORDERS} o
             WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
        ) x WHERE rnk > %s
        """,
        [per_day, iso_day, start, end, per_day],
    )
    # The 30 days to the day, of the villagers who paid for something on it.
    over_30_days = Source(
        f"""
        SELECT id, county_id, partner_id,
               {_json_object(("window", "'30_days'"), ("rank", "rnk"), ("limit", "CAST(%s AS integer)"), ("day", "CAST(%s AS text)"))}
          FROM (
            SELECT o.id, o.county_id, o.partner_id, o.paid_at,
                   ROW_NUMBER() OVER (PARTITION BY o.villager_id ORDER BY o.paid_at, o.id) AS rnk
              FROM {ORDERS} o
             WHERE o.villager_id IN (
                       SELECT d.villager_id FROM {ORDERS} d
                        WHERE d.paid_at >= %s AND d.paid_at < %s
                        GROUP BY d.villager_id)
               AND o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
        ) x WHERE rnk > %s AND paid_at >= %s
        """,
        [per_30, iso_day, start, end, window_start, end, per_30, start],
    )
    return [over_the_day, over_30_days]


def _quartiles(prices: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    q1, median, q3 = statistics.quantiles(prices, n=4, method="inclusive")
    return Decimal(q1), Decimal(median), Decimal(q3)


def price_bands(day: dt.date, config: RuleConfig) -> dict[int, dict]:
    """Each category's band from its lines paid in the look-back window before ``day``
    (the most recent ``BAND_SAMPLE`` of them): quartiles, median, the low and high limits."""
    window_start, window_end = _bounds(day - dt.timedelta(days=config.int("lookback_days")), day - dt.timedelta(days=1))
    factor, median_factor, min_lines = config["iqr_factor"], config["median_factor"], config.int("min_lines")
    # Where the window's most recent BAND_PREFIX_ORDERS orders begin (none: the window is
    # smaller, and read whole).
    boundary = _rows(
        f"""
        SELECT o.paid_at FROM {ORDERS} o
         WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
         ORDER BY o.paid_at DESC LIMIT 1 OFFSET {BAND_PREFIX_ORDERS - 1}
        """,
        [window_start, window_end],
    )
    whole_window = not boundary
    prefix_start = window_start if whole_window else boundary[0][0]
    recent: dict[int, list[Decimal]] = defaultdict(list)
    for category_id, price in _rows(
        f"""
        SELECT r.category_id, r.unit_price
          FROM (SELECT l.category_id, l.unit_price,
                       ROW_NUMBER() OVER (PARTITION BY l.category_id ORDER BY o.paid_at DESC, l.id DESC) AS rn
                  FROM {ORDERS} o JOIN {LINES} l ON l.order_id = o.id
                 WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}) r
         WHERE r.rn <= {BAND_SAMPLE}
        """,
        [prefix_start, window_end],
    ):
        recent[category_id].append(_dec(price))
    bands = {}
    for category_id in Category.objects.values_list("pk", flat=True):
        prices = recent.get(category_id, [])
        if len(prices) < BAND_SAMPLE and not whole_window:
            prices = [
                _dec(price)
                for (price,) in _rows(
                    f"""
                    SELECT l.unit_price FROM {LINES} l JOIN {ORDERS} o ON o.id = l.order_id
                     WHERE l.category_id = %s AND o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
                     ORDER BY o.paid_at DESC, l.id DESC LIMIT {BAND_SAMPLE}
                    """,
                    [category_id, window_start, window_end],
                )
            ]
        if len(prices) < min_lines:
            continue
        q1, median, q3 = _quartiles(prices)
        # A category whose prices barely vary (most lines at one price) would flag any
        # other price: the spread counts as at least 1 % of the median.
        iqr = max(q3 - q1, median / 100)
        high = min(q3 + factor * iqr, median * median_factor)
        bands[category_id] = {
            "q1": q1,
            "median": median,
            "q3": q3,
            "low": q1 - factor * iqr,
            "high": high,
            "lines": len(prices),
        }
    return bands


def _price_outlier(day: dt.date, config: RuleConfig) -> list[Finding]:
    bands = price_bands(day, config)
    if not bands:
        return []
    start, end = _bounds(day, day)
    # Compare in the database against the bands (the day's lines never leave it).
    cases_low = " ".join(f"WHEN {c} THEN {b['low']:.4f}" for c, b in bands.items())
    cases_high = " ".join(f"WHEN {c} THEN {b['high']:.4f}" for c, b in bands.items())
    ids = ", ".join(str(c) for c in bands)
    found: dict[int, Finding] = {}
    rows = _rows(
        f"""
        SELECT l.order_id, l.category_id, l.unit_price, l.product_name
          FROM {LINES} l JOIN {ORDERS} o ON o.id = l.order_id
         WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE} AND l.category_id IN ({ids})
           AND (l.unit_price < CASE l.category_id {cases_low} END
                OR l.unit_price > CASE l.category_id {cases_high} END)
        """,
        [start, end],
    )
    for order_id, category_id, price, product in rows:
        band = bands[category_id]
        price = _dec(price)
        distance = max(price / band["median"], band["median"] / price) if band["median"] else price
        previous = found.get(order_id)
        if previous is None or distance > previous.evidence["_distance"]:
            found[order_id] = Finding(
                order_id,
                {
                    "_distance": float(distance),
                    "unit_price": str(price),
                    "median": str(_dec(band["median"])),
                    "low": str(_dec(band["low"])),
                    "high": str(_dec(band["high"])),
                    "lines": band["lines"],
                    "product": product,
                },
            )
    for finding in found.values():
        finding.evidence.pop("_distance")
    return list(found.values())


def _bulk_quantity(day: dt.date, config: RuleConfig) -> list[Finding]:
    limit = config.int("max_quantity")
    start, end = _bounds(day, day)
    found: dict[int, Finding] = {}
    for order_id, quantity, product in _rows(
        f"""
        SELECT l.order_id, l.quantity, l.product_name
          FROM {LINES} l JOIN {ORDERS} o ON o.id = l.order_id
         WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
           AND o.channel = '{Channel.ASSISTED_PURCHASE.value}' AND l.quantity > %s
         ORDER BY l.quantity DESC
        """,
        [start, end, limit],
    ):
        found.setdefault(order_id, Finding(order_id, {"quantity": quantity, "product": product, "limit": limit}))
    return list(found.values())


def _too_fast(day: dt.date, config: RuleConfig) -> list[Finding]:
    hours = config["min_hours"]
    start, end = _bounds(day, day)
    if _pg():
        sooner = "o.picked_up_at < o.paid_at + make_interval(secs => %s)"
    else:
        sooner = "(julianday(o.picked_up_at) - julianday(o.paid_at)) * 86400.0 < %s"
    findings = []
    for order_id, paid_at, picked_up_at in _rows(
        f"""
        SELECT o.id, o.paid_at, o.picked_up_at FROM {ORDERS} o
         WHERE o.picked_up_at >= %s AND o.picked_up_at < %s AND o.paid_at IS NOT NULL AND {sooner}
        """,
        [start, end, float(hours * 3600)],
    ):
        if isinstance(paid_at, str):  # SQLite hands back text
            paid_at, picked_up_at = dt.datetime.fromisoformat(paid_at), dt.datetime.fromisoformat(picked_up_at)
        took = Decimal((picked_up_at - paid_at).total_seconds() / 3600).quantize(Decimal("0.1"))
        findings.append(Finding(order_id, {"hours": str(took), "limit": str(hours)}))
    return findings


def _partner_spike(day: dt.date, config: RuleConfig) -> Findings:
    factor, floor, days = config["median_factor"], config["min_sales"], config.int("lookback_days")
    start, end = _bounds(day, day)
    big = {
        partner_id: _dec(sales)
        for partner_id, sales in _rows(
            f"""
            SELECT o.partner_id, SUM(o.total_amount) FROM {ORDERS} o
             WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
             GROUP BY o.partner_id HAVING SUM(o.total_amount) > %s
            """,
            [start, end, float(floor)],
        )
    }
    if not big:
        return []
    before_start, before_end = _bounds(day - dt.timedelta(days=days), day - dt.timedelta(days=1))
    daily: dict[int, dict] = defaultdict(dict)
    marks = ", ".join(["%s"] * len(big))
    for partner_id, on, sales in _rows(
        f"""
        SELECT o.partner_id, {_shanghai_date("o.paid_at")} AS d, SUM(o.total_amount) FROM {ORDERS} o
         WHERE o.partner_id IN ({marks}) AND o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
         GROUP BY o.partner_id, d
        """,
        [*big, before_start, before_end],
    ):
        daily[partner_id][str(on)] = _dec(sales)
    spiking = {}
    for partner_id, sales in big.items():
        values = list(daily[partner_id].values()) + [Decimal(0)] * (days - len(daily[partner_id]))
        median = _dec(statistics.median(values))
        if sales > factor * median:
            spiking[partner_id] = {"sales": str(sales), "median": str(median), "days": days, "day": day.isoformat()}
    if not spiking:
        return []
    if _pg():
        # Every order of the day of each spiking partner, with its partner's evidence.
        evidence = [json.dumps(spiking[partner_id]) for partner_id in spiking]
        return [
            Source(
                f"""
                SELECT o.id, o.county_id, o.partner_id, s.evidence::jsonb
                  FROM unnest(%s::bigint[], %s::text[]) AS s(partner_id, evidence)
                  JOIN {ORDERS} o ON o.partner_id = s.partner_id
                 WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
                """,
                [list(spiking), evidence, start, end],
            )
        ]
    marks = ", ".join(["%s"] * len(spiking))
    return [
        Finding(order_id, dict(spiking[partner_id]))
        for order_id, partner_id in _rows(
            f"""
            SELECT o.id, o.partner_id FROM {ORDERS} o
             WHERE o.partner_id IN ({marks}) AND o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
            """,
            [*spiking, start, end],
        )
    ]


def _procurement_check(day: dt.date, config: RuleConfig) -> list[Finding]:
    start, end = _bounds(day, day)
    return [
        Finding(order_id, {"amount": str(_dec(amount)), "buyer": buyer, "reference": reference})
        for order_id, amount, buyer, reference in _rows(
            f"""
            SELECT o.id, o.total_amount, o.buyer_organisation, o.reference FROM {ORDERS} o
             WHERE o.paid_at >= %s AND o.paid_at < %s AND {LIVE}
               AND o.channel = '{Channel.GOVERNMENT_PROCUREMENT.value}' AND o.total_amount > %s
            """,
            [start, end, float(config["min_amount"])],
        )
    ]


CHECKS = {
    Rule.SELF_DEALING: _self_dealing,
    Rule.VILLAGER_BURST: _villager_burst,
    Rule.PRICE_OUTLIER: _price_outlier,
    Rule.BULK_QUANTITY: _bulk_quantity,
    Rule.TOO_FAST: _too_fast,
    Rule.PARTNER_SPIKE: _partner_spike,
    Rule.PROCUREMENT_CHECK: _procurement_check,
}


# ── the run ──────────────────────────────────────────────────────────────────


_FLAG_COLUMNS = (
    "order_id, county_id, partner_id, rule, severity, day, evidence, status, created_at, reviewed_at, reason,"
    " reviewed_by_id"
)


def _raise_flags(day: dt.date, config: RuleConfig, findings: Findings, now: dt.datetime) -> int:
    """Raise the rule's flags (a flag already raised for the order and rule is left as it
    is, reviewed or not); how many are new."""
    sources = [part for part in findings if isinstance(part, Source)]
    if not sources:
        return _insert_findings(day, config, cast(list[Finding], findings), now)
    return sum(_insert_source(day, config, source, now) for source in sources)


def _insert_source(day: dt.date, config: RuleConfig, source: Source, now: dt.datetime) -> int:
    if not _pg():
        rows = _rows(source.sql, source.params)
        return _insert_findings(day, config, [Finding(row[0], json.loads(row[3])) for row in rows], now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {FLAGS} ({_FLAG_COLUMNS})
            SELECT f.order_id, f.county_id, f.partner_id, %s, %s, %s, f.evidence, %s, %s, NULL, '', NULL
              FROM ({source.sql}) AS f(order_id, county_id, partner_id, evidence)
                ON CONFLICT (order_id, rule) DO NOTHING
            """,
            [config.rule, config.severity, day, FlagStatus.OPEN.value, now, *source.params],
        )
        return cursor.rowcount


def _insert_findings(day: dt.date, config: RuleConfig, findings: list[Finding], now: dt.datetime) -> int:
    if not findings:
        return 0
    if _pg():
        # One INSERT … SELECT for the lot, the orders' county and partner joined in.
        order_ids = [f.order_id for f in findings]
        evidence = [json.dumps(f.evidence, cls=DjangoJSONEncoder) for f in findings]
        return _insert_source(
            day,
            config,
            Source(
                f"""
                SELECT o.id, o.county_id, o.partner_id, f.evidence::jsonb
                  FROM unnest(%s::bigint[], %s::text[]) AS f(order_id, evidence)
                  JOIN {ORDERS} o ON o.id = f.order_id
                """,
                [order_ids, evidence],
            ),
            now,
        )
    ids = [f.order_id for f in findings]
    already = set(Flag.objects.filter(rule=config.rule, order_id__in=ids).values_list("order_id", flat=True))
    fresh: dict[int, Finding] = {}
    for finding in findings:
        if finding.order_id not in already:
            fresh.setdefault(finding.order_id, finding)
    if not fresh:
        return 0
    owners = {
        pk: (county_id, partner_id)
        for pk, county_id, partner_id in Order.objects.filter(pk__in=list(fresh)).values_list(
            "pk", "county_id", "partner_id"
        )
    }
    Flag.objects.bulk_create(
        [
            Flag(
                order_id=f.order_id,
                county_id=owners[f.order_id][0],
                partner_id=owners[f.order_id][1],
                rule=config.rule,
                severity=config.severity,
                day=day,
                evidence=f.evidence,
                created_at=now,
            )
            for f in fresh.values()
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(fresh)


def check_day(day: dt.date, *, rules: Iterable[str] | None = None) -> dict[str, int]:
    """Run the (enabled) rules over one day's orders; the new flags per rule."""
    configs = rule_configs()
    wanted = set(rules) if rules is not None else set(CHECKS)
    now = timezone.now()
    counts: dict[str, int] = {}
    for rule, check in CHECKS.items():
        config = configs[rule]
        if rule not in wanted or not config.enabled:
            continue
        with transaction.atomic():
            counts[rule] = _raise_flags(day, config, check(day, config), now)
    return counts


def check_days(days: Iterable[dt.date], *, progress=None) -> CheckResult:
    """The checks over several days (oldest first)."""
    import time

    clock = time.monotonic()
    result = CheckResult(days=sorted(set(days)))
    for index, day in enumerate(result.days, start=1):
        for rule, count in check_day(day).items():
            result.flagged[rule] += count
        if progress:
            progress(index, len(result.days), day)
    result.seconds = time.monotonic() - clock
    return result
