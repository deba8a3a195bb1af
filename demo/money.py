"""The money history of the demo: what the platform said of each paid order, and the
months the programme has settled, approved and paid (``seed_demo``, after the orders).

1. **Payout accounts** for most partners who were ever active (Alipay on their phone, or a
   bank card at a rural bank); a few have none, as in a real programme.
2. **Platform order numbers and records.** Each paid order gets the Taobao order number
   the partner recorded at payment (a few baskets split in two), and the platform's view
   of it follows the order's own timeline: paid, shipped, receipt confirmed (确认收货) a
   little after the villager picked it up, refunded when it was cancelled or returned.
   The feed arrives at 06:00 the next morning. A few orders differ, so that every
   reconciliation state shows: no number recorded or a mistyped one (``unmatched``), a
   coupon the partner did not record (``amount_mismatch``), an after-sales refund on the
   platform that the partner never recorded as a return (``status_conflict``, often after
   the commission was paid: a clawback), a cancellation the platform never saw.
3. **The nights, replayed.** Week by week and at each month end, the platform records
   known by then are written and the real pipeline runs — ``reconcile_orders`` and
   ``settlement.settle`` as of that day — so commission becomes payable, is clawed back
   and months close exactly as the nightly runs would have done.
4. **Approvals and payouts.** Every closed month but the last is approved by demo_admin
   and paid in a payout batch made with ``payouts.services`` (one line of one batch
   failed at the bank: the statement is back to approved with the reason, awaiting a new
   batch); the last closed month awaits approval; the current month is open.
5. **Disputes**: demo_partner's answered one (accepted: an adjustment on the open
   statement), their open one about last month, another partner's rejected one.

Deterministic like the rest of the seed: one random stream per phase, platform numbers
derived from the order numbers; the timestamps the services stamp with the clock are set
back to when the work would have been done.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db.models import Count
from simple_history.utils import bulk_create_with_history

from analytics import disputes, settlement
from analytics.models import CommissionEntry, Dispute, DisputeStatus, MonthlyStatement, StatementStatus
from orders.models import Order, OrderReconciliation, PlatformOrder, PlatformOrderNo, PlatformStatus, ReconciliationRun
from orders.reconciliation import reconcile_orders
from partners.models import Partner, PartnerStatus, PayoutAccount, PayoutAccountKind
from payouts import services as payouts
from payouts.models import PayoutBatch
from rural_taobao import dates
from rural_taobao.dates import shanghai_zone

if TYPE_CHECKING:
    from demo.seeding import DemoSeeder

SHANGHAI = shanghai_zone()
HOUR = 3600
DAY = 86400
FEED_HOUR = 6  # the seller-centre export is imported at 06:00 the next morning

# How often each twist happens (of paid orders).
NO_NUMBER = 0.012  # the partner never recorded the platform number
MISTYPED = 0.004  # recorded a number the platform has no record of
SPLIT = 0.06  # a basket split by seller: two platform orders (orders of ¥60 or more)
COUPON = 0.005  # paid less on the platform than the order says: amount_mismatch
AFTER_SALES = 0.008  # refunded on the platform after pickup, never returned here
UNSEEN_CANCEL = 0.01  # of cancellations: the platform order went through anyway

BANKS = [
    ("中国农业银行", "622848"),
    ("中国邮政储蓄银行", "621799"),
    ("农村信用社", "622991"),
    ("中国建设银行", "621700"),
]
ACCOUNT_SHARE = 0.93  # partners who were ever active with a payout account
FAILURE_REASON = "收款人户名与账户不符，银行退回"


@dataclass
class Record:
    """One platform order's successive states: (arrival, fields) pairs, oldest first."""

    number: str
    states: list[tuple[int, dict]] = field(default_factory=list)


def _moment(t: int) -> datetime:
    return datetime.fromtimestamp(t, tz=SHANGHAI)


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


