"""The demo data generator behind ``manage.py seed_demo``.

Everything here is deterministic: one ``random.Random`` stream per phase, seeded
from ``--seed`` and the phase name, so the same options produce the same names,
phones, order numbers and amounts (and asking for more orders does not change the
partners' phones). The only input from the clock is the default end of the period,
"yesterday in Asia/Shanghai"; pass ``end_date`` (``--end-date``) to pin it as well.

What gets generated, in order:

1. reference data — the 31 provinces, 24 product categories, the 6.18 / 11.11
   promotions of every year the period touches, and demo commission rates and
   incentive tiers where there are none (all get-or-create, and kept by ``--reset``).
   A 6.18 promotion runs 06-01..06-18, an 11.11 promotion 11-01..11-11; every
   non-procurement order placed inside the window carries the promotion, and the day
   itself (06-18, 11-11) is the big spike;
2. counties — the real counties of ``demo_data.REAL_COUNTIES`` (Lankao first), then
   synthetic ones with generated names and unused codes (province code + 4 digits);
3. villages with townships, each with a service point;
4. partners in every onboarding status with a status history that only uses legal
   transitions (``partners.models.PARTNER_TRANSITIONS``); at most one active partner
   per village; partners who were ever active have a login (username = phone, group
   "partner"; one shared password hash, as hashing thousands of passwords would take
   minutes) and a service point; villagers per partner;
5. orders over ``days`` days ending ``end_date`` in three channels, with weekly,
   seasonal (Spring Festival) and promotion rhythm, 1–3 lines each; order numbers
   ``{county code}-{Shanghai date:%Y%m%d}-{seq:05d}`` counted per county and day, and
   ``OrderNumberCounter`` rows set to the last number used. Lines of paid orders carry
   the commission snapshot ``orders.services`` takes at payment (rate in force on the
   paid day), and every day of the period is marked dirty for the rollups;
6. yearly sales targets, derived from the generated sales so that dashboards show
   meaningful progress (real targets would dwarf demo volumes);
7. official monthly online retail figures (``demo_data.OFFICIAL_ONLINE_SALES``) for a
   dozen counties, so about ten are above ¥1亿 a year (亿元淘宝县, poverty counties
   among them) and the ranking and the national headline mean something.

Orders are written in streaming batches: ``COPY`` on PostgreSQL, ``bulk_create``
elsewhere. Bulk-generated orders get no ``OrderStatusChange`` rows — the timestamps
on the order (placed_at, paid_at, shipped_at, …) carry its timeline. Each status'
timestamp is set exactly when the order has reached that status by the end of the
period; a cancelled order has cancelled_at (and paid_at if it was paid first), a
returned one every step up to picked_up_at plus returned_at.

Everything runs in one transaction: a crash leaves the database as it was.
"""

from __future__ import annotations

import bisect
import io
import itertools
import math
import random
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, models, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from analytics.dirty_days import mark_days_dirty
from analytics.models import CountyOnlineRetailMonth
from counties.models import County, CountyStaffAssignment, Province, ServicePoint, Village
from demo import demo_data as data
from orders.models import (
    Category,
    Channel,
    Order,
    OrderLine,
    OrderNumberCounter,
    OrderStatus,
    OrderStatusChange,
    PlatformOrder,
    Promotion,
    ReconciliationRun,
    Villager,
)
from orders.services import format_order_number
from partners.commission import commission_amount
from partners.models import (
    CommissionRate,
    IncentiveTier,
    Partner,
    PartnerStatus,
    PartnerStatusChange,
    ProcurementRate,
    ServicePointTenure,
)
from payouts.models import PayoutBatch
from rural_taobao import dates
from rural_taobao.dates import shanghai_zone

SHANGHAI = shanghai_zone()
UTC_OFFSET = 8 * 3600  # Shanghai has kept UTC+8 without daylight saving since 1991.
MINUTE = 60
HOUR = 3600
DAY = 86400

DEMO_USERNAMES = ("demo_admin", "demo_county", "demo_centre", "demo_partner")
DEMO_PARTNER_VILLAGE = "张庄村"

ADMIN_GROUP = "admin"
COUNTY_STAFF_GROUP = "county_staff"
COUNTY_CENTRE_GROUP = "county_centre"
PARTNER_GROUP = "partner"

# Share of partners per status (at least one of each is always generated).
STATUS_SHARES: list[tuple[str, float]] = [
    (PartnerStatus.ACTIVE, 0.55),
    (PartnerStatus.SUSPENDED, 0.05),
    (PartnerStatus.EXITED, 0.10),
    (PartnerStatus.APPLIED, 0.06),
    (PartnerStatus.REVIEWING, 0.05),
    (PartnerStatus.APPROVED, 0.04),
    (PartnerStatus.TRAINING, 0.05),
    (PartnerStatus.REJECTED, 0.10),
]
# Failed in training and withdrawn: 2 % each, taken out of the rejected share (at least
# one of each), so the partners who were ever active are the same as without them.
ENDING_SHARES: list[tuple[str, float]] = [(PartnerStatus.FAILED, 0.02), (PartnerStatus.WITHDRAWN, 0.02)]
EVER_ACTIVE = (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXITED)

# Orders by hour of the day (Shanghai): mornings and evenings after field work.
HOUR_WEIGHTS = [
    0.3, 0.15, 0.1, 0.05, 0.05, 0.2, 0.6, 1.2, 2.0, 2.6, 2.8, 2.4,
    1.8, 1.8, 2.2, 2.4, 2.4, 2.2, 2.4, 3.0, 3.2, 2.6, 1.4, 0.7,
]  # fmt: skip
# On 6.18 and 11.11 the rush starts at midnight.
PROMO_DAY_HOUR_WEIGHTS = [w * f for w, f in zip(HOUR_WEIGHTS, [40, 12, 4] + [1] * 21, strict=True)]
HOUR_CUM = list(itertools.accumulate(HOUR_WEIGHTS))
PROMO_DAY_HOUR_CUM = list(itertools.accumulate(PROMO_DAY_HOUR_WEIGHTS))
# How often each of data.PROCUREMENT_ITEMS is bought (cumulative weights).
PROCUREMENT_ITEM_CUM = list(itertools.accumulate([6, 2, 2, 3, 2, 1, 2, 2, 1, 1]))
# Farm produce any county may sell: (name, category slug, low, high, max quantity).
GENERIC_FARM = [
    (name, slug, low, high, max_quantity)
    for slug, items in data.GENERIC_FARM_PRODUCTS.items()
    for name, low, high, max_quantity in items
]
WEEKDAY_FACTOR = [0.95, 0.93, 0.95, 0.97, 1.02, 1.12, 1.10]
MONTH_FACTOR = {
    1: 1.05,
    2: 0.9,
    3: 0.95,
    4: 0.95,
    5: 0.95,
    6: 1.0,
    7: 0.85,
    8: 0.9,
    9: 1.0,
    10: 1.05,
    11: 1.1,
    12: 1.15,
}
# Farm produce is seasonal: autumn harvest and the run-up to the Spring Festival.
FARM_MONTH_FACTOR = {1: 1.3, 2: 0.8, 3: 0.6, 4: 0.6, 5: 0.8, 6: 1.0, 7: 1.1, 8: 1.1, 9: 1.4, 10: 1.5, 11: 1.5, 12: 1.4}
FARM_FOCUS_FACTOR = {"agriculture": 1.6, "handicraft": 1.4, "tourism": 1.0, "mixed": 1.0, "manufacturing": 0.6}
FARM_BASE_SHARE = 0.09
PROCUREMENT_SHARE = 0.002  # of orders on working days: rare, but large
CANCEL_RATE = {"assisted_purchase": 0.05, "farm_produce": 0.03, "government_procurement": 0.01}
RETURN_RATE = {"assisted_purchase": 0.025, "farm_produce": 0.015, "government_procurement": 0.003}


# Plain strings for the hot loop (enum members format and compare more slowly).
ASSISTED = Channel.ASSISTED_PURCHASE.value
FARM = Channel.FARM_PRODUCE.value
PROCUREMENT = Channel.GOVERNMENT_PROCUREMENT.value
CANCELLED = OrderStatus.CANCELLED.value
RETURNED = OrderStatus.RETURNED.value
# The share of days on which one order breaking an integrity rule is planted (per rule).
ANOMALY_DAY_SHARE = 0.05
REACHED_STATUS = [
    OrderStatus.PLACED.value,
    OrderStatus.PAID.value,
    OrderStatus.SHIPPED.value,
    OrderStatus.AT_COUNTY_CENTRE.value,
    OrderStatus.AT_SERVICE_POINT.value,
    OrderStatus.PICKED_UP.value,
]
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass
class SeedOptions:
    seed: int = 2015
    days: int = 365
    end_date: date | None = None  # last day with orders; default: yesterday in Shanghai
    counties: int | None = None  # total number of counties; default: the real ones
    villages_per_county: int = 10
    partners: int = 400
    orders: int = 20000
    password: str = "demo12345"  # noqa: S105 - the documented demo password
    batch_size: int = 5000
    money: bool = True  # platform records, the settled months, payouts and disputes (demo.money)


# ----------------------------------------------------------------------------------------
# Detecting and removing demo data
# ----------------------------------------------------------------------------------------


def demo_data_present() -> bool:
    """True when a previous seed_demo run left its mark (Lankao or a demo login)."""
    return (
        County.objects.filter(code=data.LANKAO_CODE).exists()
        or User.objects.filter(username__in=DEMO_USERNAMES).exists()
    )


# The tables seed_demo fills; --reset empties them (and every table that points at them,
# e.g. rollups and income statements computed from demo orders). Provinces, categories
# and promotions are reference data and stay.
WIPED_MODELS = [
    PayoutBatch,
    ReconciliationRun,
    PlatformOrder,
    OrderLine,
    OrderStatusChange,
    Order,
    OrderNumberCounter,
    Villager,
    PartnerStatusChange,
    Partner,
    CountyStaffAssignment,
    ServicePoint,
    Village,
    County,
]


def _wipe_plan() -> tuple[list[type[models.Model]], list[tuple[type[models.Model], models.Field]]]:
    """The models to empty (children first) and the nullable links into them to clear."""
    targets = list(WIPED_MODELS)
    nullify: list[tuple[type[models.Model], models.Field]] = []
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in targets or model._meta.proxy or not model._meta.managed:
                continue
            for f in model._meta.concrete_fields:
                if not (f.is_relation and f.related_model in targets):
                    continue
                if f.null and f.remote_field.on_delete is models.SET_NULL:
                    if (model, f) not in nullify:
                        nullify.append((model, f))
                else:
                    targets.append(model)
                    changed = True
                    break
    nullify = [(m, f) for m, f in nullify if m not in targets]
    # Delete a model only once nothing left in the plan points at it.
    ordered: list[type[models.Model]] = []
    remaining = list(targets)
    while remaining:
        for model in remaining:
            referenced = any(
                f.is_relation and f.related_model is model
                for other in remaining
                if other is not model
                for f in other._meta.concrete_fields
            )
            if not referenced:
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a reference cycle: let deferred constraints sort it out
            ordered.extend(remaining)
            break
    return ordered, nullify


