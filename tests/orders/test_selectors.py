"""orders.selectors: scoping, and the partner's month so far."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order, OrderLine
from orders.selectors import orders_visible_to, partner_month_so_far
from tests.support.factories import UserFactory
from tests.support.orders import line, place_order

pytestmark = pytest.mark.django_db

SH = timezone.get_default_timezone()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def paid_order(partner, *, paid: dt.date, amount: str, commission: str, **timestamps) -> Order:
    order = place_order(partner, lines=[line(quantity=1, unit_price=amount)])
    Order.objects.filter(pk=order.pk).update(
        status="paid", placed_at=at(paid, 9), paid_at=at(paid), **{k: at(v) for k, v in timestamps.items()}
    )
    OrderLine.objects.filter(order=order).update(commission_amount=Decimal(commission))
    return order


def test_the_month_so_far_counts_payments_and_reversals_on_their_own_days(alice, categories):
    # given: November 2026, "today" is the 20th
    today = dt.date(2026, 11, 20)
    paid_order(alice, paid=dt.date(2026, 10, 31), amount="999.00", commission="9.99")  # last month
    paid_order(alice, paid=dt.date(2026, 11, 3), amount="100.00", commission="3.00")
    paid_order(alice, paid=dt.date(2026, 11, 20), amount="200.00", commission="6.00")
    paid_order(alice, paid=dt.date(2026, 10, 30), amount="50.00", commission="1.50", returned_at=dt.date(2026, 11, 5))
    paid_order(alice, paid=dt.date(2026, 11, 2), amount="40.00", commission="1.20", cancelled_at=dt.date(2026, 11, 2))
    # when
    month = partner_month_so_far(alice, today)
    # then
    assert month.orders == 3
    assert month.sales == Decimal("100.00") + Decimal("200.00") + Decimal("40.00") - Decimal("50.00") - Decimal("40.00")
    assert month.commission == Decimal("10.20")
    assert month.reversals == Decimal("2.70")
    assert month.net_commission == Decimal("7.50")


def test_past_days_are_kept_and_today_is_read_live(alice, categories, django_assert_num_queries):
    # given
    today = dt.date(2026, 11, 20)
    paid_order(alice, paid=dt.date(2026, 11, 3), amount="100.00", commission="3.00")
    first = partner_month_so_far(alice, today)
    # when: a payment today, then the page is shown again
    paid_order(alice, paid=today, amount="200.00", commission="6.00")
    with django_assert_num_queries(2):  # today's two queries only
        again = partner_month_so_far(alice, today)
    # then
    assert (first.sales, again.sales) == (Decimal("100.00"), Decimal("300.00"))
    assert again.commission == Decimal("9.00")


def test_on_the_first_of_the_month_there_are_no_past_days(alice, categories):
    paid_order(alice, paid=dt.date(2026, 10, 31), amount="100.00", commission="3.00")
    month = partner_month_so_far(alice, dt.date(2026, 11, 1))
    assert (month.orders, month.sales) == (0, Decimal("0.00"))


def test_orders_visible_to_each_role(alice, bob, carol, dave, admin_user, categories):
    mine, theirs = place_order(alice), place_order(bob)
    assert set(orders_visible_to(alice.user)) == {mine}
    assert set(orders_visible_to(carol)) == {mine}
    assert set(orders_visible_to(dave)) == {theirs}
    assert set(orders_visible_to(admin_user)) == {mine, theirs}
    assert not orders_visible_to(UserFactory(username="nobody")).exists()
