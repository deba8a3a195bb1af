"""A partner's performance (/partners/<id>/, GET /api/v1/partners/{id}/performance/), the
national partner ranking (/dashboard/partners/, GET /api/v1/rankings/partners/) and the
income distribution — each against a recomputation from the orders or the statements."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from analytics import rollups
from analytics.models import MonthlyStatement
from analytics.partner_performance import INCOME_BANDS, income_distribution, partner_performance, partner_ranking
from integrity.models import Flag
from orders.models import Order, OrderLine
from partners.models import CommissionRate, PartnerTarget
from rural_taobao import dates
from rural_taobao.dates import add_months, month_bounds, next_month
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, PartnerFactory, VillageFactory, VillagerFactory
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)
FIRST = dt.date(2024, 7, 1)  # the first of the 12 months to June 2025


@pytest.fixture
def year(alice, bob, clock):
    """Alice: two to four orders a month for 13 months (the oldest outside the window), a
    return the next month for every third, a cancellation after payment, three villagers;
    Bob: a few orders in county B. Two flags on Alice's orders. Rolled up."""
    clock(shanghai(TODAY, 10))
    category = CategoryFactory(slug="phones-digital")
    CommissionRate.objects.create(category=category, rate=Decimal("0.0300"), effective_from=dt.date(2020, 1, 1))
    villagers = [VillagerFactory(partner=alice, phone=f"1391111000{i}") for i in range(3)]
    n = 0
    for i in range(-1, 12):
        month = add_months(FIRST, i)
        for day in (3, 11, 27)[: 2 + i % 2]:
            n += 1
            paid = shanghai(month.replace(day=day), 20, 30)
            if paid.date() > TODAY:
                continue
            returned = None
            if n % 3 == 0:
                returned_day = next_month(month).replace(day=2)
                returned = shanghai(returned_day, 9) if returned_day < TODAY else None
            make_order(
                partner=alice,
                villager=villagers[n % 3],
                lines=[(category, 1 + n % 2, Decimal("150.00") + n * 7)],
                paid_at=paid,
                returned_at=returned,
            )
    make_order(
        partner=alice,
        villager=villagers[0],
        lines=[(category, 1, Decimal("88.00"))],
        paid_at=shanghai(dt.date(2025, 2, 10), 9),
        cancelled_at=shanghai(dt.date(2025, 2, 10), 11),
    )
    bob_villager = VillagerFactory(partner=bob, phone="13922220000")
    for day in (dt.date(2025, 5, 4), dt.date(2025, 6, 1)):
        make_order(partner=bob, villager=bob_villager, lines=[(category, 3, Decimal("999.00"))], paid_at=shanghai(day))
    orders = list(Order.objects.filter(partner=alice).order_by("id"))
    Flag.objects.create(
        order=orders[-1],
        county_id=orders[-1].county_id,
        partner=alice,
        rule="bulk_quantity",
        severity="medium",
        day=TODAY,
        evidence={},
    )
    Flag.objects.create(
        order=orders[-2],
        county_id=orders[-2].county_id,
        partner=alice,
        rule="too_fast",
        severity="medium",
        day=TODAY,
        evidence={},
        status="confirmed",
        reviewed_at=timezone.now(),
        reason="checked",
    )
    PartnerTarget.objects.create(partner=alice, month=dt.date(2025, 6, 1), sales_target=Decimal("2000.00"))
    PartnerTarget.objects.create(partner=alice, month=dt.date(2025, 3, 1), sales_target=Decimal("500.00"))
    rollups.run_rollups(money_days(), trigger="test", full=True)
    return category


def money_days() -> set[dt.date]:
    """The days with a payment, a return or a cancellation: the only days with rollup rows."""
    moments = Order.objects.values_list("paid_at", "returned_at", "cancelled_at")
    return {dates.shanghai_day(m) for row in moments for m in row if m is not None}