def wipe_demo_data(log=None) -> dict[str, int]:
    """Delete what seed_demo creates: all counties and everything hanging off them
    (villages, service points, partners, villagers, orders, counters, staff
    assignments, and any table referencing those), the partners' logins and the demo
    users. Meant for demo and benchmark databases. Returns rows deleted per table."""
    partner_user_ids = list(Partner.objects.exclude(user=None).values_list("user_id", flat=True))
    ordered, nullify = _wipe_plan()
    deleted: dict[str, int] = {}
    with connection.cursor() as cursor:
        qn = connection.ops.quote_name
        if connection.vendor == "postgresql" and not nullify:
            # TRUNCATE empties the tables at once; row-by-row DELETE would queue a
            # foreign-key check per deleted row. It refuses tables with pending deferred
            # checks, so run those first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in ordered:
                cursor.execute(f"SELECT count(*) FROM {qn(model._meta.db_table)}")  # nosec B608  # table and column names from model _meta, quoted by quote_name; no values
                deleted[model._meta.db_table] = cursor.fetchone()[0]
            cursor.execute(f"TRUNCATE {', '.join(qn(m._meta.db_table) for m in ordered)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model, f in nullify:
                cursor.execute(
                    f"UPDATE {qn(model._meta.db_table)} SET {qn(f.column)} = NULL WHERE {qn(f.column)} IS NOT NULL"  # nosec B608  # table and column names from model _meta, quoted by quote_name; no values
                )
            for model in ordered:
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # nosec B608  # table and column names from model _meta, quoted by quote_name; no values
                deleted[model._meta.db_table] = cursor.rowcount
        if log:
            for table, n in deleted.items():
                if n:
                    log(f"  deleted {n:,} rows from {table}")
    users = 0
    for chunk in _chunks(partner_user_ids, 500):
        users += User.objects.filter(id__in=chunk).delete()[1].get("auth.User", 0)
    users += User.objects.filter(username__in=DEMO_USERNAMES).delete()[1].get("auth.User", 0)
    deleted["auth_user"] = users
    if log:
        log(f"  deleted {users:,} users (partner logins and demo users)")
    return deleted


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ----------------------------------------------------------------------------------------
# Progress
# ----------------------------------------------------------------------------------------


class Progress:
    """``label: 450,000/1,000,000 (45%)`` — a \\r bar on a terminal, else every 10%."""

    def __init__(self, out, label: str, total: int):
        self.out = out
        self.label = label
        self.total = max(total, 1)
        self.tty = bool(out is not None and hasattr(out, "isatty") and out.isatty())
        self.step = 1 if self.tty else 10
        self.last_pct = -1
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        if self.out is None:
            return
        pct = min(100, done * 100 // self.total)
        if pct // self.step == self.last_pct // self.step and done < self.total:
            return
        if pct == self.last_pct:
            return
        self.last_pct = pct
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0
        text = f"{self.label}: {done:,}/{self.total:,} ({pct}%) {rate:,.0f}/s"
        if self.tty:
            width = 30
            filled = width * pct // 100
            bar = "#" * filled + "-" * (width - filled)
            self.out.write(f"\r[{bar}] {text}", ending="\n" if done >= self.total else "")
            self.out.flush()
        else:
            self.out.write(text)


# ----------------------------------------------------------------------------------------
# Writing rows: COPY on PostgreSQL, bulk_create elsewhere
# ----------------------------------------------------------------------------------------

INT, STR, TS, MONEY, RATE, UUID, BOOL, DATE = "int", "str", "ts", "money", "rate", "uuid", "bool", "date"
_MINUTE_SECOND = [f"{m:02d}:{s:02d}+08" for m in range(60) for s in range(60)]


def _money_text(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _rate_text(v: int) -> str:
    return f"{v // 10000}.{v % 10000:04d}"


def _copy_str(v: str) -> str:
    if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
        v = v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return v


class RowWriter:
    """Insert plain tuples into a model's table, fast.

    Timestamps arrive as epoch seconds, money as integer cents and rates as integer
    ten-thousandths; the writer turns them into what the database wants (aware
    Asia/Shanghai datetimes and Decimals for the ORM, text for COPY). Columns a caller
    does not give get the model field's default, as they would with bulk_create.
    """

    def __init__(self, batch_size: int = 5000):
        self.batch_size = batch_size
        self.use_copy = connection.vendor == "postgresql"
        self._hour_prefix: dict[int, str] = {}
        self._sequences: dict[str, str] = {}

    # -- conversions -------------------------------------------------------------------
    def ts_text(self, t: int) -> str:
        """Epoch seconds as Shanghai local time text: '2026-11-11 00:03:27+08'."""
        hour, rest = divmod(t + UTC_OFFSET, HOUR)
        prefix = self._hour_prefix.get(hour)
        if prefix is None:
            day, h = divmod(hour, 24)
            prefix = f"{date(1970, 1, 1) + timedelta(days=day)} {h:02d}:"
            self._hour_prefix[hour] = prefix
        return prefix + _MINUTE_SECOND[rest]

    @staticmethod
    def ts_python(t: int) -> datetime:
        return datetime.fromtimestamp(t, SHANGHAI)

    @staticmethod
    def money_python(cents: int) -> Decimal:
        return Decimal(cents).scaleb(-2)

    def _row_formatter(self, kinds: list[str], nullable: list[bool], tail: str, with_pk: bool):
        """A function turning one row (and its primary key) into a line of COPY text.

        Built as a single f-string expression: formatting a million rows value by value
        through generic helpers costs more than generating all of the data.
        """
        env = {
            "esc": _copy_str,
            "ts": self.ts_text,
            "money": _money_text,
            "rate": _rate_text,
            "NULL": "\\N",
            "tail": tail,
        }
        templates = {
            INT: "{r[%d]}",
            UUID: "{r[%d]}",
            DATE: "{r[%d]}",
            STR: "{esc(r[%d])}",
            TS: "{ts(r[%d])}",
            MONEY: "{money(r[%d])}",
            RATE: "{rate(r[%d])}",
            BOOL: "{'t' if r[%d] else 'f'}",
        }
        parts = []
        for i, (kind, null) in enumerate(zip(kinds, nullable, strict=True)):
            part = templates[kind] % i
            if null:
                part = "{NULL if r[%d] is None else %s}" % (i, part[1:-1])  # noqa: UP031
            parts.append(part)
        body = "\\t".join(parts)
        source = f'lambda pk, r: f"{{pk}}\\t{body}{{tail}}"' if with_pk else f'lambda r: f"{body}{{tail}}"'
        # The source is built from the fixed templates above only, never from data.
        # Source built from fixed templates only, never from data (bandit B307).
        return eval(source, env)  # noqa: S307  # nosec B307

    def _text(self, kind: str, v) -> str:
        if v is None:
            return "\\N"
        if kind == INT:
            return str(v)
        if kind == STR:
            return _copy_str(v)
        if kind == TS:
            return self.ts_text(v)
        if kind == MONEY:
            return _money_text(v)
        if kind == RATE:
            return _rate_text(v)
        if kind == BOOL:
            return "t" if v else "f"
        return str(v)  # uuid, date

    def _python(self, kind: str, v):
        if v is None:
            return None
        if kind == TS:
            return self.ts_python(v)
        if kind == MONEY:
            return self.money_python(v)
        if kind == RATE:
            return Decimal(v).scaleb(-4)
        return v

    # -- inserting ---------------------------------------------------------------------
    def reserve_ids(self, model, n: int) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            seq = self._sequences.get(table)
            if seq is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
                seq = cursor.fetchone()[0]
                self._sequences[table] = seq
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [seq, n])
            return [r[0] for r in cursor.fetchall()]

    def insert(self, model, columns: list[tuple[str, str]], rows: list[tuple], return_ids: bool = False):
        """Insert rows (tuples in ``columns`` order, given as (attname, kind)).
        Returns the new primary keys when ``return_ids``."""
        if not rows:
            return []
        if self.use_copy:
            return self._copy(model, columns, rows, return_ids)
        names = [name for name, _kind in columns]
        kinds = [kind for _name, kind in columns]
        objs = [model(**{n: self._python(k, v) for n, k, v in zip(names, kinds, row, strict=True)}) for row in rows]
        model.objects.bulk_create(objs, batch_size=self.batch_size)
        if not return_ids:
            return None
        return [obj.pk for obj in objs]

    def _defaults(self, model, given: set[str]) -> tuple[list[str], str]:
        """Columns the caller did not give, and their default values as COPY text."""
        now = timezone.now()
        columns, values = [], []
        for f in model._meta.concrete_fields:
            if f.primary_key or f.attname in given:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif f.empty_strings_allowed:
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{f.name} needs a value")
            value = f.get_db_prep_save(value, connection)
            columns.append(f.column)
            if value is None:
                values.append("\\N")
            elif isinstance(value, bool):
                values.append("t" if value else "f")
            elif isinstance(value, datetime | date):
                values.append(value.isoformat())
            else:
                values.append(self._text(STR, str(value)))
        return columns, "".join("\t" + v for v in values)

    def _copy(self, model, columns, rows, return_ids):
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        db_columns = [by_attname[name].column for name, _kind in columns]
        extra_columns, extra_text = self._defaults(model, {name for name, _kind in columns})
        db_columns += extra_columns
        tail = extra_text + "\n"
        # Only columns holding a None somewhere pay for the None check.
        nullable = [any(row[i] is None for row in rows) for i in range(len(columns))]
        kinds = [kind for _name, kind in columns]
        ids = None
        if return_ids:
            ids = self.reserve_ids(model, len(rows))
            db_columns = [model._meta.pk.column, *db_columns]
        fmt = self._row_formatter(kinds, nullable, tail, with_pk=ids is not None)
        if ids is None:
            text = "".join([fmt(row) for row in rows])
        else:
            text = "".join([fmt(pk, row) for pk, row in zip(ids, rows, strict=True)])
        buf = io.StringIO(text)
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in db_columns)}) FROM STDIN"
        self._send_copy(sql, buf)
        return ids

    @staticmethod
    def _send_copy(sql: str, buf: io.StringIO) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, buf)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(buf.getvalue())


# ----------------------------------------------------------------------------------------
# In-memory plan
# ----------------------------------------------------------------------------------------


