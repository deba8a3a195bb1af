"""The money rules against an independent recomputation: random orders whose platform
records (payments, confirmations, refunds — some with the wrong amount) arrive on later
days, local returns, nights of the pipeline across month ends. After every night the
ledger's statements equal what a plain simulation of the rules says, closed statements
never change, and running the last night again changes nothing."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import rollups
from analytics.models import CommissionEntry, MonthlyStatement
from orders.models import Order
from partners.models import CommissionRate, IncentiveTier
from tests.support.dates import SHANGHAI, shanghai
from tests.support.factories import CategoryFactory, VillagerFactory
from tests.support.orders import make_order
from tests.support.platform import platform_says, record_number

START = dt.date(2025, 3, 1)
END = dt.date(2025, 6, 10)
WINDOW = 7
RATE = Decimal("0.0300")
TIERS = [(Decimal("20000"), Decimal("1000.00")), (Decimal("5000"), Decimal("300.00"))]  # highest first
CENT = Decimal("0.01")

order_spec = st.fixed_dictionaries(
    {
        "partner": st.integers(0, 1),
        "assisted": st.booleans(),
        "yuan": st.integers(50, 12_000),
        "paid_day": st.integers(0, 55),
        "recorded": st.sampled_from([True, True, True, False]),
        "confirm_after": st.one_of(st.none(), st.integers(1, 20)),
        "confirm_learned_after": st.integers(0, 12),
        "mismatch": st.sampled_from([False, False, False, True]),
        # Refund reported this many days after the confirmation was learned (or after payment).
        "refund_after": st.one_of(st.none(), st.none(), st.integers(0, 40)),
        "returned_here": st.booleans(),
        "hour": st.integers(0, 23),
    }
)


def tier_bonus(base: Decimal) -> Decimal:
    return next((bonus for threshold, bonus in TIERS if threshold <= base), Decimal("0.00"))


def day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def run_moment(day: dt.date) -> dt.datetime:
    return shanghai(day, 1, 30)


def plan_events(spec, order_total: Decimal):
    """The order's platform and local events as (moment, kind, data), and its commission."""
    paid_at = shanghai(START + dt.timedelta(days=spec["paid_day"]), spec["hour"])
    events = []
    amount = order_total + (Decimal("5.00") if spec["mismatch"] else 0)
    if not spec["recorded"]:
        return paid_at, events
    events.append((paid_at + dt.timedelta(hours=1), "platform", {"status": "paid", "amount": amount}))
    last_learned = paid_at + dt.timedelta(hours=1)
    confirmed_at = None
    if spec["confirm_after"] is not None:
        confirmed_at = paid_at + dt.timedelta(days=spec["confirm_after"])
        last_learned = confirmed_at + dt.timedelta(days=spec["confirm_learned_after"], hours=3)
        events.append(
            (last_learned, "platform", {"status": "confirmed", "amount": amount, "confirmed_at": confirmed_at})
        )
    if spec["refund_after"] is not None:
        refund_at = last_learned + dt.timedelta(days=spec["refund_after"], hours=2)
        events.append(
            (
                refund_at,
                "platform",
                {"status": "refunded", "amount": amount, "confirmed_at": confirmed_at, "refunded_at": refund_at},
            )
        )
        if spec["returned_here"] and confirmed_at is not None:
            events.append((refund_at - dt.timedelta(hours=1), "return", {}))
    return paid_at, sorted(events, key=lambda e: e[0])