def genuine_orders(partner):
    return Order.objects.filter(partner=partner).exclude(
        pk__in=Flag.objects.filter(status="confirmed").values("order_id")
    )


def recomputed_month(partner, month: dt.date) -> dict:
    """A month's figures straight from the orders: payments count in their month, returns
    and cancellations after payment in theirs; an order whose flag was confirmed is no sale."""
    start, end = month_bounds(month)
    mine = genuine_orders(partner)
    paid = list(mine.filter(paid_at__gte=start, paid_at__lt=end))
    reversed_ = [
        o
        for o in mine.filter(paid_at__isnull=False)
        if (o.returned_at and start <= o.returned_at < end) or (o.cancelled_at and start <= o.cancelled_at < end)
    ]

    def commission(orders):
        return sum((line.commission_amount or 0 for line in OrderLine.objects.filter(order__in=orders)), Decimal("0"))

    return {
        "sales": sum((o.total_amount for o in paid), Decimal("0"))
        - sum((o.total_amount for o in reversed_), Decimal("0")),
        "orders": len(paid),
        "returned_orders": len(reversed_),
        "commission": commission(paid) - commission(reversed_),
        "villagers": len({o.villager_id for o in paid}),
    }


def test_performance_figures_match_a_recomputation_from_the_orders(alice, year):
    # when
    performance = partner_performance(alice)
    # then
    assert [m.month for m in performance.months] == [add_months(FIRST, i) for i in range(12)]
    for month in performance.months:
        expected = recomputed_month(alice, month.month)
        got = {
            "sales": month.sales,
            "orders": month.orders,
            "returned_orders": month.returned_orders,
            "commission": month.commission,
            "villagers": month.villagers,
        }
        assert got == expected, month.month
        statement = MonthlyStatement.objects.filter(partner=alice, month=month.month).first()
        assert month.income == (statement.total if statement else None)
    h = performance.headline
    in_window = genuine_orders(alice).filter(paid_at__gte=month_bounds(FIRST)[0])
    assert h.orders == in_window.count() == sum(m.orders for m in performance.months)
    assert h.villagers == in_window.values("villager").distinct().count() == 3
    assert h.sales == sum((recomputed_month(alice, m.month)["sales"] for m in performance.months), Decimal("0"))
    last = Order.objects.filter(partner=alice).order_by("-placed_at").first()
    assert h.days_since_last_order == (TODAY - last.placed_at.astimezone(shanghai(TODAY).tzinfo).date()).days
    flags = Flag.objects.filter(partner=alice)
    assert (h.open_flags, h.confirmed_flags) == (flags.filter(status="open").count(), 1)
    assert h.open_flags >= 1
    june = performance.months[-1]
    assert h.target.target == Decimal("2000.00") and h.target.sales == june.sales
    assert performance.months[8].target == Decimal("500.00")  # March 2025
    assert h.return_rate == pytest.approx(h.returned_orders / h.orders)