@dataclass
class CountyPlan:
    code: str
    name: str
    name_en: str
    province_code: str
    region: str
    focus: str
    characteristic: str
    profile: str
    poverty: bool
    since: date
    office: str
    weight: float
    fixed_villages: list[tuple[str, str]]
    farm_products: list[tuple[str, str, float, float, int]]  # (name, category slug, low, high, max qty)
    id: int | None = None
    townships: list[str] = field(default_factory=list)
    gmv_cents: int = 0
    procurement_seq: Counter = field(default_factory=Counter)


@dataclass
class VillagePlan:
    county: int  # index into counties
    name: str
    township: str
    address: str = ""
    opened_on: date | None = None
    closed_on: date | None = None
    id: int | None = None
    service_point_id: int | None = None


@dataclass
class PlannedOrder:
    """One order of a day before it is numbered: who, when, which channel, what."""

    placed: int  # epoch seconds
    partner: PartnerPlan
    county: CountyPlan
    villager_id: int
    channel: str
    promotion_id: int | None = None
    buyer: str = ""
    reference: str = ""
    lines: list[tuple[str, int, int, int]] = field(default_factory=list)  # (product, category id, qty, unit cents)
    fast_pickup: bool = False  # picked up within hours of payment (a planted anomaly)

    def has_line(self, product_name: str) -> bool:
        return any(line[0] == product_name for line in self.lines)


@dataclass
class PartnerPlan:
    village: int  # index into villages
    status: str
    real_name: str
    phone: str
    occupation: str
    motivation: str
    events: list[tuple[str, str, int, str]] = field(default_factory=list)  # (from, to, at, reason)
    windows: list[tuple[int, int]] = field(default_factory=list)  # active spells [start, end)
    weight: float = 1.0
    is_demo: bool = False
    id: int | None = None
    user_id: int | None = None
    villager_ids: list[int] = field(default_factory=list)

    def add(self, to_status: str, at: int, reason: str = "") -> None:
        from_status = self.events[-1][1] if self.events else ""
        self.events.append((from_status, to_status, int(at), reason))

    @property
    def activated_at(self) -> int | None:
        return next((at for _f, to, at, _r in self.events if to == PartnerStatus.ACTIVE), None)

    @property
    def exited_at(self) -> int | None:
        return next((at for _f, to, at, _r in self.events if to == PartnerStatus.EXITED), None)


@dataclass
class SeedResult:
    counties: int = 0
    villages: int = 0
    partners_by_status: dict[str, int] = field(default_factory=dict)
    villagers: int = 0
    orders_by_status: dict[str, int] = field(default_factory=dict)
    orders_by_channel: dict[str, int] = field(default_factory=dict)
    promotion_orders: int = 0
    gmv: Decimal = Decimal("0.00")
    elapsed: float = 0.0
    notes: list[str] = field(default_factory=list)
    money: dict[str, object] = field(default_factory=dict)
    official_months: int = 0  # CountyOnlineRetailMonth rows
    official_counties: int = 0


class _OrderBatch:
    """Orders and their lines written a batch at a time (COPY on PostgreSQL), with progress."""

    ORDER_COLUMNS = [
        ("order_no", STR), ("client_request_id", UUID), ("partner_id", INT), ("placed_by_id", INT), ("villager_id", INT),
        ("village_id", INT), ("county_id", INT), ("channel", STR), ("promotion_id", INT), ("status", STR),
        ("total_amount", MONEY), ("buyer_organisation", STR), ("reference", STR), ("placed_at", TS),
        ("paid_at", TS), ("shipped_at", TS), ("at_county_centre_at", TS), ("at_service_point_at", TS),
        ("picked_up_at", TS), ("cancelled_at", TS), ("returned_at", TS), ("updated_at", TS),
    ]  # fmt: skip
    LINE_COLUMNS = [
        ("order_id", INT), ("product_name", STR), ("category_id", INT), ("quantity", INT), ("unit_price", MONEY),
        ("line_total", MONEY), ("commission_rate", RATE), ("commission_amount", MONEY),
    ]  # fmt: skip

    def __init__(self, seeder, progress: Progress):
        self.seeder = seeder
        self.progress = progress
        self.orders: list[tuple] = []
        self.lines: list[list[tuple]] = []
        self.written = 0

    def add(self, rows: tuple[tuple, list]) -> None:
        order_row, line_rows = rows
        self.orders.append(order_row)
        self.lines.append(line_rows)
        if len(self.orders) >= self.seeder.o.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.orders:
            return
        writer = self.seeder.writer
        order_ids = writer.insert(Order, self.ORDER_COLUMNS, self.orders, return_ids=True)
        line_rows = [(oid, *line) for oid, lines in zip(order_ids, self.lines, strict=True) for line in lines]
        writer.insert(OrderLine, self.LINE_COLUMNS, line_rows)
        self.written += len(self.orders)
        self.orders.clear()
        self.lines.clear()
        self.progress.update(self.written)


# ----------------------------------------------------------------------------------------
# The seeder
# ----------------------------------------------------------------------------------------


