"""What the flags show outside the review page: the partner sees "under review" on a held
order and the held commission, never the rule; the county and national dashboards count
open flags and the money they hold."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from integrity.checks import check_day
from integrity.models import Flag
from partners.models import CommissionRate
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, VillagerFactory
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)


def text_of(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def held_order(alice):
    goods = CategoryFactory(slug="daily-goods")
    CommissionRate.objects.create(category=goods, rate=Decimal("0.0500"), effective_from=dt.date(2020, 1, 1))
    clean = make_order(
        partner=alice,
        villager=VillagerFactory(partner=alice),
        lines=[(goods, 2, Decimal("10.00"))],
        paid_at=shanghai(DAY, 9),
    )
    bulk = make_order(
        partner=alice,
        villager=VillagerFactory(partner=alice),
        lines=[(goods, 60, Decimal("10.00"))],
        paid_at=shanghai(DAY, 10),
    )
    check_day(DAY)
    assert list(Flag.objects.values_list("order_id", "rule")) == [(bulk.pk, "bulk_quantity")]
    return bulk, clean


def test_the_partner_sees_under_review_on_the_held_order_but_never_the_rule(client, alice, held_order):
    bulk, clean = held_order
    client.cookies["django_language"] = "en"
    client.force_login(alice.user)
    orders = text_of(client.get(reverse("partner_orders")))
    card = re.search(rf"{bulk.order_no}.*?</li>", orders).group(0)
    assert "under review" in card
    assert "under review" not in re.search(rf"{clean.order_no}.*?</li>", orders).group(0)
    detail = text_of(client.get(reverse("partner_order_detail", args=[bulk.pk])))
    assert 'id="under-review"' in detail and "Its commission waits" in detail
    assert 'id="under-review"' not in text_of(client.get(reverse("partner_order_detail", args=[clean.pk])))
    income = text_of(client.get(reverse("partner_income"), {"month": "2025-06"}))
    # 60 × ¥10 at 5 % = ¥30.00 held, out of ¥31.00 pending
    assert re.search(r'id="money-held">of which ¥30\.00 under review', income)
    for page in (orders, detail, income):
        assert "bulk" not in page.lower() and "flag" not in page.lower()


def test_the_county_dashboard_counts_open_flags_and_the_commission_held(client, carol, county_a, held_order):
    client.cookies["django_language"] = "en"
    client.force_login(carol)
    page = text_of(client.get(reverse("dashboards:county", args=[county_a.code])))
    assert re.search(r'id="open-flags">1<', page)
    assert re.search(r'id="orders-under-review">1<', page)
    assert re.search(r'id="money-held">¥30\.00<', page)
    assert f"/review/?county={county_a.code}" in page


def test_the_national_dashboard_shows_flags_by_rule_and_the_most_flagged_counties(
    client, admin_user, county_a, held_order
):
    client.cookies["django_language"] = "en"
    client.force_login(admin_user)
    page = text_of(client.get(reverse("dashboards:national")))
    row = re.search(r'<tr data-rule="bulk_quantity">.*?</tr>', page).group(0)
    assert re.findall(r'class="num">(\d+)<', row) == ["1", "0", "0"]
    assert re.search(r'<tr data-rule="too_fast">.*?</tr>', page).group(0).count('class="num">0<') == 3
    county_row = re.search(rf'<tr data-county="{county_a.code}">.*?</tr>', page).group(0)
    assert county_a.name in county_row and 'class="num">1<' in county_row