def test_performance_costs_a_handful_of_queries(alice, year, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        partner_performance(alice)


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_performance_api_gives_twelve_months_and_the_headline(alice, carol, year):
    # when
    response = api(carol).get(f"/api/v1/partners/{alice.pk}/performance/")
    # then
    assert response.status_code == 200
    body = response.json()
    performance = partner_performance(alice)
    assert [row["month"] for row in body["months"]] == [m.month.strftime("%Y-%m") for m in performance.months]
    assert [Decimal(row["sales"]) for row in body["months"]] == [m.sales for m in performance.months]
    assert [row["villagers_served"] for row in body["months"]] == [m.villagers for m in performance.months]
    assert body["headline"]["orders"] == performance.headline.orders
    assert Decimal(body["headline"]["commission"]) == performance.headline.commission
    assert body["headline"]["open_flags"] == performance.headline.open_flags
    assert body["headline"]["confirmed_flags"] == 1
    assert body["headline"]["target"]["sales_target"] == "2000.00"
    assert body["months"][-1]["sales_target"] == "2000.00" and body["months"][0]["sales_target"] is None


@pytest.mark.parametrize(
    ("actor", "page", "endpoint"),
    [("admin", 200, 200), ("carol", 200, 200), ("dave", 404, 404), ("alice", 404, 403), ("bob", 404, 403)],
)
def test_performance_scope(client, alice, bob, carol, dave, admin_user, year, actor, page, endpoint):
    user = {"admin": admin_user, "carol": carol, "dave": dave, "alice": alice.user, "bob": bob.user}[actor]
    client.force_login(user)
    # when
    page_response = client.get(f"/partners/{alice.pk}/")
    api_response = api(user).get(f"/api/v1/partners/{alice.pk}/performance/")
    # then
    assert page_response.status_code == page
    assert api_response.status_code == endpoint


def test_performance_page_shows_the_months_and_the_chart(client, alice, carol, year):
    client.cookies["django_language"] = "en"
    client.force_login(carol)
    response = client.get(f"/partners/{alice.pk}/")
    html = response.content.decode()
    assert 'id="performance-data"' in html and 'id="performance-months"' in html
    for month in partner_performance(alice).months:
        assert f'data-month="{month.month:%Y-%m}"' in html
        assert f'data-sales="{month.sales}"' in html
    assert 'id="target-form"' in html


def test_performance_page_asks_anonymous_visitors_to_log_in(client, alice, year):
    response = client.get(f"/partners/{alice.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ── Ranking ──────────────────────────────────────────────────────────────────


def test_ranking_orders_partners_by_the_months_sales(alice, bob, admin_user, year):
    # given: May 2025, alice and bob both sold
    may = dt.date(2025, 5, 1)
    # when
    rows = api(admin_user).get("/api/v1/rankings/partners/?month=2025-05").json()["results"]
    # then
    expected = sorted(((recomputed_month(p, may)["sales"], p.pk) for p in (alice, bob)), key=lambda t: (-t[0], t[1]))
    assert [(Decimal(r["sales"]), r["partner"]) for r in rows] == expected
    alice_row = next(r for r in rows if r["partner"] == alice.pk)
    assert Decimal(alice_row["commission"]) == recomputed_month(alice, may)["commission"]
    april_sales = recomputed_month(alice, dt.date(2025, 4, 1))["sales"]
    assert Decimal(alice_row["previous_sales"]) == april_sales
    assert Decimal(alice_row["growth"]) == pytest.approx(
        (recomputed_month(alice, may)["sales"] - april_sales) / april_sales, abs=Decimal("0.0001")
    )
    statement = MonthlyStatement.objects.filter(partner=alice, month=may).first()
    assert alice_row["income"] == (f"{statement.total:.2f}" if statement else None)


def test_ranking_filters_by_county_and_province(alice, bob, admin_user, county_b, year):
    by_county = api(admin_user).get(f"/api/v1/rankings/partners/?month=2025-05&county={county_b.code}").json()
    by_province = api(admin_user).get("/api/v1/rankings/partners/?month=2025-05&province=41").json()
    assert [r["partner"] for r in by_county["results"]] == [bob.pk]
    assert [r["partner"] for r in by_province["results"]] == [alice.pk]


@pytest.mark.parametrize("query", ["month=2025-13", "month=abc", "province=99", "county=999999", "ordering=villagers"])
def test_ranking_refuses_bad_filters_field_by_field(admin_user, year, query):
    response = api(admin_user).get(f"/api/v1/rankings/partners/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_ranking_is_for_admins(client, carol, alice, admin_user, year):
    assert api(carol).get("/api/v1/rankings/partners/").status_code == 403
    assert api(alice.user).get("/api/v1/rankings/partners/").status_code == 403
    client.force_login(carol)
    assert client.get("/dashboard/partners/").status_code == 403
    client.force_login(admin_user)
    response = client.get("/dashboard/partners/?month=2025-05")
    assert response.status_code == 200
    assert f'data-partner="{alice.pk}"' in response.content.decode()


# ── Income distribution ──────────────────────────────────────────────────────


@pytest.fixture
def statements(county_a, county_b, clock):
    """A statement for each of 26 partners in May 2025, on and around every band's edges."""
    clock(shanghai(TODAY, 10))
    totals = (
        [
            "-20.00",
            "0.00",
            "999.99",
            "1000.00",
            "2999.99",
            "3000.00",
            "4999.99",
            "5000.00",
            "5000.01",
            "9999.99",
            "10000.00",
            "15999.99",
            "16000.00",
            "16000.01",
            "42000.00",
        ]
        + ["3500.00"] * 6
        + ["7000.00"] * 5
    )
    made = []
    for i, total in enumerate(totals):
        county = county_a if i % 2 else county_b
        partner = PartnerFactory(active=True, village=VillageFactory(county=county, name=f"村{i}"))
        made.append(
            MonthlyStatement.objects.create(
                partner=partner,
                month=dt.date(2025, 5, 1),
                total=Decimal(total),
                status="closed",
                closed_at=timezone.now(),
            )
        )
    # Another month's statement counts nowhere in May.
    MonthlyStatement.objects.create(partner=made[0].partner, month=dt.date(2025, 4, 1), total=Decimal("99999"))
    return made


def recomputed_bands(statements) -> dict[str, int]:
    counts = dict.fromkeys((band.key for band in INCOME_BANDS), 0)
    for s in statements:
        t = s.total
        key = (
            "under_1000"
            if t < 1000
            else "1000_3000"
            if t < 3000
            else "3000_5000"
            if t < 5000
            else "5000_10000"
            if t < 10000
            else "10000_16000"
            if t < 16000
            else "16000_up"
        )
        counts[key] += 1
    return counts


def test_income_distribution_matches_a_recomputation(statements, county_a):
    # when
    distribution = income_distribution(dt.date(2025, 5, 1))
    in_a = income_distribution(dt.date(2025, 5, 1), county=county_a)
    # then
    assert {band.key: n for band, n in distribution.bands} == recomputed_bands(statements)
    assert distribution.partners == len(statements)
    assert distribution.over_5000 == sum(1 for s in statements if s.total >= 5000)
    mine = [s for s in statements if s.partner.village.county_id == county_a.pk]
    assert {band.key: n for band, n in in_a.bands} == recomputed_bands(mine)


def test_ranking_page_charts_the_distribution(client, admin_user, statements):
    client.cookies["django_language"] = "en"
    client.force_login(admin_user)
    response = client.get("/dashboard/partners/?month=2025-05")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="income-distribution-data"' in html and 'id="income-chart"' in html
    expected = recomputed_bands(statements)
    for key, n in expected.items():
        assert f'data-band="{key}">{n}<' in html
    assert f'id="partners-over-5000">{sum(1 for s in statements if s.total >= 5000)}<' in html


def test_the_ranking_query_pages_without_a_query_per_partner(statements, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        list(partner_ranking(dt.date(2025, 5, 1))[:50])


def test_the_pages_speak_chinese_and_the_national_dashboard_links_the_ranking(client, admin_user, alice, year):
    client.force_login(admin_user)
    ranking = client.get("/dashboard/partners/?month=2025-05").content.decode()
    assert "合伙人排名" in ranking and "¥16,000 及以上" in ranking and "月收入 ¥5,000 及以上的合伙人" in ranking
    performance = client.get(f"/partners/{alice.pk}/").content.decode()
    assert "合伙人业绩" in performance and "本月目标" in performance and "服务村民数" in performance
    national = client.get("/dashboard/").content.decode()
    assert 'id="partner-ranking-link"' in national and "合伙人排名与收入" in national
