"""Reads of a partner's income: the month's statement, its days, and the order lines
behind it (which orders, which rate, which tier). Figures come from the nightly
rollups (PartnerDailyIncome, MonthlyStatement); only the explanation lists orders."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from orders.models import Order
from partners.models import IncentiveTier, Partner
from rural_taobao import dates
from rural_taobao.dates import month_bounds, next_month

from .models import MonthlyStatement, PartnerDailyIncome, StatementStatus

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
    orders: int = 0
    sales: Decimal = ZERO
    commission: Decimal = ZERO
    incentive: Decimal = ZERO
    reversals: Decimal = ZERO
    total: Decimal = ZERO
    assisted_sales: Decimal = ZERO
    status: str = StatementStatus.OPEN
    tier: IncentiveTier | None = None
    next_tier: IncentiveTier | None = None
    computed_at: dt.datetime | None = None
    days: list[IncomeDay] = field(default_factory=list)


def partner_month_income(partner: Partner, month: dt.date) -> MonthIncome:
    """The month's statement (or zeros before the first nightly run) and its days."""
    end = next_month(month)
    statement = MonthlyStatement.objects.select_related("incentive_tier").filter(partner=partner, month=month).first()
    rows = PartnerDailyIncome.objects.filter(partner=partner, day__gte=month, day__lt=end).order_by("day")
    income = MonthIncome(month=month)
    if statement:
        income.orders = statement.orders
        income.sales = statement.sales
        income.commission = statement.commission
        income.incentive = statement.incentive
        income.reversals = statement.reversals
        income.total = statement.total
        income.assisted_sales = statement.assisted_sales
        income.status = statement.status
        income.tier = statement.incentive_tier
        income.computed_at = statement.computed_at
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


def partner_month_orders(partner: Partner, month: dt.date):
    """The orders behind a month's statement: paid in the month (commission earned) or
    reversed in it (returned, or cancelled after payment), with their lines' rates."""
    start, end = month_bounds(month)
    return (
        Order.objects.filter(partner=partner)
        .filter(
            Q(paid_at__gte=start, paid_at__lt=end)
            | Q(returned_at__gte=start, returned_at__lt=end)
            | Q(cancelled_at__gte=start, cancelled_at__lt=end, paid_at__isnull=False)
        )
        .select_related("villager")
        .prefetch_related("lines__category")
        .order_by("-paid_at", "-id")
    )