class MoneySeeder:
    def __init__(self, seeder: DemoSeeder):
        self.s = seeder
        self.admin = User.objects.get(pk=seeder.admin_id)
        self.records: list[Record] = []
        self.feed: list[tuple[int, int, int]] = []  # (arrival, record, state), in arrival order
        self.fed = 0  # how much of the feed the database has seen
        self.summary: dict[str, object] = {}
        # The month after the period is the current one; the one before it awaits approval.
        self.current = dates.month_start(seeder.end_date + timedelta(days=1))
        self.last_closed = dates.add_months(self.current, -1)
        self.demo = Partner.objects.filter(user__username="demo_partner").first()

    def run(self) -> dict[str, object]:
        self.save_payout_accounts()
        self.plan_platform()
        self.replay_nights()
        self.approve_and_pay()
        self.add_disputes()
        self.collect_summary()
        return self.summary

    # -- 1. payout accounts --------------------------------------------------------------
    def save_payout_accounts(self) -> None:
        rng = self.s.rng("payout-accounts")
        accounts = []
        partners = Partner.objects.filter(
            status__in=[PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXITED]
        ).order_by("phone")
        for partner in partners.select_related("user"):
            is_demo = partner.user is not None and partner.user.username == "demo_partner"
            if not is_demo and rng.random() > ACCOUNT_SHARE:
                continue
            joined = partner.activated_at or _moment(self.s.period_start)
            updated = joined + timedelta(days=rng.randint(1, 20), hours=rng.randint(8, 20))
            if is_demo or rng.random() < 0.65:
                account = PayoutAccount(
                    partner=partner, holder_name=partner.real_name, kind=PayoutAccountKind.ALIPAY,
                    account=partner.phone, updated_at=updated, updated_by=partner.user,
                )  # fmt: skip
            else:
                bank, prefix = rng.choice(BANKS)
                number = prefix + "".join(str(rng.randrange(10)) for _ in range(13))
                account = PayoutAccount(
                    partner=partner, holder_name=partner.real_name, kind=PayoutAccountKind.BANK,
                    account=number, bank_name=bank, updated_at=updated, updated_by=self.admin,
                )  # fmt: skip
            accounts.append(account)
        bulk_create_with_history(accounts, PayoutAccount, batch_size=1000, default_user=self.admin)
        self.summary["payout_accounts"] = len(accounts)

    # -- 2. platform numbers and the platform's view -------------------------------------
    def plan_platform(self) -> None:
        rng = self.s.rng("platform")
        numbers: list[PlatformOrderNo] = []
        orders = (
            Order.objects.filter(paid_at__isnull=False)
            .order_by("order_no")
            .values_list(
                "id",
                "order_no",
                "total_amount",
                "paid_at",
                "shipped_at",
                "picked_up_at",
                "cancelled_at",
                "returned_at",
            )  # fmt: skip
        )
        for oid, order_no, total, paid_at, shipped_at, picked_up_at, cancelled_at, returned_at in orders.iterator(
            chunk_size=5000
        ):
            roll = rng.random()
            if roll < NO_NUMBER:
                continue
            paid = _epoch(paid_at)
            assert paid is not None
            code, day, seq = order_no.split("-")
            parts = 2 if total >= 60 and rng.random() < SPLIT else 1
            base = f"{day}{code}{seq}"
            added = _moment(paid + rng.randint(60, 15 * 60))
            if roll < NO_NUMBER + MISTYPED:
                numbers.append(PlatformOrderNo(order_id=oid, number=base + "9", created_at=added))
                continue
            cents = int(total * 100)
            first = cents if parts == 1 else int(round(cents * rng.uniform(0.3, 0.7)))
            amounts = [first] if parts == 1 else [first, cents - first]
            if rng.random() < COUPON:
                amounts[0] = max(0, amounts[0] - rng.randint(300, 5000))
            events = self._events(
                rng, paid, _epoch(shipped_at), _epoch(picked_up_at), _epoch(cancelled_at), _epoch(returned_at)
            )
            for k, amount in enumerate(amounts):
                number = f"{base}{k}"
                numbers.append(PlatformOrderNo(order_id=oid, number=number, created_at=added))
                self.records.append(Record(number, self._states(events, amount)))
        PlatformOrderNo.objects.bulk_create(numbers, batch_size=5000)
        self.feed = sorted(
            (arrival, i, k) for i, record in enumerate(self.records) for k, (arrival, _s) in enumerate(record.states)
        )
        self.summary["platform_numbers"] = len(numbers)

    @staticmethod
    def _events(rng: random.Random, paid, shipped, picked_up, cancelled, returned) -> list[tuple[int, str]]:
        """What happened on the platform and when: (time, status), oldest first."""
        events = [(paid, PlatformStatus.PAID.value)]
        if cancelled is not None:
            if shipped is not None:
                events.append((shipped, PlatformStatus.SHIPPED.value))
            if rng.random() >= UNSEEN_CANCEL:
                status = PlatformStatus.CLOSED.value if rng.random() < 0.2 else PlatformStatus.REFUNDED.value
                events.append((cancelled + rng.randint(HOUR, 6 * HOUR), status))
            return events
        if shipped is not None:
            events.append((shipped, PlatformStatus.SHIPPED.value))
        if picked_up is not None:
            wait = rng.uniform(0.05, 1.0) if rng.random() < 0.7 else rng.uniform(2.0, 9.0)
            confirmed = picked_up + int(wait * DAY)
            if returned is not None:
                refund = max(returned + DAY, confirmed + HOUR)
                events.append((confirmed, PlatformStatus.CONFIRMED.value))
                events.append((refund, PlatformStatus.REFUNDED.value))
            else:
                events.append((confirmed, PlatformStatus.CONFIRMED.value))
                if rng.random() < AFTER_SALES:
                    events.append((confirmed + rng.randint(3 * DAY, 25 * DAY), PlatformStatus.REFUNDED.value))
        return events

    def _states(self, events: list[tuple[int, str]], amount_cents: int) -> list[tuple[int, dict]]:
        """The record as each morning's feed brings it: the day's last state, with the
        times the platform keeps (paid, confirmed, refunded)."""
        state = {
            "amount": Decimal(amount_cents) / 100,
            "paid_at": _moment(events[0][0]),
            "confirmed_at": None,
            "refunded_amount": Decimal("0.00"),
            "refunded_at": None,
        }
        by_arrival: dict[int, dict] = {}
        for t, status in events:
            state = dict(state, status=status)
            if status == PlatformStatus.CONFIRMED.value:
                state["confirmed_at"] = _moment(t)
            if status in (PlatformStatus.REFUNDED.value, PlatformStatus.CLOSED.value):
                state["refunded_amount"] = state["amount"]
                state["refunded_at"] = _moment(t)
            arrival = self.s.epoch(self.s.local_date(t) + timedelta(days=1)) + FEED_HOUR * HOUR
            by_arrival[arrival] = state
        return sorted(by_arrival.items())

    # -- 3. the nights ---------------------------------------------------------------------
    def night_days(self) -> list[date]:
        """The nights replayed: every Sunday, every month's last day and the period's end."""
        days: set[date] = {self.s.end_date}
        day = self.s.start_date
        while day < self.s.end_date:
            if day.weekday() == 6 or (day + timedelta(days=1)).day == 1:
                days.add(day)
            day += timedelta(days=1)
        return sorted(days)

    def write_feed(self, cutoff: int) -> int:
        """Write the platform records as the feeds up to ``cutoff`` left them."""
        latest: dict[int, int] = {}  # record → its last state that arrived by now
        while self.fed < len(self.feed) and self.feed[self.fed][0] <= cutoff:
            _arrival, i, k = self.feed[self.fed]
            latest[i] = k
            self.fed += 1
        rows = []
        for i, k in latest.items():
            record = self.records[i]
            arrival, state = record.states[k]
            rows.append(
                PlatformOrder(
                    number=record.number,
                    first_seen_at=_moment(record.states[0][0]),
                    changed_at=_moment(arrival),
                    **state,
                )
            )
        PlatformOrder.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["number"],
            update_fields=[
                "status",
                "amount",
                "paid_at",
                "confirmed_at",
                "refunded_amount",
                "refunded_at",
                "changed_at",
            ],
        )
        return len(rows)

    def replay_nights(self) -> None:
        previous: date | None = None
        nights = self.night_days()
        for index, day in enumerate(nights, start=1):
            self.write_feed(self.s.epoch(day) + FEED_HOUR * HOUR)
            reconcile_orders(full=True)
            settlement.settle(as_of=day, since=previous)
            self._date_the_night(day)
            previous = day
            if index % 10 == 0 or index == len(nights):
                self.s.log(f"money: night {index}/{len(nights)} ({day}) settled")
        # Keep the last run only: the next nightly run takes what changed after it.
        last = ReconciliationRun.objects.order_by("-started_at", "-pk").first()
        ReconciliationRun.objects.exclude(pk=getattr(last, "pk", None)).delete()
        self.summary["nights"] = len(nights)

    def _date_the_night(self, day: date) -> None:
        """The entries and closings of the night after ``day`` carry its time, not the seed's."""
        night = _at(day + timedelta(days=1), 1, 40)
        CommissionEntry.objects.filter(created_at__gt=night).update(created_at=night)
        MonthlyStatement.objects.filter(closed_at__gt=night).update(closed_at=night)
        MonthlyStatement.objects.filter(computed_at__gt=night).update(computed_at=night)

    # -- 4. approvals and payouts ----------------------------------------------------------
    def approve_and_pay(self) -> None:
        months = sorted(
            set(
                MonthlyStatement.objects.filter(status=StatementStatus.CLOSED, month__lt=self.last_closed)
                .order_by()
                .values_list("month", flat=True)
                .distinct()
            )
        )
        with_account = set(PayoutAccount.objects.values_list("partner_id", flat=True))
        demo_partner = self.demo.pk if self.demo else None
        batches = 0
        for index, month in enumerate(months):
            after = dates.add_months(month, 1)
            MonthlyStatement.objects.filter(month=month, status=StatementStatus.CLOSED).update(
                status=StatementStatus.APPROVED, approved_at=_at(after + timedelta(days=2), 10), approved_by=self.admin
            )
            to_pay = list(
                MonthlyStatement.objects.filter(
                    month=month, status=StatementStatus.APPROVED, total__gt=0, partner_id__in=with_account
                )
                .order_by("pk")
                .values_list("pk", "partner_id")
            )
            if not to_pay:
                continue
            batch = payouts.payout_batch_create(statement_ids=[pk for pk, _p in to_pay], by_user=self.admin)
            paid_on = after + timedelta(days=9)
            reference = f"ALIPAY-{paid_on:%Y%m%d}-{batches + 1:03d}"
            # One line of the second-to-last paid month fails at the bank.
            failing = [pk for pk, partner in to_pay if partner != demo_partner][-1:]
            if index == len(months) - 2 and failing and len(to_pay) > 1:
                self._results_with_one_failure(batch, failing[0], reference, paid_on)
            else:
                payouts.payout_batch_mark_paid(
                    batch_id=batch.pk, reference=reference, paid_on=paid_on, by_user=self.admin
                )
            PayoutBatch.objects.filter(pk=batch.pk).update(
                created_at=_at(after + timedelta(days=4), 15), description=f"{month:%Y-%m}"
            )
            batches += 1
        self.summary["payout_batches"] = batches

    def _results_with_one_failure(self, batch: PayoutBatch, failing_id: int, reference: str, paid_on: date) -> None:
        """The bank's results file of the batch: every line paid but one."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["memo", "status", "reason"])
        for item in batch.items.select_related("statement").order_by("pk"):
            failed = item.statement_id == failing_id
            writer.writerow([item.statement.reference, "失败" if failed else "成功", FAILURE_REASON if failed else ""])
        report = payouts.payout_results_import(
            batch_id=batch.pk,
            source=io.BytesIO(out.getvalue().encode("utf-8")),
            filename="results.csv",
            reference=reference,
            paid_on=paid_on,
        )
        assert report.ok, report.errors
        PayoutBatch.objects.filter(pk=batch.pk).update(paid_by=self.admin)

    # -- 5. disputes -------------------------------------------------------------------------
    def add_disputes(self) -> None:
        demo, current = self.demo, self.current
        made = 0
        if demo is not None:
            paid = MonthlyStatement.objects.filter(partner=demo, status=StatementStatus.PAID).order_by("-month").first()
            if paid is not None:
                order = (
                    Order.objects.filter(partner=demo, paid_at__isnull=False, commission_entries__month=paid.month)
                    .order_by("order_no")
                    .first()
                )
                dispute = disputes.dispute_open(
                    partner=demo,
                    statement_id=paid.pk,
                    order_id=order.pk if order else None,
                    message="这笔订单村民已经确认收货，佣金好像按旧的比例算的，少了一些，麻烦核对一下。",
                )
                disputes.dispute_resolve(
                    dispute_id=dispute.pk,
                    decision="accept",
                    amount="8.60",
                    reason="核对后属实：按付款当天的佣金比例补发 ¥8.60，计入本月结算单。",
                    by_user=self.admin,
                )
                # answered at the start of this month: the adjustment is on its open statement
                self._date_dispute(dispute.pk, current + timedelta(days=1))
                made += 1
            closed = MonthlyStatement.objects.filter(partner=demo, month=self.last_closed).first()
            if closed is not None and closed.status != StatementStatus.OPEN:
                dispute = disputes.dispute_open(
                    partner=demo, statement_id=closed.pk, message="上个月的激励奖金没有看到，是不是没达到档位？"
                )
                self._date_dispute(dispute.pk, current + timedelta(days=2))
                made += 1
        other = (
            MonthlyStatement.objects.filter(status=StatementStatus.PAID, clawbacks__gt=0)
            .exclude(partner=demo)
            .order_by("month", "partner_id")
            .first()
        )
        if other is not None:
            dispute = disputes.dispute_open(
                partner=other.partner, statement_id=other.pk, message="为什么扣了我的佣金？这笔订单我没有退货。"
            )
            disputes.dispute_resolve(
                dispute_id=dispute.pk,
                decision="reject",
                reason="平台记录显示村民在确认收货后申请了售后退款，佣金按规则追回。",
                by_user=self.admin,
            )
            self._date_dispute(dispute.pk, dates.add_months(other.month, 1) + timedelta(days=15))
            made += 1
        self.summary["disputes"] = made

    def _date_dispute(self, pk: int, day: date) -> None:
        day = min(day, self.s.end_date)
        Dispute.objects.filter(pk=pk).update(created_at=_at(day, 9, 20))
        Dispute.objects.filter(pk=pk).exclude(status=DisputeStatus.OPEN).update(resolved_at=_at(day, 16, 5))
        CommissionEntry.objects.filter(dispute__pk=pk).update(day=day, created_at=_at(day, 16, 5))

    # -- summary -----------------------------------------------------------------------------
    def collect_summary(self) -> None:
        states = dict(OrderReconciliation.objects.values_list("state").annotate(n=Count("pk")).order_by())
        self.summary["platform_records"] = PlatformOrder.objects.count()
        self.summary["reconciliation"] = dict(sorted(states.items()))
        self.summary["statements"] = dict(
            MonthlyStatement.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
        )


def seed_money(seeder: DemoSeeder) -> dict[str, object]:
    return MoneySeeder(seeder).run()


__all__ = ["MoneySeeder", "seed_money"]