class DemoSeeder:
    def __init__(self, options: SeedOptions, stdout=None):
        self.o = options
        self.out = stdout
        self.end_date = options.end_date or (dates.shanghai_today() - timedelta(days=1))
        self.start_date = self.end_date - timedelta(days=options.days - 1)
        self.period_start = self.epoch(self.start_date)
        self.as_of = self.epoch(self.end_date + timedelta(days=1))  # midnight after the last day
        self.writer = RowWriter(options.batch_size)
        self.result = SeedResult()
        self.counties: list[CountyPlan] = []
        self.villages: list[VillagePlan] = []
        self.partners: list[PartnerPlan] = []
        self.category_ids: dict[str, int] = {}
        self.promotions: dict[date, int] = {}  # every day of a promotion window → promotion id
        self.promotion_peaks: set[date] = set()
        self.used_phones: set[str] = set()
        self.counter_max: dict[tuple[int, date], int] = {}

    # -- helpers -----------------------------------------------------------------------
    @staticmethod
    def epoch(d: date) -> int:
        """Epoch seconds of Shanghai midnight at the start of ``d``."""
        return int(datetime(d.year, d.month, d.day, tzinfo=SHANGHAI).timestamp())

    @staticmethod
    def local_date(t: int) -> date:
        return date(1970, 1, 1) + timedelta(days=(t + UTC_OFFSET) // DAY)

    def rng(self, phase: str) -> random.Random:
        # Deterministic demo data, not security (bandit B311).
        return random.Random(f"{self.o.seed}:{phase}")  # nosec B311

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    def person_name(self, rng: random.Random) -> str:
        surname = rng.choices(self._surnames, cum_weights=self._surname_cum)[0]
        n = 1 if rng.random() < 0.3 else 2
        return surname + "".join(rng.choice(data.GIVEN_NAME_CHARS) for _ in range(n))

    def phone(self, rng: random.Random) -> str:
        while True:
            p = rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            if p not in self.used_phones:
                self.used_phones.add(p)
                return p

    # -- run ---------------------------------------------------------------------------
    def run(self) -> SeedResult:
        started = time.monotonic()
        self._surnames = [s for s, _w in data.SURNAMES]
        self._surname_cum = list(itertools.accumulate(w for _s, w in data.SURNAMES))
        self.used_phones.update(Partner.objects.values_list("phone", flat=True))
        self.used_phones.update(
            User.objects.filter(username__regex=r"^1[3-9][0-9]{9}$").values_list("username", flat=True)
        )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys as rows arrive instead of queueing millions of
                # deferred checks until commit.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.seed_reference()
            self.plan_counties()
            self.plan_villages()
            self.plan_partners()
            self.save_geography()
            self.save_users_and_partners()
            with self.bulk_load([Villager, Order, OrderLine, OrderNumberCounter]):
                self.save_villagers()
                self.save_orders()
                self.save_counters_and_targets()
            self.save_official_online_sales()
            if self.o.money:
                from demo.money import seed_money

                self.result.money = seed_money(self)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.result.elapsed = time.monotonic() - started
        self.collect_summary()
        self.result.elapsed = time.monotonic() - started
        return self.result

    @contextmanager
    def bulk_load(self, loaded_models):
        """Load the big tables without per-row foreign-key triggers where that is allowed.

        On PostgreSQL, as a superuser, the foreign-key triggers are switched off while the
        rows stream in (``session_replication_role = replica``, as ``pg_restore
        --disable-triggers`` does) — they are most of the database's work — and every
        foreign key of the loaded tables is then checked in one set-based query. Unique
        and check constraints stay on throughout. Elsewhere the rows are checked as usual.
        """
        fast = connection.vendor == "postgresql" and self._is_superuser()
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            self.check_foreign_keys(loaded_models)

    @staticmethod
    def _is_superuser() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SHOW is_superuser")
            return cursor.fetchone()[0] == "on"

    def check_foreign_keys(self, loaded_models) -> None:
        """Every foreign key of ``loaded_models`` points at an existing row, or SeedError."""
        qn = connection.ops.quote_name
        started = time.monotonic()
        with connection.cursor() as cursor:
            for model in loaded_models:
                for f in model._meta.concrete_fields:
                    if not f.is_relation:
                        continue
                    parent = f.related_model._meta
                    cursor.execute(
                        f"SELECT count(*) FROM {qn(model._meta.db_table)} c WHERE c.{qn(f.column)} IS NOT NULL "
                        f"AND NOT EXISTS (SELECT 1 FROM {qn(parent.db_table)} p "
                        f"WHERE p.{qn(f.target_field.column)} = c.{qn(f.column)})"  # nosec B608  # table and column names from model _meta, quoted by quote_name; no values
                    )
                    dangling = cursor.fetchone()[0]
                    if dangling:
                        raise SeedError(f"{dangling} rows of {model._meta.db_table}.{f.column} point nowhere")
        self.log(f"foreign keys of the loaded tables checked in {time.monotonic() - started:.1f} s")

    # -- 1. reference data -------------------------------------------------------------
    def seed_reference(self) -> None:
        for code, (name, name_en, region) in data.PROVINCES.items():
            Province.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "region": region})
        self.province_ids = dict(Province.objects.values_list("code", "id"))
        self.province_names = dict(Province.objects.values_list("code", "name"))
        for i, (slug, name_zh, name_en, farm) in enumerate(data.CATEGORIES):
            Category.objects.get_or_create(
                slug=slug,
                defaults={"name_zh": name_zh, "name_en": name_en, "is_farm_produce": farm, "sort_order": (i + 1) * 10},
            )
        self.category_ids = dict(Category.objects.values_list("slug", "id"))
        for year in range(self.start_date.year, self.end_date.year + 1):
            windows = [
                (f"618-{year}", f"6.18 年中大促 {year}", date(year, 6, 1), date(year, 6, 18),
                 "6.18 年中大促：6月1日预热，6月18日当天为高峰。家电、手机数码下乡的重要节点。"),
                (f"1111-{year}", f"双11 购物狂欢节 {year}", date(year, 11, 1), date(year, 11, 11),
                 "双11：11月1日起预热，11月11日零点开抢，农村淘宝全年最大的促销日。"),
            ]  # fmt: skip
            for code, name, starts, ends, description in windows:
                promo, _created = Promotion.objects.get_or_create(
                    code=code, defaults={"name": name, "starts_on": starts, "ends_on": ends, "description": description}
                )
                d = promo.starts_on
                while d <= promo.ends_on:
                    self.promotions[d] = promo.id
                    d += timedelta(days=1)
                self.promotion_peaks.add(promo.ends_on)
        self.seed_commission_rules()
        self.log(f"reference data: {len(self.province_ids)} provinces, {len(self.category_ids)} categories, "
                 f"{2 * (self.end_date.year - self.start_date.year + 1)} promotions")  # fmt: skip

    def seed_commission_rules(self) -> None:
        """Demo commission rates and incentive tiers where there are none yet, then the
        rate history every paid order line is snapshotted against."""
        since = date(2015, 1, 1)
        have_rates = set(CommissionRate.objects.values_list("category_id", flat=True).distinct())
        new_rates = [
            CommissionRate(category_id=self.category_ids[slug], rate=Decimal(rate), effective_from=since)
            for slug, rate in data.COMMISSION_RATES.items()
            if slug in self.category_ids and self.category_ids[slug] not in have_rates
        ]
        raise_slug, raise_rate = data.COMMISSION_RATE_RAISE
        if any(r.category_id == self.category_ids.get(raise_slug) for r in new_rates):
            new_rates.append(
                CommissionRate(
                    category_id=self.category_ids[raise_slug],
                    rate=Decimal(raise_rate),
                    effective_from=self.start_date + timedelta(days=self.o.days // 2),
                )
            )
        CommissionRate.objects.bulk_create(new_rates)
        if not IncentiveTier.objects.exists():
            IncentiveTier.objects.bulk_create(
                IncentiveTier(min_monthly_sales=Decimal(m), bonus=Decimal(b)) for m, b in data.INCENTIVE_TIERS
            )
        # (effective_from as days since 1970-01-01, rate in ten-thousandths), oldest first.
        self.rate_history: dict[int, list[tuple[int, int]]] = {}
        for category_id, day, rate in CommissionRate.objects.order_by("effective_from").values_list(
            "category_id", "effective_from", "rate"
        ):
            self.rate_history.setdefault(category_id, []).append((day.toordinal() - EPOCH_ORDINAL, int(rate * 10000)))
        self.procurement_history = [
            (day.toordinal() - EPOCH_ORDINAL, int(rate * 10000))
            for day, rate in ProcurementRate.objects.order_by("effective_from").values_list("effective_from", "rate")
        ]
        self._rate_cache: dict[tuple[int | None, int], int] = {}

    def rate_on(self, category_id: int | None, day: int) -> int:
        """Commission rate in ten-thousandths in force on Shanghai day ``day`` (days since
        1970-01-01; ``category_id`` None: the procurement rate)."""
        key = (category_id, day)
        rate = self._rate_cache.get(key)
        if rate is None:
            history = self.procurement_history if category_id is None else self.rate_history.get(category_id, [])
            rate = 0
            for effective, r in history:
                if effective > day:
                    break
                rate = r
            self._rate_cache[key] = rate
        return rate

    # -- 2. counties -------------------------------------------------------------------
    def plan_counties(self) -> None:
        rng = self.rng("counties")
        wanted = self.o.counties if self.o.counties is not None else len(data.REAL_COUNTIES)
        for c in data.REAL_COUNTIES[:wanted]:
            province = c["code"][:2]
            self.counties.append(
                CountyPlan(
                    code=c["code"],
                    name=c["name"],
                    name_en=c["name_en"],
                    province_code=province,
                    region=data.REGION_BY_PROVINCE_CODE[province],
                    focus=c["focus"],
                    characteristic=c["characteristic"],
                    profile=c["profile"],
                    poverty=c["poverty"],
                    since=date.fromisoformat(c["since"]),
                    office=c["office"],
                    weight=c["weight"],
                    fixed_villages=list(c["villages"]),
                    farm_products=list(c["products"]),
                )  # fmt: skip
            )
        existing = set(County.objects.values_list("code", flat=True))
        clash = sorted(existing & {c.code for c in self.counties})
        if clash:
            raise SeedError(f"counties {', '.join(clash)} already exist; run with --reset to replace the demo data")
        used_codes = existing | {c["code"] for c in data.REAL_COUNTIES}
        used_names = {(c["code"][:2], c["name"]) for c in data.REAL_COUNTIES}
        provinces = list(data.SYNTHETIC_PROVINCE_WEIGHTS)
        province_cum = list(itertools.accumulate(data.SYNTHETIC_PROVINCE_WEIGHTS.values()))
        focuses = ["agriculture", "mixed", "manufacturing", "tourism", "handicraft"]
        focus_cum = list(itertools.accumulate([40, 20, 15, 15, 10]))
        poverty_rate = {"east": 0.03, "central": 0.2, "west": 0.35, "northeast": 0.15}
        generic = GENERIC_FARM
        for _ in range(max(0, wanted - len(self.counties))):
            province = rng.choices(provinces, cum_weights=province_cum)[0]
            is_city = rng.random() < 0.1
            for _attempt in range(1000):
                county_part = rng.randint(81, 89) if is_city else rng.randint(21, 39)
                code = f"{province}{rng.randint(1, 17):02d}{county_part:02d}"
                if code not in used_codes:
                    break
            else:  # pragma: no cover - only with absurd county counts
                raise SeedError(f"ran out of county codes in province {province}")
            used_codes.add(code)
            for _attempt in range(200):
                (a, a_en), (b, b_en) = rng.choice(data.COUNTY_SYLLABLES_FIRST), rng.choice(data.COUNTY_SYLLABLES_SECOND)
                suffix, suffix_en = ("市", "") if is_city else ("县", " County")
                name = f"{a}{b}{suffix}"
                if a != b and (province, name) not in used_names:
                    break
            used_names.add((province, name))
            region = data.REGION_BY_PROVINCE_CODE[province]
            focus = rng.choices(focuses, cum_weights=focus_cum)[0]
            products = rng.sample(
                data.SYNTHETIC_CHARACTERISTICS[focus], k=min(3, len(data.SYNTHETIC_CHARACTERISTICS[focus]))
            )
            characteristic = "、".join(products)
            since = date(2015, 3, 1) + timedelta(days=rng.randrange(1400))
            self.counties.append(
                CountyPlan(
                    code=code,
                    name=name,
                    name_en=f"{a_en}{b_en}{suffix_en}",
                    province_code=province,
                    region=region,
                    focus=focus,
                    characteristic=characteristic,
                    profile=data.SYNTHETIC_PROFILE_TEMPLATES[focus].format(name=name, products="、".join(products[:2])),
                    poverty=rng.random() < poverty_rate[region],
                    since=since,
                    office=rng.choice([f"{name}商务局", f"{name}电子商务办公室", f"{name}商务和经济信息化局"]),
                    weight=round(rng.lognormvariate(0, 0.35), 3),
                    fixed_villages=[],
                    farm_products=rng.sample(generic, k=4),
                )  # fmt: skip
            )

    # -- 3. villages -------------------------------------------------------------------
    def plan_villages(self) -> None:
        rng = self.rng("villages")
        needed = self._status_counts()
        holders = needed[PartnerStatus.ACTIVE] + needed[PartnerStatus.SUSPENDED]
        per_county = max(self.o.villages_per_county, 1)
        minimum = math.ceil(holders * 1.15 / len(self.counties))
        if minimum > per_county:
            self.result.notes.append(
                f"--villages-per-county raised from {per_county} to {minimum} so that every active or "
                f"suspended partner has a village of their own"
            )
            per_county = minimum
        self.villages_per_county = per_county
        surnames = self._surnames
        for ci, county in enumerate(self.counties):
            n_townships = min(max(per_county // 4, 2), 8)
            townships = ["城关镇"]
            taken = {"城关镇"} | {t for _v, t in county.fixed_villages}
            while len(townships) < n_townships:
                a = rng.choice(data.COUNTY_SYLLABLES_FIRST)[0]
                b = rng.choice(data.COUNTY_SYLLABLES_SECOND)[0]
                name = f"{a}{b}{rng.choice(data.TOWNSHIP_SUFFIXES)}"
                if a != b and name not in taken and not county.name.startswith(a + b):
                    taken.add(name)
                    townships.append(name)
            county.townships = townships
            names: set[str] = set()
            suffixes = data.VILLAGE_SUFFIXES_BY_REGION[county.region]
            for name, township in county.fixed_villages[:per_county]:
                names.add(name)
                self.villages.append(VillagePlan(ci, name, township))
            while len(names) < per_county:
                r = rng.random()
                if r < 0.45:
                    name = f"{rng.choice(surnames)}{rng.choice(suffixes)}村"
                elif r < 0.7:
                    name = f"{rng.choice(data.VILLAGE_PREFIXES)}{rng.choice(surnames)}{rng.choice(suffixes)}村"
                elif r < 0.88:
                    name = f"{rng.choice(data.VILLAGE_LANDMARKS)}村"
                else:
                    name = f"{rng.choice(data.VILLAGE_AUSPICIOUS)}村"
                if name in names:
                    name = f"{rng.choice(data.VILLAGE_PREFIXES)}{name}"
                    if name in names:
                        continue
                names.add(name)
                self.villages.append(VillagePlan(ci, name, rng.choice(townships)))
        province_names = self.province_names
        for v in self.villages:
            county = self.counties[v.county]
            r = rng.random()
            if r < 0.3:
                where = "村委会旁"
            elif r < 0.55:
                where = f"中心街{rng.randint(1, 88)}号"
            elif r < 0.7:
                where = "小学对面"
            elif r < 0.85:
                where = f"{rng.randint(1, 9)}组{rng.randint(1, 60)}号"
            else:
                where = "卫生室隔壁"
            v.address = f"{province_names[county.province_code]}{county.name}{v.township}{v.name}{where}"

    # -- 4. partners -------------------------------------------------------------------
    def _status_counts(self) -> dict[str, int]:
        n = self.o.partners
        counts = {status: max(1, int(n * share)) for status, share in STATUS_SHARES}
        for status, share in ENDING_SHARES:
            counts[status] = max(1, int(n * share))
            if counts[PartnerStatus.REJECTED] > counts[status]:
                counts[PartnerStatus.REJECTED] -= counts[status]
        counts[PartnerStatus.ACTIVE] += n - sum(counts.values())
        if counts[PartnerStatus.ACTIVE] < 1:
            raise SeedError(f"--partners must be at least {len(counts)} (one per status)")
        return counts

    def plan_partners(self) -> None:
        rng = self.rng("partners")
        counts = self._status_counts()
        villages = self.villages
        order = list(range(len(villages)))
        rng.shuffle(order)
        # The demo partner's village first, then one village per county so that every
        # county has an active partner, then the rest.
        demo_village = next(
            i for i, v in enumerate(villages)
            if self.counties[v.county].code == data.LANKAO_CODE and v.name == DEMO_PARTNER_VILLAGE
        )  # fmt: skip
        first_per_county: dict[int, int] = {}
        for i in order:
            first_per_county.setdefault(villages[i].county, i)
        spread = [i for i in first_per_county.values() if i != demo_village]
        rng.shuffle(spread)
        spread_set = set(spread)
        rest = [i for i in order if i != demo_village and i not in spread_set]
        holder_villages = [demo_village, *spread, *rest]
        n_active = counts[PartnerStatus.ACTIVE]
        n_suspended = counts[PartnerStatus.SUSPENDED]
        active_villages = holder_villages[:n_active]
        suspended_villages = holder_villages[n_active : n_active + n_suspended]
        free_villages = holder_villages[n_active + n_suspended :] or list(order)
        P = self.period_start
        A = self.as_of
        period = A - P

        def new(village: int, status: str) -> PartnerPlan:
            p = PartnerPlan(
                village=village, status=status, real_name=self.person_name(rng), phone=self.phone(rng),
                occupation=rng.choice(data.PREVIOUS_OCCUPATIONS), motivation=rng.choice(data.MOTIVATIONS),
                weight=rng.lognormvariate(0, 0.6) * self.counties[villages[village].county].weight,
            )  # fmt: skip
            self.partners.append(p)
            return p

        def onboard(p: PartnerPlan, active_at: int) -> None:
            """applied → reviewing → approved → training → active, ending at active_at."""
            steps = [rng.uniform(1, 5), rng.uniform(2, 10), rng.uniform(1, 7), rng.uniform(3, 14)]
            t = active_at - sum(steps) * DAY
            p.add(PartnerStatus.APPLIED, t)
            for status, gap in zip(
                [PartnerStatus.REVIEWING, PartnerStatus.APPROVED, PartnerStatus.TRAINING, PartnerStatus.ACTIVE],
                steps,
                strict=True,
            ):
                t += gap * DAY
                p.add(status, t if status != PartnerStatus.ACTIVE else active_at)

        def before_period(county_idx: int) -> int:
            since = self.epoch(self.counties[county_idx].since) + 20 * DAY
            lo = max(since, P - 720 * DAY)
            if lo >= P - 2 * DAY:
                lo = P - 720 * DAY
            return int(rng.uniform(lo, P - DAY))

        # Exited partners: about half handed their village over to today's active partner.
        n_exited = counts[PartnerStatus.EXITED]
        successor_villages = active_villages[1:]
        handovers = rng.sample(successor_villages, k=min(len(successor_villages), n_exited // 2))
        handover_exit: dict[int, int] = {}
        for vi in handovers:
            p = new(vi, PartnerStatus.EXITED)
            exit_at = int(rng.uniform(P - 200 * DAY, A - 30 * DAY))
            onboard(p, min(before_period(villages[vi].county), exit_at - 60 * DAY))
            self._finish_exit(rng, p, exit_at)
            handover_exit[vi] = exit_at

        for k, vi in enumerate(active_villages):
            p = new(vi, PartnerStatus.ACTIVE)
            if k == 0:
                p.is_demo = True
                p.weight = max(p.weight, 2.5)
                onboard(p, P - 400 * DAY)
            elif vi in handover_exit:
                onboard(p, int(min(handover_exit[vi] + rng.uniform(15, 45) * DAY, A - 2 * DAY)))
            elif rng.random() < 0.7 or period < 30 * DAY:
                onboard(p, before_period(villages[vi].county))
            else:
                onboard(p, int(rng.uniform(P, A - 3 * DAY)))
            # Some had a suspension and came back.
            act = p.activated_at
            lo, hi = max(act, P) + 10 * DAY, A - 40 * DAY
            if not p.is_demo and hi - lo > 30 * DAY and rng.random() < 0.12:
                s = int(rng.uniform(lo, hi))
                back = int(s + rng.uniform(7, 30) * DAY)
                p.add(PartnerStatus.SUSPENDED, s, rng.choice(data.SUSPENSION_REASONS))
                p.add(PartnerStatus.ACTIVE, back, "整改完成，恢复营业")
                p.windows = [(act, s), (back, A)]
            else:
                p.windows = [(act, A)]

        for vi in suspended_villages:
            p = new(vi, PartnerStatus.SUSPENDED)
            act = before_period(villages[vi].county) if rng.random() < 0.8 else int(rng.uniform(P, P + period * 0.3))
            onboard(p, act)
            s = int(rng.uniform(max(act + 30 * DAY, P + period * 0.2), A - DAY))
            s = min(max(s, act + HOUR), A - MINUTE)
            p.add(PartnerStatus.SUSPENDED, s, rng.choice(data.SUSPENSION_REASONS))
            p.windows = [(act, s)]

        for _ in range(n_exited - len(handovers)):
            vi = rng.choice(free_villages)
            p = new(vi, PartnerStatus.EXITED)
            exit_at = (
                int(rng.uniform(P - 120 * DAY, A - 2 * DAY)) if rng.random() < 0.2 else int(rng.uniform(P, A - 2 * DAY))
            )
            onboard(p, min(before_period(villages[vi].county), exit_at - 40 * DAY))
            self._finish_exit(rng, p, exit_at)

        # Partners still on their way in, and the rejected ones.
        pipeline = [PartnerStatus.APPLIED, PartnerStatus.REVIEWING, PartnerStatus.APPROVED, PartnerStatus.TRAINING]
        for status in pipeline:
            depth = pipeline.index(status)
            for _ in range(counts[status]):
                p = new(rng.choice(free_villages), status)
                gaps = [rng.uniform(1, 5), rng.uniform(2, 10), rng.uniform(1, 7)][:depth]
                last = A - rng.uniform(0.05, 12) * DAY
                t = last - sum(gaps) * DAY
                p.add(PartnerStatus.APPLIED, t)
                for st, gap in zip(pipeline[1 : depth + 1], gaps, strict=True):
                    t += gap * DAY
                    p.add(st, t)
        for _ in range(counts[PartnerStatus.REJECTED]):
            p = new(rng.choice(free_villages), PartnerStatus.REJECTED)
            rejected_at = rng.uniform(max(P - 300 * DAY, P - period), A - DAY)
            if rng.random() < 0.5:
                p.add(PartnerStatus.APPLIED, rejected_at - rng.uniform(1, 5) * DAY)
            else:
                applied = rejected_at - rng.uniform(4, 15) * DAY
                p.add(PartnerStatus.APPLIED, applied)
                p.add(PartnerStatus.REVIEWING, applied + rng.uniform(1, 3) * DAY)
            p.add(PartnerStatus.REJECTED, rejected_at, rng.choice(data.REJECTION_REASONS))
        # Those who failed their training, and those who withdrew (once approved or in
        # training), with a random stream of their own: the rest of the plan stays as it was.
        main_rng, rng = rng, self.rng("partner-endings")
        for status, _share in ENDING_SHARES:
            for _ in range(counts[status]):
                p = new(rng.choice(free_villages), status)
                ended_at = rng.uniform(max(P - 300 * DAY, P - period), A - DAY)
                path = pipeline[1:] if status == PartnerStatus.FAILED or rng.random() < 0.5 else pipeline[1:3]
                t = ended_at - rng.uniform(25, 40) * DAY  # the steps take 21 days at most
                p.add(PartnerStatus.APPLIED, t)
                for st in path:
                    t += rng.uniform(1, 7) * DAY
                    p.add(st, t)
                reasons = data.TRAINING_FAILURE_REASONS if status == PartnerStatus.FAILED else data.WITHDRAWAL_REASONS
                p.add(status, ended_at, rng.choice(reasons))
        rng = main_rng

        for p in self.partners:
            assert p.events[-1][1] == p.status, (p.status, p.events)
        # Service points open with the first partner; a village whose last partner left
        # and nobody took over has its service point closed.
        by_village: dict[int, list[PartnerPlan]] = {}
        for p in self.partners:
            by_village.setdefault(p.village, []).append(p)
        for vi, v in enumerate(villages):
            county = self.counties[v.county]
            people = by_village.get(vi, [])
            activations = [p.activated_at for p in people if p.activated_at is not None]
            if activations:
                v.opened_on = self.local_date(min(activations))
            else:
                since = self.epoch(county.since)
                v.opened_on = self.local_date(int(rng.uniform(min(since, A - 60 * DAY), A - 30 * DAY)))
            holders = [p for p in people if p.status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED)]
            exits = [p.exited_at for p in people if p.exited_at is not None]
            if not holders and exits:
                v.closed_on = max(self.local_date(max(exits)), v.opened_on)

    def _finish_exit(self, rng: random.Random, p: PartnerPlan, exit_at: int) -> None:
        act = p.activated_at
        if rng.random() < 0.3 and exit_at - act > 40 * DAY:
            s = int(rng.uniform(act + 20 * DAY, exit_at - 10 * DAY))
            p.add(PartnerStatus.SUSPENDED, s, rng.choice(data.SUSPENSION_REASONS))
            p.add(PartnerStatus.EXITED, exit_at, rng.choice(data.EXIT_REASONS))
            p.windows = [(act, s)]
        else:
            p.add(PartnerStatus.EXITED, exit_at, rng.choice(data.EXIT_REASONS))
            p.windows = [(act, exit_at)]

    # -- saving geography, users, partners, villagers -----------------------------------
    def save_geography(self) -> None:
        county_objs = [
            County(
                code=c.code,
                name=c.name,
                name_en=c.name_en,
                province_id=self.province_ids[c.province_code],
                region=c.region,
                economic_focus=c.focus,
                characteristic_products=c.characteristic,
                profile=c.profile,
                is_poverty_county=c.poverty,
                partnership_since=c.since,
                partner_office=c.office,
                yearly_sales_target=Decimal("0.00"),
            )  # fmt: skip
            for c in self.counties
        ]
        County.objects.bulk_create(county_objs, batch_size=1000)
        ids = dict(County.objects.filter(code__in=[c.code for c in self.counties]).values_list("code", "id"))
        for c in self.counties:
            c.id = ids[c.code]
        village_objs = [
            Village(county_id=self.counties[v.county].id, name=v.name, township=v.township) for v in self.villages
        ]
        Village.objects.bulk_create(village_objs, batch_size=2000)
        self._fill_ids(Village, self.villages, village_objs, lambda v: (self.counties[v.county].id, v.name),
                       ("county_id", "name"))  # fmt: skip
        numbers: dict[int, int] = {}  # county index → last service point number given
        sp_objs = []
        for v in self.villages:
            numbers[v.county] = numbers.get(v.county, 0) + 1
            code = f"{self.counties[v.county].code}-{numbers[v.county]:04d}"
            sp_objs.append(ServicePoint(village_id=v.id, code=code, address=v.address, opened_on=v.opened_on,
                                        closed_on=v.closed_on))  # fmt: skip
        ServicePoint.objects.bulk_create(sp_objs, batch_size=2000)
        self._fill_ids(
            ServicePoint, self.villages, sp_objs, lambda v: (v.id,), ("village_id",), attr="service_point_id"
        )
        self.log(f"counties: {len(self.counties):,} ({len(data.REAL_COUNTIES[: len(self.counties)])} real), "
                 f"villages: {len(self.villages):,} with service points")  # fmt: skip

    @staticmethod
    def _fill_ids(model, plans, objs, key, key_fields, attr="id") -> None:
        if all(o.pk is not None for o in objs):
            for plan, obj in zip(plans, objs, strict=True):
                setattr(plan, attr, obj.pk)
            return
        # Backends that cannot return ids from a bulk insert.
        lookup = {tuple(row[:-1]): row[-1] for row in model.objects.values_list(*key_fields, "id")}
        for plan in plans:
            setattr(plan, attr, lookup[key(plan)])

    def save_users_and_partners(self) -> None:
        password_hash = make_password(self.o.password)  # one hash for every demo login: hashing is slow
        groups = dict(
            Group.objects.filter(
                name__in=[ADMIN_GROUP, COUNTY_STAFF_GROUP, COUNTY_CENTRE_GROUP, PARTNER_GROUP]
            ).values_list("name", "id")
        )
        for name in (ADMIN_GROUP, COUNTY_STAFF_GROUP, COUNTY_CENTRE_GROUP, PARTNER_GROUP):
            if name not in groups:
                groups[name] = Group.objects.get_or_create(name=name)[0].id
        joined = timezone.now() - timedelta(days=self.o.days + 400)
        demo_admin = User.objects.create(
            username="demo_admin", password=password_hash, is_superuser=True, is_staff=True,
            first_name="Demo", last_name="Admin", email="demo_admin@example.com", date_joined=joined,
        )  # fmt: skip
        demo_county = User.objects.create(
            username="demo_county", password=password_hash, first_name="县", last_name="兰考",
            email="demo_county@example.com", date_joined=joined,
        )  # fmt: skip
        demo_centre = User.objects.create(
            username="demo_centre", password=password_hash, first_name="中心", last_name="兰考",
            email="demo_centre@example.com", date_joined=joined,
        )  # fmt: skip
        self.admin_id = demo_admin.id
        lankao = next(c for c in self.counties if c.code == data.LANKAO_CODE)
        CountyStaffAssignment.objects.create(user=demo_county, county_id=lankao.id, assigned_by=demo_admin)
        CountyStaffAssignment.objects.create(user=demo_centre, county_id=lankao.id, assigned_by=demo_admin)

        # Logins for everyone who was ever active: username = phone (demo_partner for the
        # demo partner), exited partners' logins are deactivated.
        holders = [p for p in self.partners if p.status in EVER_ACTIVE]
        user_objs = []
        for p in holders:
            user_objs.append(
                User(
                    username="demo_partner" if p.is_demo else p.phone,
                    password=password_hash,
                    first_name=p.real_name[1:],
                    last_name=p.real_name[:1],
                    is_active=p.status != PartnerStatus.EXITED,
                    date_joined=RowWriter.ts_python(p.activated_at),
                )  # fmt: skip
            )
        User.objects.bulk_create(user_objs, batch_size=2000)
        if any(u.pk is None for u in user_objs):
            lookup = dict(
                User.objects.filter(username__in=[u.username for u in user_objs]).values_list("username", "id")
            )
            for u in user_objs:
                u.pk = u.id = lookup[u.username]
        for p, u in zip(holders, user_objs, strict=True):
            p.user_id = u.pk
        through = User.groups.through
        memberships = [
            through(user_id=demo_admin.id, group_id=groups[ADMIN_GROUP]),
            through(user_id=demo_county.id, group_id=groups[COUNTY_STAFF_GROUP]),
            through(user_id=demo_centre.id, group_id=groups[COUNTY_CENTRE_GROUP]),
        ] + [through(user_id=u.pk, group_id=groups[PARTNER_GROUP]) for u in user_objs]
        through.objects.bulk_create(memberships, batch_size=2000)

        partner_rows = []
        for p in self.partners:
            v = self.villages[p.village]
            has_point = p.status in EVER_ACTIVE
            partner_rows.append((
                p.user_id, p.real_name, p.phone, v.id, v.service_point_id if has_point else None, p.status,
                p.occupation, p.motivation, v.address, p.events[0][2], p.activated_at, p.exited_at, p.events[-1][2],
            ))  # fmt: skip
        columns = [
            ("user_id", INT), ("real_name", STR), ("phone", STR), ("village_id", INT), ("service_point_id", INT),
            ("status", STR), ("previous_occupation", STR), ("motivation", STR), ("service_point_address", STR),
            ("applied_at", TS),
            ("activated_at", TS), ("exited_at", TS), ("status_changed_at", TS),
        ]  # fmt: skip
        ids = self.writer.insert(Partner, columns, partner_rows, return_ids=True)
        for p, pk in zip(self.partners, ids, strict=True):
            p.id = pk
        change_rows = [
            (p.id, frm, to, None if to == PartnerStatus.APPLIED else self.admin_id, at,
             reason or ("在线提交申请" if to == PartnerStatus.APPLIED else ""))
            for p in self.partners
            for frm, to, at, reason in p.events
        ]  # fmt: skip
        self.writer.insert(
            PartnerStatusChange,
            [("partner_id", INT), ("from_status", STR), ("to_status", STR), ("changed_by_id", INT),
             ("changed_at", TS), ("reason", STR)],
            change_rows,
        )  # fmt: skip
        self.save_tenures()
        counts = Counter(p.status for p in self.partners)
        self.log(f"partners: {len(self.partners):,} ("
                 + ", ".join(f"{s} {counts[s]}" for s, _share in STATUS_SHARES + ENDING_SHARES)
                 + f"), {len(change_rows):,} status changes, {len(user_objs) + 2:,} logins")  # fmt: skip

    def save_tenures(self) -> None:
        """Who ran each service point: an open tenure for an active or suspended partner (the
        active first where both share a village), a closed one for an exited partner."""
        holders: set[int] = set()
        rows = []
        ever_active = [p for p in self.partners if p.status in EVER_ACTIVE and p.activated_at is not None]
        ever_active.sort(key=lambda p: p.status != PartnerStatus.ACTIVE)
        for p in ever_active:
            point = self.villages[p.village].service_point_id
            if p.status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED):
                if point in holders:
                    continue
                holders.add(point)
                rows.append((point, p.id, p.activated_at, None))
            elif p.exited_at is not None:
                rows.append((point, p.id, p.activated_at, max(p.exited_at, p.activated_at)))
        self.writer.insert(
            ServicePointTenure, [("service_point_id", INT), ("partner_id", INT), ("started", TS), ("ended", TS)], rows
        )

    def save_villagers(self) -> None:
        rng = self.rng("villagers")
        sellers = [p for p in self.partners if p.windows and any(e > self.period_start for _s, e in p.windows)]
        self.order_partners = sellers
        total_weight = sum(self._active_share(p) * p.weight for p in sellers) or 1.0
        rows: list[tuple] = []
        owners: list[PartnerPlan] = []
        for p in sellers:
            expected = self.o.orders * self._active_share(p) * p.weight / total_weight
            n = max(5, min(400, int(expected / 4) + rng.randint(3, 10)))
            v = self.villages[p.village]
            joined = max(p.windows[0][0], self.period_start - 30 * DAY)
            for _ in range(n):
                rows.append((v.id, self.person_name(rng), self.phone(rng), joined))
                owners.append(p)
        progress = Progress(self.out, "villagers", len(rows))
        step = max(self.o.batch_size * 4, 1)
        done = 0
        for i in range(0, len(rows), step):
            chunk = rows[i : i + step]
            ids = self.writer.insert(
                Villager,
                [("village_id", INT), ("name", STR), ("phone", STR), ("created_at", TS)],
                chunk,
                return_ids=True,
            )
            for p, pk in zip(owners[i : i + step], ids, strict=True):
                p.villager_ids.append(pk)
            done += len(chunk)
            progress.update(done)

    def _active_share(self, p: PartnerPlan) -> float:
        """Fraction of the period the partner could take orders."""
        covered = sum(max(0, min(e, self.as_of) - max(s, self.period_start)) for s, e in p.windows)
        return covered / (self.as_of - self.period_start)

    # -- 5. orders ---------------------------------------------------------------------
    @staticmethod
    def _pick(cum: list[float], r: float) -> int:
        """Index drawn from cumulative weights with a uniform ``r`` in [0, 1)."""
        return min(bisect.bisect_right(cum, r * cum[-1]), len(cum) - 1)

    def _day_weights(self, rng: random.Random) -> list[float]:
        n = self.o.days
        weights = []
        for i in range(n):
            d = self.start_date + timedelta(days=i)
            w = WEEKDAY_FACTOR[d.weekday()] * MONTH_FACTOR[d.month]
            w *= 0.8 + 0.4 * (i / max(n - 1, 1))  # the network grows over the year
            for year in (d.year, d.year + 1):
                cny = data.SPRING_FESTIVAL.get(year)
                if cny is None:
                    continue
                delta = (d - date.fromisoformat(cny)).days
                if -25 <= delta <= -8:
                    w *= 1.35  # new-year shopping
                elif -7 <= delta <= -1:
                    w *= 1.1
                elif 0 <= delta <= 6:
                    w *= 0.35  # couriers are home for the festival
                elif 7 <= delta <= 14:
                    w *= 0.75
            if d in self.promotion_peaks:
                w *= 10.0 if d.month == 11 else 7.0
            elif d in self.promotions:
                days_left = (max(p for p in self.promotion_peaks if p >= d) - d).days
                w *= 2.2 if days_left <= 2 else 1.4
            elif d.month == 11 and d.day == 12 or d.month == 6 and d.day == 19:
                w *= 1.5  # the day after: late payments and returns of the rush
            w *= rng.uniform(0.9, 1.1)
            weights.append(w)
        return weights

    @staticmethod
    def _allocate(total: int, weights: list[float]) -> list[int]:
        """Split ``total`` over the weights exactly (largest remainder)."""
        s = sum(weights)
        if s <= 0:
            return [0] * len(weights)
        raw = [total * w / s for w in weights]
        counts = [int(x) for x in raw]
        short = total - sum(counts)
        for i in sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))[:short]:
            counts[i] += 1
        return counts

    def _category_cum(self, d: date) -> tuple[list[str], list[float]]:
        weights = dict(data.ASSISTED_CATEGORY_WEIGHTS)
        if d in self.promotions:
            weights["appliances"] *= 4
            weights["phones-digital"] *= 2.5
            weights["furniture"] *= 1.5
        if d.month in (3, 4, 9, 10):
            weights["farm-supplies"] *= 2.5
        if d.month in (8, 9):
            weights["books-stationery"] *= 2.5
        if d.month in (11, 12, 1, 2):
            weights["clothing"] *= 1.5
        cny = data.SPRING_FESTIVAL.get(d.year + (1 if d.month >= 11 else 0))
        if cny and -30 <= (d - date.fromisoformat(cny)).days < 0:
            weights["food"] *= 2
        slugs = list(weights)
        return slugs, list(itertools.accumulate(weights[s] for s in slugs))

    @staticmethod
    def _retail_cents(rng: random.Random, low: float, high: float) -> int:
        x = rng.uniform(low, high)
        if x < 100:
            return int(x) * 100 + 90
        if x < 1000:
            return (int(x) // 10 * 10 + 9) * 100
        return (int(x) // 100 * 100 + 99) * 100

    def _timeline(self, rng: random.Random, channel: str, placed: int) -> tuple:
        """(status, paid, shipped, at_county_centre, at_service_point, picked_up, cancelled, returned)
        as of the end of the period; a step happens only if its time has come."""
        A = self.as_of
        u = rng.uniform
        rand = rng.random
        if channel == PROCUREMENT:
            paid = placed + int(u(1, 10) * DAY)
            shipped = paid + int(u(1, 5) * DAY)
            centre = shipped + int(u(1, 4) * DAY)
            point = centre + int(u(0.5, 2) * DAY)
            picked = point + int(u(0.2, 2) * DAY)
        else:
            r = rand()
            paid = placed + int(u(1, 20) * MINUTE if r < 0.8 else u(1, 24) * HOUR if r < 0.95 else u(1, 5) * DAY)
            if channel == FARM:
                shipped = paid + int(u(4, 48) * HOUR)
                centre = shipped + int(u(2, 20) * HOUR)
                point = centre + int(u(12, 60) * HOUR)
                picked = point + int(u(1, 48) * HOUR)
            else:
                shipped = paid + int(u(2, 40) * HOUR)
                centre = shipped + int(u(20, 80) * HOUR if rand() < 0.9 else u(3, 7) * DAY)
                point = centre + int(u(4, 30) * HOUR)
                picked = point + int(u(0.5, 24) * HOUR if rand() < 0.75 else u(1, 5) * DAY)
        if rand() < CANCEL_RATE[channel]:
            cancelled = int(u(placed + 5 * MINUTE, max(placed + 10 * MINUTE, shipped - MINUTE)))
            paid_at = paid if paid < cancelled and paid <= A else None
            if cancelled <= A:
                return CANCELLED, paid_at, None, None, None, None, cancelled, None
            return REACHED_STATUS[1 if paid_at else 0], paid_at, None, None, None, None, None, None
        returned = int(picked + u(1, 7) * DAY) if rand() < RETURN_RATE[channel] else None
        if picked <= A:
            if returned is not None and returned <= A:
                return RETURNED, paid, shipped, centre, point, picked, None, returned
            return REACHED_STATUS[5], paid, shipped, centre, point, picked, None, None
        steps = [paid, shipped, centre, point, picked]
        reached = sum(1 for t in steps if t <= A)
        stamps = [t if i < reached else None for i, t in enumerate(steps)]
        return (REACHED_STATUS[reached], *stamps, None, None)

    def save_orders(self) -> None:
        """The period's orders, day by day: each day's share of the total, placed by the
        partners working that day, numbered per county as ``orders.services`` numbers
        them, with the commission ``partners.commission`` computes at payment."""
        rng = self.rng("orders")
        days = self.o.days
        partners_by_day = self._partners_working_each_day()
        weights = [w if partners_by_day[i] else 0.0 for i, w in enumerate(self._day_weights(rng))]
        total = self.o.orders
        # The landmark order from the brief: a county replaces its trash cans, 5,000 in one order.
        landmark_day = self._landmark_day()
        orders_per_day = self._allocate(total - 1 if total > 1 else total, weights)
        writer = _OrderBatch(self, Progress(self.out, "orders", sum(orders_per_day) + (1 if total > 1 else 0)))
        anomalies = self.rng("anomalies")
        for day_index in range(days):
            is_landmark = day_index == landmark_day and total > 1
            if not orders_per_day[day_index] and not is_landmark:
                continue
            day = self.start_date + timedelta(days=day_index)
            day_orders = self._plan_day_orders(
                rng, day_index, count=orders_per_day[day_index], partner_indexes=partners_by_day[day_index]
            )
            if is_landmark:
                day_orders.append(self._landmark_order(day, self.period_start + day_index * DAY))
            self._plant_anomalies(anomalies, day_orders, self.period_start + day_index * DAY)
            # Number the day's orders per county in the order they were placed.
            day_orders.sort(key=lambda planned: planned.placed)
            numbers: Counter = Counter()
            for planned in day_orders:
                numbers[planned.county.id] += 1
                writer.add(self._order_row(rng, planned, day, numbers[planned.county.id]))
            for county_id, last in numbers.items():
                self.counter_max[(county_id, day)] = last
        writer.flush()
        self._plant_self_dealing(anomalies)
        # Every day of the period has payments, cancellations or returns to roll up.
        mark_days_dirty(self.start_date + timedelta(days=i) for i in range(days))

    def _plant_anomalies(self, rng: random.Random, day_orders: list[PlannedOrder], day_start: int) -> None:
        """Now and then, orders a real programme's partners log that did not happen as
        logged: a bulk quantity, a price far off the category's, a villager ordering again
        and again, a parcel picked up within hours, a partner's day of outsized sales. No
        record is kept of which: the nightly checks have to find them."""
        assisted = [o for o in day_orders if o.channel == ASSISTED and o.lines]
        if not assisted:
            return
        if rng.random() < ANOMALY_DAY_SHARE:  # bulk_quantity: the cheapest of a few orders, by the crate
            order = min(rng.sample(assisted, min(5, len(assisted))), key=lambda o: o.lines[0][3])
            name, category_id, _quantity, cents = order.lines[0]
            order.lines[0] = (name, category_id, rng.randint(60, 300), cents)
        if rng.random() < ANOMALY_DAY_SHARE:  # price_outlier: a unit price tens of times the usual
            order = rng.choice(assisted)
            name, category_id, quantity, cents = order.lines[0]
            order.lines[0] = (name, category_id, 1, cents * rng.randint(30, 100))
        if rng.random() < ANOMALY_DAY_SHARE:  # too_fast: "picked up" hours after payment
            rng.choice(assisted).fast_pickup = True
        # The next two take over some of the day's other orders (the period keeps its total).
        if len(assisted) >= 12 and rng.random() < ANOMALY_DAY_SHARE:  # villager_burst: order after order
            first, *others = rng.sample(assisted, rng.randint(7, 10))
            for k, order in enumerate(others, start=1):
                order.partner, order.county, order.villager_id = first.partner, first.county, first.villager_id
                order.placed = min(first.placed + k * rng.randint(5, 25) * MINUTE, day_start + DAY - 1)
                order.lines = [first.lines[0]]
            assisted = [o for o in assisted if o not in others]
        if len(assisted) >= 12 and rng.random() < ANOMALY_DAY_SHARE / 2:  # partner_spike: a day of laptops
            first, *others = rng.sample(assisted, rng.randint(7, 10))
            name, low, high, _max = next(p for p in data.PRODUCTS["phones-digital"] if p[2] >= 4000)
            for k, order in enumerate([first, *others]):
                order.partner, order.county = first.partner, first.county
                order.villager_id = first.partner.villager_ids[rng.randrange(len(first.partner.villager_ids))]
                order.placed = min(first.placed + k * rng.randint(10, 40) * MINUTE, day_start + DAY - 1)
                order.lines = [(name, self.category_ids["phones-digital"], 1, int(rng.uniform(low, high)) * 100)]

    def _plant_self_dealing(self, rng: random.Random) -> None:
        """A few partners log orders for themselves: a villager of theirs carries their own
        phone number (the villager least often served, so a handful of orders)."""
        sellers = [p for p in self.order_partners if p.villager_ids and not p.is_demo]
        for partner in rng.sample(sellers, min(len(sellers), max(1, len(sellers) // 60))):
            Villager.objects.filter(pk=partner.villager_ids[-1]).update(phone=partner.phone)

    def _partners_working_each_day(self) -> list[list[int]]:
        """For each day of the period, the indexes (in ``order_partners``) of the partners
        who can take orders that day: active, with villagers."""
        working: list[list[int]] = [[] for _ in range(self.o.days)]
        for index, partner in enumerate(self.order_partners):
            if not partner.villager_ids:
                continue
            for start, end in partner.windows:
                first = max(0, (start - self.period_start) // DAY)
                last = min(self.o.days - 1, (end - 1 - self.period_start) // DAY)
                for day_index in range(first, last + 1):
                    if not working[day_index] or working[day_index][-1] != index:
                        working[day_index].append(index)
        return working

    def _plan_day_orders(
        self, rng: random.Random, day_index: int, *, count: int, partner_indexes: list[int]
    ) -> list[PlannedOrder]:
        """``count`` orders of one day: who placed each, when, in which channel, its lines."""
        day = self.start_date + timedelta(days=day_index)
        day_start = self.period_start + day_index * DAY
        day_end = day_start + DAY
        partner_weights = list(itertools.accumulate(self.order_partners[i].weight for i in partner_indexes))
        promotion_id = self.promotions.get(day)
        hour_weights = PROMO_DAY_HOUR_CUM if day in self.promotion_peaks else HOUR_CUM
        category_slugs, category_weights = self._category_cum(day)
        farm_share = {
            focus: FARM_BASE_SHARE * FARM_MONTH_FACTOR[day.month] * factor
            for focus, factor in FARM_FOCUS_FACTOR.items()
        }
        working_day = day.weekday() < 5 and day not in self.promotion_peaks
        planned: list[PlannedOrder] = []
        for _ in range(count):
            partner = self.order_partners[partner_indexes[self._pick(partner_weights, rng.random())]]
            county = self.counties[self.villages[partner.village].county]
            draw = rng.random()
            if working_day and draw < PROCUREMENT_SHARE:
                channel = PROCUREMENT
                placed = day_start + int(rng.uniform(9, 17) * HOUR)
            else:
                channel = FARM if draw < PROCUREMENT_SHARE + farm_share[county.focus] else ASSISTED
                placed = day_start + self._pick(hour_weights, rng.random()) * HOUR + int(rng.random() * HOUR)
                placed = min(placed, day_end - 1)
            placed = self._within_working_window(rng, partner, placed, day_start, day_end)
            villager_id = partner.villager_ids[int(len(partner.villager_ids) * rng.random() ** 1.7)]
            order = PlannedOrder(
                placed=placed,
                partner=partner,
                county=county,
                villager_id=villager_id,
                channel=channel,
                promotion_id=promotion_id,
            )
            if channel == PROCUREMENT:
                self._procurement_lines(rng, order, day)
            elif channel == FARM:
                self._farm_lines(rng, order)
            else:
                self._assisted_lines(rng, order, category_slugs, category_weights, promotion_id)
            planned.append(order)
        return planned

    @staticmethod
    def _within_working_window(rng: random.Random, partner, placed: int, day_start: int, day_end: int) -> int:
        """``placed``, or a moment of the day when the partner was working if it fell outside."""
        windows = partner.windows
        if windows[0][0] <= placed < windows[0][1] or any(start <= placed < end for start, end in windows):
            return placed
        start, end = next((start, end) for start, end in windows if start < day_end and end > day_start)
        return int(rng.uniform(max(start, day_start), min(end, day_end) - 1))

    def _procurement_lines(self, rng: random.Random, order: PlannedOrder, day: date) -> None:
        """One or two bulk lines a county or township body buys, with its buyer and reference."""
        for _ in range(1 if rng.random() < 0.8 else 2):
            item = data.PROCUREMENT_ITEMS[self._pick(PROCUREMENT_ITEM_CUM, rng.random())]
            name, slug, low, high, min_quantity, max_quantity, body = item
            if order.has_line(name):
                continue
            quantity = int(rng.uniform(min_quantity, max_quantity) // 10 * 10) or min_quantity
            order.lines.append((name, self.category_ids[slug], quantity, int(rng.uniform(low, high)) * 100))
            if not order.buyer:
                order.buyer = f"{order.county.name}{body}"
        order.reference = self._procurement_reference(order.county, day)

    def _procurement_reference(self, county, day: date) -> str:
        county.procurement_seq[day.year] += 1
        return f"ZFCG-{county.code}-{day.year}-{county.procurement_seq[day.year]:04d}"

    def _farm_lines(self, rng: random.Random, order: PlannedOrder) -> None:
        """One or two lines of the county's own farm produce (or generic produce) sold upward."""
        county = order.county
        for _ in range(1 if rng.random() < 0.75 else 2):
            source = county.farm_products if county.farm_products and rng.random() < 0.8 else GENERIC_FARM
            name, slug, low, high, max_quantity = rng.choice(source)
            if order.has_line(name):
                continue
            quantity = 1 + int(max_quantity * rng.random() ** 2.5)
            price = rng.uniform(low, high)
            cents = int(price * 10) * 10 if price < 100 else int(price) * 100
            order.lines.append((name, self.category_ids[slug], quantity, max(10, cents)))

    def _assisted_lines(
        self, rng: random.Random, order: PlannedOrder, slugs: list[str], weights: list[float], promotion_id
    ) -> None:
        """One to three lines a villager buys (8–20 % off on a promotion day)."""
        draw = rng.random()
        for _ in range(1 if draw < 0.6 else 2 if draw < 0.88 else 3):
            slug = slugs[self._pick(weights, rng.random())]
            name, low, high, max_quantity = rng.choice(data.PRODUCTS[slug])
            if order.has_line(name):
                continue
            quantity = 1 if max_quantity == 1 or rng.random() < 0.65 else rng.randint(2, max_quantity)
            cents = self._retail_cents(rng, low, high)
            if promotion_id is not None:
                cents = max(1, cents * rng.randint(80, 95) // 100)
            order.lines.append((name, self.category_ids[slug], quantity, cents))

    def _landmark_order(self, day: date, day_start: int) -> PlannedOrder:
        """Lankao's 5,000 trash cans, placed by the demo partner at 10:15."""
        county = next(c for c in self.counties if c.code == data.LANKAO_CODE)
        demo_partner = next(p for p in self.order_partners if p.is_demo)
        return PlannedOrder(
            placed=day_start + 10 * HOUR + 15 * MINUTE,
            partner=demo_partner,
            county=county,
            villager_id=demo_partner.villager_ids[0],
            channel=PROCUREMENT,
            buyer=f"{county.name}城市管理局",
            reference=self._procurement_reference(county, day),
            lines=[("垃圾桶 240升 户外分类挂车桶", self.category_ids["sanitation"], 5000, 19800)],
        )

    def _order_row(self, rng: random.Random, planned: PlannedOrder, day: date, sequence: int) -> tuple[tuple, list]:
        """The order's row and its lines' rows, its timeline drawn and commission snapshotted."""
        timeline = self._timeline(rng, planned.channel, planned.placed)
        status, paid, shipped, centre, point, picked, cancelled, returned = timeline
        if planned.fast_pickup and picked is not None and paid is not None:
            shipped, centre, point = paid + HOUR, paid + 2 * HOUR, paid + 3 * HOUR
            picked = paid + int(rng.uniform(4, 20) * HOUR)
        procurement = planned.channel == PROCUREMENT
        paid_day = None if paid is None else (paid + UTC_OFFSET) // DAY
        total_cents = 0
        line_rows = []
        for name, category_id, quantity, unit_cents in planned.lines:
            line_cents = quantity * unit_cents
            total_cents += line_cents
            if paid_day is None:
                line_rows.append((name, category_id, quantity, unit_cents, line_cents, None, None))
            else:
                # Snapshotted at payment, as orders.services does: the rate in force on the
                # paid day (procurement: the procurement rate), through the one formula.
                rate = self.rate_on(None if procurement else category_id, paid_day)
                commission = commission_amount(Decimal(line_cents) / 100, Decimal(rate) / 10000)
                line_rows.append((name, category_id, quantity, unit_cents, line_cents, rate, int(commission * 100)))
        order_no = format_order_number(planned.county.code, day, sequence)
        moments = (planned.placed, paid, shipped, centre, point, picked, cancelled, returned)
        order_row = (
            order_no, uuid.UUID(int=rng.getrandbits(128), version=4), planned.partner.id, planned.partner.id,
            planned.villager_id,
            self.villages[planned.partner.village].id, planned.county.id, planned.channel,
            None if procurement else planned.promotion_id, status, total_cents, planned.buyer, planned.reference,
            *moments, max(t for t in moments if t),
        )  # fmt: skip
        if paid is not None and status != CANCELLED and status != RETURNED:
            planned.county.gmv_cents += total_cents
        return order_row, line_rows

    def _landmark_day(self) -> int:
        """A working day about 40% into the period (not a promotion day)."""
        di = int(self.o.days * 0.4)
        for k in range(self.o.days):
            for cand in (di + k, di - k):
                if 0 <= cand < self.o.days:
                    d = self.start_date + timedelta(days=cand)
                    if d.weekday() < 5 and d not in self.promotions:
                        return cand
        return di

    # -- 6. counters and targets -------------------------------------------------------
    def save_counters_and_targets(self) -> None:
        rng = self.rng("targets")
        rows = [
            (cid, d, last) for (cid, d), last in sorted(self.counter_max.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]
        self.writer.insert(OrderNumberCounter, [("county_id", INT), ("day", DATE), ("last_value", INT)], rows)
        objs = []
        for c in self.counties:
            yearly = c.gmv_cents / 100 * 365 / self.o.days
            target = max(100_000, math.ceil(yearly * rng.uniform(1.05, 1.6) / 10_000) * 10_000)
            objs.append(County(id=c.id, yearly_sales_target=Decimal(target).quantize(Decimal("0.01"))))
        County.objects.bulk_update(objs, ["yearly_sales_target"], batch_size=500)

    # -- official online retail figures ------------------------------------------------
    def save_official_online_sales(self) -> None:
        """The monthly online retail figures (网络零售额) some county governments publish,
        as ``import_county_online_sales`` would store them: each month's figure counts
        instead of the county's farm-produce channel (far smaller in demo volumes), so
        about ten counties — poverty counties among them — are 亿元淘宝县 and a few
        approach the mark at their growth. Every complete month from a year before the
        period to its end, so the trailing and prior 12 months both have figures."""
        rng = self.rng("official-online-sales")
        ids = dict(County.objects.filter(code__in=data.OFFICIAL_ONLINE_SALES).values_list("code", "pk"))
        first = date(self.start_date.year - 1, self.start_date.month, 1)
        after_end = self.end_date + timedelta(days=1)
        last = date(after_end.year, after_end.month, 1)  # months before this one are complete
        months = []
        month = first
        while month < last:
            months.append(month)
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        rows = []
        for code, (yearly, growth) in data.OFFICIAL_ONLINE_SALES.items():
            if code not in ids:
                continue  # fewer counties than the real ones were asked for
            for month in months:
                # The latest month is at the yearly level; earlier ones smaller by the growth.
                back = (last.year - month.year) * 12 + last.month - month.month - 1
                level = yearly / 12 / growth ** (back / 12)
                figure = level * data.ONLINE_SALES_SEASON[month.month - 1] * rng.uniform(0.95, 1.05)
                rows.append(
                    CountyOnlineRetailMonth(
                        county_id=ids[code],
                        month=month,
                        online_retail_sales=Decimal(f"{figure:.2f}"),
                        source="seed_demo",
                    )
                )
        CountyOnlineRetailMonth.objects.bulk_create(rows, batch_size=1000)
        self.result.official_months = len(rows)
        self.result.official_counties = len({r.county_id for r in rows})

    # -- summary -----------------------------------------------------------------------
    def collect_summary(self) -> None:
        r = self.result
        r.counties = County.objects.count()
        r.villages = Village.objects.count()
        r.partners_by_status = dict(Partner.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
        r.villagers = Villager.objects.count()
        r.orders_by_status = dict(Order.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
        r.orders_by_channel = dict(Order.objects.values_list("channel").annotate(n=Count("id")).order_by("channel"))
        r.promotion_orders = Order.objects.filter(promotion__isnull=False).count()
        gmv = (
            Order.objects.filter(paid_at__isnull=False)
            .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.RETURNED])
            .aggregate(s=Sum("total_amount"))["s"]
        )
        r.gmv = gmv or Decimal("0.00")


class SeedError(Exception):
    """A problem with the options or the database that the command reports as an error."""


def seed(options: SeedOptions, stdout=None) -> SeedResult:
    return DemoSeeder(options, stdout).run()


__all__ = [
    "DEMO_USERNAMES",
    "DemoSeeder",
    "Progress",
    "SeedError",
    "SeedOptions",
    "SeedResult",
    "demo_data_present",
    "seed",
    "wipe_demo_data",
]
