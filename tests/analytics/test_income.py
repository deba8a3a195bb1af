"""The partner's income page and /api/v1/partners/me/income/, after a nightly rollup."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from analytics import rollups
from orders.models import Order
from partners.models import CommissionRate, IncentiveTier
from rural_taobao import dates
from rural_taobao.template_filters import negate, yuan
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, VillagerFactory
from tests.support.orders import make_order
from tests.support.platform import platform_says, record_number

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)


@pytest.fixture
def march(alice, bob, monkeypatch):
    """Alice: two payments in March (3 % rate), one returned in April; Bob: one payment."""
    monkeypatch.setattr(dates, "shanghai_today", lambda: dt.date(2025, 5, 10))
    phones = CategoryFactory(slug="phones-digital")
    CommissionRate.objects.create(category=phones, rate=Decimal("0.0300"), effective_from=dt.date(2020, 1, 1))
    IncentiveTier.objects.create(min_monthly_sales=Decimal("5000"), bonus=Decimal("300"))
    villager = VillagerFactory(partner=alice, phone="13911112222")
    kept = make_order(
        partner=alice,
        villager=villager,
        lines=[(phones, 2, Decimal("3999.00"))],
        paid_at=shanghai(dt.date(2025, 3, 3), 23, 50),
    )
    returned = make_order(
        partner=alice,
        villager=villager,
        lines=[(phones, 1, Decimal("1000.00"))],
        paid_at=shanghai(dt.date(2025, 3, 4), 0, 10),
        returned_at=shanghai(dt.date(2025, 4, 2)),
    )
    make_order(
        partner=bob,
        villager=VillagerFactory(partner=bob, phone="13933334444"),
        lines=[(phones, 1, Decimal("500.00"))],
        paid_at=shanghai(dt.date(2025, 3, 5)),
    )
    # The platform confirmed each order the day after payment (learned that evening).
    for order in Order.objects.all():
        number = record_number(order)
        confirmed = order.paid_at + dt.timedelta(days=1)
        platform_says(number, status="confirmed", at=confirmed, amount=order.total_amount, confirmed_at=confirmed)
    rollups.run_rollups(rollups.days_with_orders(), trigger="test", full=True)
    return kept, returned


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_month_income_api_returns_the_statement_and_its_days(alice, march):
    # when
    response = api_for(alice.user).get("/api/v1/partners/me/income/", {"month": "2025-03"})
    # then: the kept order is payable; the returned one conflicts with the platform (confirmed there)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("month", "orders", "sales", "commission", "incentive", "clawbacks", "total")} == {
        "month": "2025-03",
        "orders": 2,
        "sales": "8998.00",
        "commission": "239.94",  # 3 % of 7,998
        "incentive": "300.00",  # payable assisted sales 7,998 ≥ 5,000
        "clawbacks": "0.00",
        "total": "539.94",
    }
    assert (body["status"], body["payable"], body["pending"]) == ("closed", "539.94", "0.00")
    assert body["days"] == [
        {"date": "2025-03-03", "orders": 1, "sales": "7998.00", "commission": "239.94"},
        {"date": "2025-03-04", "orders": 1, "sales": "1000.00", "commission": "30.00"},
    ]
    assert Order.objects.get(pk=march[1].pk).reconciliation == "status_conflict"


def test_the_statements_list_is_the_partners_own(alice, bob, march):
    body = api_for(alice.user).get("/api/v1/partners/me/statements/").json()
    assert [(s["month"], s["status"], s["total"]) for s in body["results"]] == [("2025-03", "closed", "539.94")]
    assert api_for(bob.user).get("/api/v1/partners/me/statements/").json()["results"][0]["total"] == "15.00"


def test_income_api_refuses_a_bad_month_and_non_partners(alice, carol, march):
    assert api_for(alice.user).get("/api/v1/partners/me/income/", {"month": "2025-3"}).json() == {
        "month": ["Enter a month as YYYY-MM."]
    }
    assert api_for(carol).get("/api/v1/partners/me/income/").status_code == 403
    assert APIClient().get("/api/v1/partners/me/income/").status_code in (401, 403)


def test_each_partner_sees_only_their_own_income(bob, march):
    body = api_for(bob.user).get("/api/v1/partners/me/income/", {"month": "2025-03"}).json()
    assert (body["orders"], body["sales"]) == (1, "500.00")


def test_income_page_explains_the_statement(client, alice, march):
    client.force_login(alice.user)
    response = client.get("/partner/income/?month=2025-03", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "¥539.94" in html
    assert march[0].order_no in html and march[1].order_no in html
    assert "3.00%" in html
    assert 'id="income-chart"' in html


def test_income_page_is_for_active_partners_only(client, carol, march):
    assert client.get("/partner/income/").status_code == 302  # anonymous → login
    client.force_login(carol)
    assert client.get("/partner/income/").status_code == 403


# ── One source for the month's figures (issue 19, item 2) ─────────────────────


def test_home_income_cards_and_income_table_agree_on_the_months_commission(client, alice, monkeypatch):
    # given: early December, no nightly statement yet; two orders paid this month (3 %),
    # one paid in November and returned this month, one paid and returned this month
    monkeypatch.setattr(dates, "shanghai_today", lambda: dt.date(2025, 12, 7))
    goods = CategoryFactory(slug="daily-goods")
    CommissionRate.objects.create(category=goods, rate=Decimal("0.0300"), effective_from=dt.date(2020, 1, 1))
    villager = VillagerFactory(partner=alice, phone="13911112222")
    december = [
        make_order(
            partner=alice,
            villager=villager,
            lines=[(goods, 1, Decimal("249.33"))],
            paid_at=shanghai(dt.date(2025, 12, 2), 10),
        ),
        make_order(
            partner=alice,
            villager=villager,
            lines=[(goods, 2, Decimal("120.00"))],
            paid_at=shanghai(dt.date(2025, 12, 5), 10),
        ),
    ]
    make_order(
        partner=alice,
        villager=villager,
        lines=[(goods, 1, Decimal("100.00"))],
        paid_at=shanghai(dt.date(2025, 11, 20), 10),
        returned_at=shanghai(dt.date(2025, 12, 3), 10),
    )
    make_order(
        partner=alice,
        villager=villager,
        lines=[(goods, 1, Decimal("50.00"))],
        paid_at=shanghai(dt.date(2025, 12, 1), 10),
        returned_at=shanghai(dt.date(2025, 12, 4), 10),
    )
    expected = Decimal("7.48") + Decimal("7.20") - Decimal("3.00")  # the November order taken back
    client.force_login(alice.user)
    # when
    home = client.get("/partner/").content.decode()
    income = client.get("/partner/income/").content.decode()
    # then: the home page's 本月佣金, the income page's figure and its table's total are one figure
    home_figure = re.search(r'id="kpi-month-commission">([^<]+)<', home).group(1)
    page_figure = re.search(r'id="month-commission">([^<]+)<', income).group(1)
    table_total = re.search(r'id="orders-commission-total"[^>]*><strong>([^<]+)<', income).group(1)
    assert home_figure == page_figure == table_total == f"¥{expected}"
    # and the table's lines add up to it (the returned orders count what they took back)
    line_figures = re.findall(r'class="num line-commission"[^>]*>(-?)¥([0-9,.]+)<', income)
    assert sum((Decimal(v) * (-1 if sign else 1) for sign, v in line_figures), Decimal("0")) == expected
    assert all(order.order_no in income for order in december)
    # nothing is payable yet, and no figure reads "minus nothing"
    assert re.search(r'id="kpi-commission">¥0.00<', income)
    assert "-¥0.00" not in income and "−¥0.00" not in income


def test_a_negative_zero_is_shown_as_zero():
    assert yuan(negate(Decimal("0.00"))) == "¥0.00"
    assert yuan(Decimal("-0.004")) == "¥0.00"
    assert yuan(Decimal("-3.00")) == "-¥3.00"