class Oracle:
    """The rules of issue 14, simulated night by night in plain Python."""

    def __init__(self, orders):
        self.orders = orders  # id → dict(partner, total, commission, assisted, events, paid_at)
        self.payable = {}  # order id → (day, month, amount, sales, assisted)
        self.clawback = {}  # order id → (day, month, concerns_month)
        self.adjustments = []  # (partner, month, amount, concerns_month)
        self.statements = {}  # (partner, month) → dict(status, figures)

    def _state(self, order, moment):
        applied = [e for e in order["events"] if e[0] < moment]
        record = [e for e in applied if e[1] == "platform"]
        undone = any(e[1] == "return" for e in applied)
        if not record:
            return None
        latest = record[-1]
        data = latest[2]
        known = latest[0]
        refund_known = known if data["status"] == "refunded" else None
        if data["status"] == "refunded":
            state = "refunded" if undone else "status_conflict"
        elif undone:
            state = "status_conflict"
        elif abs(data["amount"] - order["total"]) > 1:
            state = "amount_mismatch"
        elif data["status"] == "confirmed":
            state = "confirmed"
        else:
            state = "matched"
        payable_from = None
        if state == "confirmed":
            payable_from = max(day_of(data["confirmed_at"]) + dt.timedelta(days=WINDOW), day_of(known))
        return state, payable_from, refund_known

    def _closed(self, partner, month) -> bool:
        s = self.statements.get((partner, month))
        return s is not None and s["status"] != "open"

    def _lands(self, partner, month, today_month):
        return today_month if self._closed(partner, month) else month

    def night(self, day: dt.date):
        moment = run_moment(day)
        as_of = day - dt.timedelta(days=1)
        this_month = month_of(day)
        for order_id, order in self.orders.items():
            state = self._state(order, moment)
            if state is None:
                continue
            recon, payable_from, refund_known = state
            p = order["partner"]
            if order_id not in self.payable and recon == "confirmed" and payable_from <= as_of:
                self.payable[order_id] = (
                    payable_from,
                    self._lands(p, month_of(payable_from), this_month),
                    order["commission"],
                    order["total"],
                    order["total"] if order["assisted"] else Decimal("0.00"),
                )
            if order_id in self.payable and order_id not in self.clawback and refund_known is not None:
                refund_day = day_of(refund_known)
                if refund_day <= as_of:
                    self.clawback[order_id] = (
                        refund_day,
                        self._lands(p, month_of(refund_day), this_month),
                        self.payable[order_id][1],
                    )
        # tier corrections of closed months: those in open months are recomputed
        self.adjustments = [a for a in self.adjustments if self._closed(a[0], a[1])]
        latest = {}
        for order_id, (c_day, c_month, concerns) in self.clawback.items():
            p = self.orders[order_id]["partner"]
            if c_month == concerns or not self._closed(p, concerns) or self._closed(p, c_month):
                continue
            key = (p, concerns)
            if key not in latest or (c_day, c_month) > latest[key]:
                latest[key] = (c_day, c_month)
        for (p, month), (_c_day, c_month) in sorted(latest.items()):
            base = sum(
                (
                    v[4]
                    for oid, v in self.payable.items()
                    if self.orders[oid]["partner"] == p and v[1] == month and oid not in self.clawback
                ),
                Decimal("0.00"),
            )
            paid = self.statements[(p, month)]["incentive"] + sum(
                (a[2] for a in self.adjustments if a[0] == p and a[3] == month), Decimal("0.00")
            )
            deficit = tier_bonus(base) - paid
            if deficit < 0:
                self.adjustments.append((p, c_month, deficit, month))
        # statements of open months
        months = defaultdict(lambda: {"commission": Decimal(0), "clawbacks": Decimal(0), "adjustments": Decimal(0)})
        bases = defaultdict(lambda: Decimal(0))
        touched = set()
        for oid, (_d, month, amount, _sales, assisted) in self.payable.items():
            key = (self.orders[oid]["partner"], month)
            touched.add(key)
            months[key]["commission"] += amount
            if oid not in self.clawback:
                bases[key] += assisted
        for oid, (_d, month, _concerns) in self.clawback.items():
            key = (self.orders[oid]["partner"], month)
            touched.add(key)
            months[key]["clawbacks"] += self.payable[oid][2]
        for p, month, amount, _concerns in self.adjustments:
            touched.add((p, month))
            months[(p, month)]["adjustments"] += amount
        for key in touched | {k for k, s in self.statements.items() if s["status"] == "open"}:
            if self._closed(*key):
                continue
            m = months[key]
            incentive = tier_bonus(bases[key])
            self.statements[key] = {
                "status": "open",
                "commission": m["commission"],
                "incentive": incentive,
                "clawbacks": m["clawbacks"],
                "adjustments": m["adjustments"],
                "total": m["commission"] - m["clawbacks"] + incentive + m["adjustments"],
            }
        for key, s in self.statements.items():
            if s["status"] == "open" and key[1] < this_month:
                s["status"] = "closed"


