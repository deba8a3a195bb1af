"""Reconciliation: each state ``orders.reconciliation.reconcile_orders`` gives an order from the
platform records, the list page with its filters and counts, its CSV export and API, who sees
what (admins all, county staff their counties, partners nothing), and the county dashboard's
share of sales confirmed by the platform."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.dashboards import platform_confirmed_shares
from analytics.periods import Period
from orders.models import Order, PlatformStatus, Reconciliation
from orders.reconciliation import reconcile_orders
from tests.support.dates import shanghai
from tests.support.factories import VillagerFactory
from tests.support.orders import make_order
from tests.support.platform import platform_says, record_number

pytestmark = pytest.mark.django_db

PAID = shanghai(dt.date(2026, 10, 10), 10)
LATER = shanghai(dt.date(2026, 10, 12), 9)
NOVEMBER = shanghai(dt.date(2026, 11, 3), 15)
API = "/api/v1/reconciliation/"


def paid_order(partner, category, price="100.00", *, paid_at=PAID, **kwargs) -> Order:
    villager = VillagerFactory(partner=partner)
    return make_order(
        partner=partner, villager=villager, lines=[(category, 1, Decimal(price))], paid_at=paid_at, **kwargs
    )


def with_record(order, *, status, amount=None, confirmed_at=None, refunded_at=None) -> str:
    number = record_number(order, at=order.paid_at)
    platform_says(
        number,
        status=status,
        at=LATER,
        amount=Decimal(amount) if amount is not None else order.total_amount,
        paid_at=order.paid_at,
        confirmed_at=confirmed_at,
        refunded_at=refunded_at,
    )
    return number


def state_of(order) -> str:
    order.refresh_from_db()
    return order.reconciliation


@pytest.fixture
def appliances(categories):
    return categories["appliances"]


@pytest.fixture
def states(alice, bob, appliances):
    """One order of alice (county A) in each state, and two of bob (county B), reconciled."""
    orders = {}
    # unmatched: a number the platform has no record of
    orders["unmatched"] = paid_order(alice, appliances, "120.00")
    record_number(orders["unmatched"], at=PAID)
    # matched: found, the same amount, not yet confirmed
    orders["matched"] = paid_order(alice, appliances, "130.00")
    with_record(orders["matched"], status=PlatformStatus.SHIPPED)
    # confirmed: the receipt confirmed on the platform
    orders["confirmed"] = paid_order(alice, appliances, "200.00")
    with_record(orders["confirmed"], status=PlatformStatus.CONFIRMED, confirmed_at=LATER)
    # amount_mismatch: the platform's amount is ¥1.50 off
    orders["amount_mismatch"] = paid_order(alice, appliances, "300.00")
    with_record(orders["amount_mismatch"], status=PlatformStatus.PAID, amount="298.50")
    # refunded: refunded there, returned here
    orders["refunded"] = paid_order(alice, appliances, "140.00", returned_at=LATER)
    with_record(orders["refunded"], status=PlatformStatus.REFUNDED, refunded_at=LATER)
    # status_conflict: refunded there, but still paid here
    orders["status_conflict"] = paid_order(alice, appliances, "150.00")
    with_record(orders["status_conflict"], status=PlatformStatus.REFUNDED, refunded_at=LATER)
    # bob's, in county B: one confirmed, one paid in November without a number
    orders["bob_confirmed"] = paid_order(bob, appliances, "500.00")
    with_record(orders["bob_confirmed"], status=PlatformStatus.CONFIRMED, confirmed_at=LATER)
    orders["bob_november"] = paid_order(bob, appliances, "50.00", paid_at=NOVEMBER)
    reconcile_orders(full=True)
    return orders


# ── Each state, from the platform records ────────────────────────────────────


def test_each_reconciliation_state_comes_from_the_platform_records(states):
    for state in Reconciliation.values:
        assert state_of(states[state]) == state, state
    assert state_of(states["bob_confirmed"]) == "confirmed"
    assert state_of(states["bob_november"]) == "unmatched"  # no number at all
    matched = states["matched"]
    assert matched.platform_amount == Decimal("130.00")
    mismatch = states["amount_mismatch"]
    mismatch.refresh_from_db()
    assert mismatch.platform_amount == Decimal("298.50")


@pytest.mark.parametrize(
    ("platform_amount", "state"),
    [
        ("100.00", "matched"),
        ("99.00", "matched"),
        ("101.00", "matched"),
        ("98.99", "amount_mismatch"),
        ("101.01", "amount_mismatch"),
    ],
)
def test_the_amount_tolerance_is_one_yuan(alice, appliances, platform_amount, state):
    order = paid_order(alice, appliances, "100.00")
    with_record(order, status=PlatformStatus.PAID, amount=platform_amount)
    reconcile_orders(full=True)
    assert state_of(order) == state


def test_an_order_of_several_platform_orders_adds_their_amounts_and_confirms_when_all_are(alice, appliances):
    order = paid_order(alice, appliances, "300.00")
    first = record_number(order, at=PAID)
    second = record_number(order, at=PAID)
    platform_says(first, status=PlatformStatus.CONFIRMED, at=LATER, amount=Decimal("100.00"), confirmed_at=LATER)
    platform_says(second, status=PlatformStatus.SHIPPED, at=LATER, amount=Decimal("200.00"))
    reconcile_orders(full=True)
    assert state_of(order) == "matched"
    assert order.platform_amount == Decimal("300.00")
    platform_says(second, status=PlatformStatus.CONFIRMED, at=LATER, amount=Decimal("200.00"), confirmed_at=LATER)
    reconcile_orders(full=True)
    assert state_of(order) == "confirmed"


def test_a_cancellation_here_that_the_platform_does_not_know_is_a_status_conflict(alice, appliances):
    order = paid_order(alice, appliances, "100.00", cancelled_at=LATER)
    with_record(order, status=PlatformStatus.CONFIRMED, confirmed_at=LATER)
    reconcile_orders(full=True)
    assert state_of(order) == "status_conflict"


def test_a_closed_platform_order_of_a_cancelled_order_is_refunded(alice, appliances):
    order = paid_order(alice, appliances, "100.00", cancelled_at=LATER)
    with_record(order, status=PlatformStatus.CLOSED)
    reconcile_orders(full=True)
    assert state_of(order) == "refunded"


# ── The page ─────────────────────────────────────────────────────────────────


def page_as(client, user, **params):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client.get(reverse("reconciliation"), params)


def listed(response) -> set[str]:
    return {order.order_no for order in response.context["page"].items}


def test_admins_see_every_county_with_counts_per_state(client, admin_user, states):
    response = page_as(client, admin_user)
    assert response.status_code == 200
    assert listed(response) == {o.order_no for o in states.values()}
    counts = response.context["found"].counts
    assert counts == {
        "unmatched": 2,
        "matched": 1,
        "confirmed": 2,
        "amount_mismatch": 1,
        "refunded": 1,
        "status_conflict": 1,
    }
    html = response.content.decode()
    assert 'id="reconciliation-list"' in html
    assert "¥298.50" in html or "298.50" in html


def test_county_staff_see_only_their_counties(client, carol, states):
    response = page_as(client, carol)
    assert listed(response) == {o.order_no for k, o in states.items() if not k.startswith("bob")}
    assert response.context["found"].counts["confirmed"] == 1


def test_another_countys_filter_is_404_for_county_staff(client, carol, county_b, states):
    assert page_as(client, carol, county=county_b.code).status_code == 404
    assert page_as(client, carol, county="999999").status_code == 404


def test_the_filters(client, admin_user, alice, bob, county_b, states):
    by_state = page_as(client, admin_user, state="confirmed")
    assert listed(by_state) == {states["confirmed"].order_no, states["bob_confirmed"].order_no}
    # The counts stay those of every state (under the other filters), for the chips.
    assert by_state.context["found"].counts["unmatched"] == 2
    by_county = page_as(client, admin_user, county=county_b.code)
    assert listed(by_county) == {states["bob_confirmed"].order_no, states["bob_november"].order_no}
    by_partner = page_as(client, admin_user, partner=alice.pk, state="refunded")
    assert listed(by_partner) == {states["refunded"].order_no}
    by_month = page_as(client, admin_user, month="2026-11")
    assert listed(by_month) == {states["bob_november"].order_no}
    bad = page_as(client, admin_user, month="November")
    assert bad.status_code == 200 and listed(bad) == set()
    assert "Enter a month as YYYY-MM." in bad.content.decode()


def test_unpaid_orders_are_not_listed(client, admin_user, alice, appliances, states):
    never_paid = make_order(
        partner=alice, villager=VillagerFactory(partner=alice), lines=[(appliances, 1, Decimal("10"))]
    )
    assert never_paid.order_no not in listed(page_as(client, admin_user))


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_partners_are_refused(client, request, who, states):
    partner = request.getfixturevalue(who)
    assert page_as(client, partner.user).status_code == 403
    client.force_login(partner.user)
    assert client.get(reverse("reconciliation_export")).status_code == 403


def test_anonymous_visitors_log_in_first(client):
    response = client.get(reverse("reconciliation"))
    assert response.status_code == 302 and "login" in response.url


def test_the_nav_links_to_it_for_admins_and_county_staff(client, admin_user, carol, alice):
    for user in (admin_user, carol):
        client.force_login(user)
        assert (
            f'href="{reverse("reconciliation")}"'
            in client.get(reverse("dashboards:national"), follow=True).content.decode()
        )
    client.force_login(alice.user)
    assert f'href="{reverse("reconciliation")}"' not in client.get(reverse("partner_home")).content.decode()


# ── CSV export ───────────────────────────────────────────────────────────────


def export_as(client, user, **params) -> tuple[bytes, list[list[str]]]:
    client.cookies["django_language"] = "en"
    client.force_login(user)
    response = client.get(reverse("reconciliation_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    return content, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_export_is_utf8_with_bom_and_has_the_rows_of_the_filters(client, admin_user, states):
    content, rows = export_as(client, admin_user, state="amount_mismatch")
    assert content.startswith("\ufeff".encode())
    header, *body = rows
    assert header == [
        "Order",
        "Partner",
        "County",
        "Village",
        "Status",
        "Total (yuan)",
        "Platform amount (yuan)",
        "Reconciliation",
        "Taobao order numbers",
        "Paid at",
        "Platform confirmed at",
    ]
    order = states["amount_mismatch"]
    number = order.platform_numbers.get().number
    assert body == [
        [
            order.order_no,
            "王爱丽",
            order.county.name,
            order.village.name,
            "Paid",
            "300.00",
            "298.50",
            "Amount mismatch",
            number,
            "2026-10-10 10:00",
            "",
        ]
    ]


def test_the_export_of_county_staff_is_their_counties_only(client, carol, county_b, states):
    _content, rows = export_as(client, carol)
    assert {row[0] for row in rows[1:]} == {o.order_no for k, o in states.items() if not k.startswith("bob")}
    client.force_login(carol)
    assert client.get(reverse("reconciliation_export"), {"county": county_b.code}).status_code == 404


def test_typed_text_that_looks_like_a_formula_is_neutralised(client, admin_user, alice, states):
    alice.real_name = "=HYPERLINK(1)"
    alice.save(update_fields=["real_name"])
    _content, rows = export_as(client, admin_user, partner=alice.pk, state="matched")
    assert rows[1][1] == "'=HYPERLINK(1)"


# ── API ──────────────────────────────────────────────────────────────────────


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_the_api_lists_with_counts_for_admins(admin_user, states):
    response = api_as(admin_user).get(API, {"state": "confirmed"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert {row["order_no"] for row in data["results"]} == {
        states["confirmed"].order_no,
        states["bob_confirmed"].order_no,
    }
    assert data["counts"]["unmatched"] == 2
    row = next(r for r in data["results"] if r["order_no"] == states["confirmed"].order_no)
    assert row["reconciliation"] == "confirmed"
    assert row["total_amount"] == "200.00" and row["platform_amount"] == "200.00"
    assert row["county"] == states["confirmed"].county.code
    assert len(row["platform_order_nos"]) == 1


def test_the_api_is_scoped_for_county_staff(carol, dave, county_a, county_b, states):
    rows = api_as(carol).get(API).json()["results"]
    assert {r["county"] for r in rows} == {county_a.code}
    assert api_as(carol).get(API, {"county": county_b.code}).status_code == 404
    rows = api_as(dave).get(API, {"county": county_b.code, "month": "2026-10"}).json()["results"]
    assert [r["order_no"] for r in rows] == [states["bob_confirmed"].order_no]


def test_the_api_refuses_partners_and_bad_filters(alice, admin_user, states):
    assert api_as(alice.user).get(API).status_code == 403
    assert APIClient().get(API).status_code in (401, 403)
    response = api_as(admin_user).get(API, {"month": "2026-13-01", "state": "lost"})
    assert response.status_code == 400
    assert set(response.json()) == {"month", "state"}
    response = api_as(admin_user).get(API, {"month": "9999-12", "partner": str(2**40)})
    assert response.status_code == 400
    assert set(response.json()) == {"month", "partner"}
    assert api_as(admin_user).get(API, {"month": "2026-00"}).status_code == 400


def test_the_api_makes_no_query_per_row(admin_user, states, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert api_as(admin_user).get(API).status_code == 200


# ── The county dashboard: share of sales confirmed by the platform ───────────


def test_the_confirmed_share_of_the_period_in_one_query(county_a, states, django_assert_num_queries):
    october = Period(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    with django_assert_num_queries(1):
        share, previous = platform_confirmed_shares(county_a, october)
    # County A paid 120 + 130 + 200 + 300 + 140 + 150 = 1,040 in October; 200 confirmed.
    assert share == pytest.approx(200 / 1040)
    assert previous is None  # nothing paid in September


def test_the_county_dashboard_page_and_api_show_the_share(client, carol, county_a, states):
    params = {"from": "2026-10-01", "to": "2026-10-31"}
    client.cookies["django_language"] = "en"
    client.force_login(carol)
    page = client.get(reverse("dashboards:county", args=[county_a.code]), params).content.decode()
    assert 'data-kpi="platform_confirmed_share"' in page
    assert "19.2% of sales" in page
    data = api_as(carol).get(f"/api/v1/counties/{county_a.code}/dashboard/", params).json()
    assert data["platform_confirmed_share"] == pytest.approx(200 / 1040)


# ── The command ──────────────────────────────────────────────────────────────


def test_reconcile_orders_by_hand_takes_what_changed_or_everything(alice, appliances):
    from django.core.management import call_command
    from django.utils import timezone

    # given an order the platform knows as paid, reconciled
    order = paid_order(alice, appliances, "100.00")
    number = with_record(order, status=PlatformStatus.PAID)
    out = io.StringIO()
    call_command("reconcile_orders", stdout=out)
    assert "Reconciled 1 order(s), 1 changed" in out.getvalue()
    assert "Matched: 1" in out.getvalue()
    assert state_of(order) == "matched"
    # when the platform confirms it, the next run by hand takes that order alone
    platform_says(
        number, status=PlatformStatus.CONFIRMED, at=timezone.now(), amount=order.total_amount, confirmed_at=NOVEMBER
    )
    out = io.StringIO()
    call_command("reconcile_orders", stdout=out)
    assert "Reconciled 1 order(s), 1 changed" in out.getvalue()
    assert state_of(order) == "confirmed"
    # and --all looks at every order again, changing nothing
    out = io.StringIO()
    call_command("reconcile_orders", "--all", stdout=out)
    assert "Reconciled 1 order(s), 0 changed" in out.getvalue()
    assert "Confirmed: 1" in out.getvalue()
