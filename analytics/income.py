"""Reads of a partner's income: the month's statement (what became payable, incentive,
clawbacks, adjustments, status and payout), the money still pending on the platform,
the month's activity by day, and the ledger lines behind the statement.

Figures come from the nightly run (CommissionEntry, MonthlyStatement, PartnerDailyIncome);
the pending commission is read from the orders (the partner's own, one aggregate)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from orders.models import Order, OrderLine
from orders.selectors import order_month_commission, partner_month_activity, with_review_state
from partners.models import IncentiveTier, Partner
from rural_taobao import dates
from rural_taobao.dates import month_bounds, next_month

from . import settlement
from .models import CommissionEntry, Dispute, MonthlyStatement, PartnerDailyIncome, StatementStatus

ZERO = Decimal("0.00")


@dataclass
class IncomeDay:
    date: dt.date
    orders: int
    sales: Decimal
    commission: Decimal
    reversals: Decimal


@dataclass
class MonthIncome:
    month: dt.date
    statement_id: int | None = None
    # Activity: the month's payments, net sales and the commission earned on them, net of
    # returns — the home page's figures, from the same selector (partner_month_activity).
    orders: int = 0
    sales: Decimal = ZERO
    earned: Decimal = ZERO
    taken_back: Decimal = ZERO
    # Money: what became payable in the month, and what it adds up to.
    payable_orders: int = 0
    commission: Decimal = ZERO
    incentive: Decimal = ZERO
    clawbacks: Decimal = ZERO
    adjustments: Decimal = ZERO
    total: Decimal = ZERO
    assisted_sales: Decimal = ZERO
    # Commission of the month's paid orders that the platform has not made payable yet.
    pending: Decimal = ZERO
    # Commission of orders under review when the statement was last computed.
    held: Decimal = ZERO
    status: str = StatementStatus.OPEN
    tier: IncentiveTier | None = None
    next_tier: IncentiveTier | None = None
    computed_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    paid_on: dt.date | None = None
    payout_reference: str = ""
    payout_failure: str = ""
    days: list[IncomeDay] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(StatementStatus(self.status).label)

    @property
    def payable(self) -> Decimal:
        """What the month's statement owes the partner (its total)."""
        return self.total


def partner_month_income(partner: Partner, month: dt.date) -> MonthIncome:
    """The month's statement (zeros before the first nightly run), its days and pending money."""
    end = next_month(month)
    statement = MonthlyStatement.objects.select_related("incentive_tier").filter(partner=partner, month=month).first()
    rows = PartnerDailyIncome.objects.filter(partner=partner, day__gte=month, day__lt=end).order_by("day")
    income = MonthIncome(month=month)
    if statement:
        income.statement_id = statement.pk
        income.payable_orders = statement.orders
        income.commission = statement.commission
        income.incentive = statement.incentive
        income.clawbacks = statement.clawbacks
        income.adjustments = statement.adjustments
        income.total = statement.total
        income.held = statement.held
        income.assisted_sales = statement.assisted_sales
        income.status = statement.status
        income.tier = statement.incentive_tier
        income.computed_at = statement.computed_at
        income.approved_at = statement.approved_at
        income.paid_on = statement.paid_on
        income.payout_reference = statement.payout_reference
        income.payout_failure = statement.payout_failure
    elif dates.month_has_ended(month):
        income.status = StatementStatus.CLOSED
    income.days = [
        IncomeDay(
            date=row.day,
            orders=row.orders,
            sales=row.sales - row.returned_sales,
            commission=row.commission,
            reversals=row.reversals,
        )
        for row in rows
    ]
    activity = partner_month_activity(partner, month)
    income.orders = activity.orders
    income.sales = activity.sales
    income.earned = activity.net_commission
    income.taken_back = activity.reversals
    income.pending = settlement.pending_commission(partner.pk, month=month)
    income.next_tier = (
        IncentiveTier.objects.filter(min_monthly_sales__gt=income.assisted_sales).order_by("min_monthly_sales").first()
    )
    return income


def partner_statement_months(partner: Partner) -> list[dt.date]:
    months = list(MonthlyStatement.objects.filter(partner=partner).values_list("month", flat=True).order_by("-month"))
    current = dates.this_month()
    if current not in months:
        months.insert(0, current)
    return months


def partner_statements(partner: Partner):
    """The partner's statements, newest first."""
    return MonthlyStatement.objects.filter(partner=partner).order_by("-month")


def partner_money(partner: Partner) -> settlement.MoneySummary:
    """Pending (on the platform), payable (on statements not yet paid), paid."""
    return settlement.money_summary(partner.pk)


def statement_entries(partner: Partner, month: dt.date):
    """The ledger lines of the partner's month: which orders became payable or were
    clawed back, which months were corrected, which disputes were settled."""
    return (
        CommissionEntry.objects.filter(partner=partner, month=month)
        .select_related("order")
        .order_by("day", "kind", "id")
    )


def partner_disputes(partner: Partner):
    return Dispute.objects.filter(partner=partner).select_related("statement", "order").order_by("-created_at")


def partner_month_orders(partner: Partner, month: dt.date):
    """The orders of the month's activity: paid in the month, or returned or cancelled
    after payment in it, with their lines' rates and their platform state."""
    start, end = month_bounds(month)
    return (
        with_review_state(Order.objects.filter(placed_by=partner))
        .filter(
            Q(paid_at__gte=start, paid_at__lt=end)
            | Q(returned_at__gte=start, returned_at__lt=end)
            | Q(cancelled_at__gte=start, cancelled_at__lt=end, paid_at__isnull=False)
        )
        .select_related("villager", "reconciliation_row")
        .prefetch_related("lines__category", "commission_entries")
        .order_by("-paid_at", "-id")
    )


@dataclass
class MonthOrderLine:
    line: OrderLine
    # What the line adds to the month's net commission (MonthIncome.earned): its commission
    # on a payment in the month, less it on a return in the month.
    month_commission: Decimal


@dataclass
class MonthOrderRow:
    order: Order
    lines: list[MonthOrderLine]


def month_order_rows(orders, month: dt.date) -> list[MonthOrderRow]:
    """The orders table of the income page: each line with what it counts in the month, so
    the table adds up to the month's earned commission."""
    return [
        MonthOrderRow(
            order=order,
            lines=[MonthOrderLine(line, order_month_commission(order, line, month)) for line in order.lines.all()],
        )
        for order in orders
    ]