def actual_statements():
    return {
        (s.partner_id, s.month): {
            "status": s.status,
            "commission": s.commission,
            "incentive": s.incentive,
            "clawbacks": s.clawbacks,
            "adjustments": s.adjustments,
            "total": s.total,
        }
        for s in MonthlyStatement.objects.all()
    }


@pytest.fixture
def money_world(alice, bob):
    category = CategoryFactory(slug="phones-digital")
    CommissionRate.objects.create(category=category, rate=RATE, effective_from=dt.date(2020, 1, 1))
    for threshold, bonus in TIERS:
        IncentiveTier.objects.create(min_monthly_sales=threshold, bonus=bonus)
    return {"partners": [alice, bob], "category": category}


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(specs=st.lists(order_spec, min_size=1, max_size=7), extra_nights=st.lists(st.integers(0, 100), max_size=6))
def test_statements_equal_a_plain_simulation_of_the_rules(money_world, monkeypatch, specs, extra_nights):
    with transaction.atomic():
        clock = {"now": run_moment(START)}
        monkeypatch.setattr(timezone, "now", lambda: clock["now"])
        # given random orders and the platform's later view of them
        orders, pending = {}, []
        for spec in specs:
            partner = money_world["partners"][spec["partner"]]
            total = Decimal(spec["yuan"]).quantize(CENT)
            paid_at, _ = plan_events(spec, total)
            order = make_order(
                partner=partner,
                villager=VillagerFactory(partner=partner),
                lines=[(money_world["category"], 1, total)],
                paid_at=paid_at,
                channel="assisted_purchase" if spec["assisted"] else "farm_produce",
            )
            _paid, events = plan_events(spec, total)
            number = record_number(order) if spec["recorded"] else None
            orders[order.pk] = {
                "partner": partner.pk,
                "total": total,
                "commission": (total * RATE).quantize(CENT),
                "assisted": spec["assisted"],
                "events": events,
            }
            pending += [(moment, order.pk, number, kind, data) for moment, kind, data in events]
        pending.sort(key=lambda e: e[0])
        # the nights: the night after each event, the first of each month, a few at random, the end
        nights = {day_of(e[0]) + dt.timedelta(days=1) for e in pending}
        nights |= {dt.date(2025, m, 1) for m in (4, 5, 6)} | {END}
        nights |= {START + dt.timedelta(days=n) for n in extra_nights}
        nights = sorted(n for n in nights if START < n <= END)
        oracle = Oracle(orders)
        closed_seen = {}
        for night in nights:
            moment = run_moment(night)
            while pending and pending[0][0] < moment:
                at, order_id, number, kind, data = pending.pop(0)
                clock["now"] = at
                if kind == "return":
                    Order.objects.filter(pk=order_id).update(status="returned", returned_at=at, picked_up_at=at)
                else:
                    platform_says(
                        number,
                        status=data["status"],
                        at=at,
                        amount=data["amount"],
                        confirmed_at=data.get("confirmed_at"),
                        refunded_at=data.get("refunded_at"),
                    )
            clock["now"] = moment
            # when the nightly pipeline runs
            rollups.run_rollups([], trigger="test")
            oracle.night(night)
            # then the statements are what the rules say
            actual = actual_statements()
            assert actual == oracle.statements, night
            # and a closed statement never changes
            for key, s in actual.items():
                if s["status"] != "open":
                    closed_seen.setdefault(key, s)
                    assert s == closed_seen[key], (night, key)
        # and the last night again changes nothing
        before = (
            sorted(
                tuple(v for k, v in r.items() if k not in {"id", "created_at"})
                for r in CommissionEntry.objects.values()
            ),
            actual_statements(),
        )
        rollups.run_rollups([], trigger="test")
        after = (
            sorted(
                tuple(v for k, v in r.items() if k not in {"id", "created_at"})
                for r in CommissionEntry.objects.values()
            ),
            actual_statements(),
        )
        assert after == before
        transaction.set_rollback(True)
