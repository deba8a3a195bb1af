"""The review from outside: ``/api/v1/flags/`` and ``/review/`` through the HTTP layer —
the fields and filters, decisions (a reason required, a second decision 409, nothing
half-written on a bad request), scoping (county staff see their counties only, another
county's flag is a 404, partners 403), bulk clear and CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from integrity.checks import check_day
from integrity.models import Flag
from orders.models import Order
from orders.selectors import with_review_state
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, VillagerFactory
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)
FIELDS = {
    "id",
    "order",
    "order_no",
    "county",
    "partner",
    "rule",
    "severity",
    "detail",
    "status",
    "created_at",
    "reviewed_by",
    "reviewed_at",
    "reason",
}


@pytest.fixture
def flags(alice, bob):
    """The checks of DAY flag a bulk purchase of alice's (county A) and of bob's (county B),
    and a pickup of bob's an hour after payment; alice's clean order has none."""
    goods = CategoryFactory(slug="daily-goods")
    made = {}
    for name, partner, quantity in (("a_bulk", alice, 60), ("a_clean", alice, 2), ("b_bulk", bob, 80)):
        made[name] = make_order(
            partner=partner,
            villager=VillagerFactory(partner=partner),
            lines=[(goods, quantity, Decimal("10.00"))],
            paid_at=shanghai(DAY, 9),
        )
    fast = make_order(
        partner=bob,
        villager=VillagerFactory(partner=bob),
        lines=[(goods, 1, Decimal("10.00"))],
        paid_at=shanghai(DAY, 8),
    )
    Order.objects.filter(pk=fast.pk).update(status="picked_up", picked_up_at=shanghai(DAY, 9))
    made["b_fast"] = fast
    check_day(DAY)
    found = {(f.order_id, f.rule): f for f in Flag.objects.all()}
    assert set(found) == {
        (made["a_bulk"].pk, "bulk_quantity"),
        (made["b_bulk"].pk, "bulk_quantity"),
        (fast.pk, "too_fast"),
    }
    return {
        "a_bulk": found[(made["a_bulk"].pk, "bulk_quantity")],
        "b_bulk": found[(made["b_bulk"].pk, "bulk_quantity")],
        "b_fast": found[(fast.pk, "too_fast")],
        "orders": made,
    }


def api(client, user, language="en"):
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def review(client, flag_id: int, body: dict):
    return client.post(f"/api/v1/flags/{flag_id}/review/", body, content_type="application/json")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# ── reading ──────────────────────────────────────────────────────────────────


def test_a_flag_has_every_field_and_its_evidence_in_words(client, carol, alice, flags):
    response = api(client, carol).get("/api/v1/flags/")
    [row] = response.json()["results"]
    assert set(row) == FIELDS
    order = flags["orders"]["a_bulk"]
    assert (row["order"], row["order_no"], row["county"], row["partner"]) == (
        order.pk,
        order.order_no,
        "410225",
        alice.pk,
    )
    assert (row["rule"], row["severity"], row["status"]) == ("bulk_quantity", "medium", "open")
    assert row["detail"].startswith("quantity 60 of ")
    assert row["detail"].endswith(" on an assisted purchase (limit 50)")
    assert (row["reviewed_by"], row["reviewed_at"], row["reason"]) == (None, None, "")


def test_the_detail_follows_the_request_language(client, carol, flags):
    row = api(client, carol, "zh-hans").get(f"/api/v1/flags/{flags['a_bulk'].pk}/").json()
    english = api(client, carol, "en").get(f"/api/v1/flags/{flags['a_bulk'].pk}/").json()
    assert "quantity 60" in english["detail"]
    assert row["detail"] != english["detail"] and "60" in row["detail"]


def test_filters_by_status_rule_county_and_partner(client, admin_user, bob, flags):
    admin = api(client, admin_user)
    every = {flags[k].pk for k in ("a_bulk", "b_bulk", "b_fast")}
    assert ids(admin.get("/api/v1/flags/")) == every
    assert ids(admin.get("/api/v1/flags/?rule=bulk_quantity")) == {flags["a_bulk"].pk, flags["b_bulk"].pk}
    assert ids(admin.get("/api/v1/flags/?county=610431")) == {flags["b_bulk"].pk, flags["b_fast"].pk}
    assert ids(admin.get(f"/api/v1/flags/?partner={bob.pk}&rule=too_fast")) == {flags["b_fast"].pk}
    assert ids(admin.get("/api/v1/flags/?status=confirmed")) == set()
    review(admin, flags["b_fast"].pk, {"decision": "confirm", "reason": "pickup faked"})
    assert ids(admin.get("/api/v1/flags/?status=confirmed")) == {flags["b_fast"].pk}
    assert ids(admin.get("/api/v1/flags/?status=open")) == {flags["a_bulk"].pk, flags["b_bulk"].pk}


def test_a_bad_filter_is_a_400_naming_the_field(client, admin_user, flags):
    response = api(client, admin_user).get("/api/v1/flags/?status=maybe&rule=nope&partner=x")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "rule", "partner"}
    assert "open" in response.json()["status"][0]


def test_county_staff_see_their_counties_flags_only(client, carol, dave, flags):
    assert ids(api(client, carol).get("/api/v1/flags/")) == {flags["a_bulk"].pk}
    assert ids(api(client, carol).get("/api/v1/flags/?county=610431")) == set()
    assert ids(api(client, dave).get("/api/v1/flags/")) == {flags["b_bulk"].pk, flags["b_fast"].pk}
    response = api(client, carol).get(f"/api/v1/flags/{flags['b_bulk'].pk}/")
    assert response.status_code == 404 and "No flag" in response.json()["detail"]


def test_partners_get_403_and_no_flag(client, alice, flags):
    response = api(client, alice.user).get("/api/v1/flags/")
    assert response.status_code == 403 and "results" not in response.json()
    assert api(client, alice.user).get(f"/api/v1/flags/{flags['a_bulk'].pk}/").status_code == 403


# ── deciding ─────────────────────────────────────────────────────────────────


def test_confirming_a_flag_records_who_when_and_why(client, carol, flags):
    flag = flags["a_bulk"]
    response = review(
        api(client, carol),
        flag.pk,
        {"decision": "confirm", "reason": "县里核实：未发生"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["reviewed_by"], body["reason"]) == ("confirmed", "carol", "县里核实：未发生")
    assert body["reviewed_at"] is not None
    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_by.username, flag.reason) == ("confirmed", "carol", "县里核实：未发生")


def test_a_flag_reviewed_already_is_a_409_and_stays_as_it_was(client, carol, flags):
    flag = flags["a_bulk"]
    staff = api(client, carol)
    assert review(staff, flag.pk, {"decision": "clear", "reason": "family"}).status_code == 200
    again = review(staff, flag.pk, {"decision": "confirm", "reason": "changed my mind"})
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["status"]) == ("already_reviewed", "cleared")
    flag.refresh_from_db()
    assert (flag.status, flag.reason) == ("cleared", "family")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "confirm"}, "reason"),
        ({"decision": "confirm", "reason": "   "}, "reason"),
        ({"decision": "confirm", "reason": "x" * 1001}, "reason"),
        ({"decision": "approve", "reason": "why not"}, "decision"),
        ({"reason": "no decision"}, "decision"),
    ],
)
def test_a_bad_decision_is_a_400_naming_the_field_and_changes_nothing(client, carol, flags, body, field):
    flag = flags["a_bulk"]
    response = review(api(client, carol), flag.pk, body)
    assert response.status_code == 400
    assert field in response.json() and response.json()[field]
    flag.refresh_from_db()
    assert (flag.status, flag.reviewed_at, flag.reason) == ("open", None, "")


def test_another_countys_flag_cannot_be_reviewed(client, carol, alice, flags):
    flag = flags["b_bulk"]
    response = review(api(client, carol), flag.pk, {"decision": "clear", "reason": "ok"})
    assert response.status_code == 404
    assert review(api(client, alice.user), flag.pk, {"decision": "clear", "reason": "ok"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open"


def test_clearing_the_last_open_flag_lifts_under_review(client, admin_user, flags):
    order = flags["orders"]["b_bulk"]

    def under_review() -> bool:
        return with_review_state(Order.objects.filter(pk=order.pk)).get().under_review

    assert under_review()
    review(api(client, admin_user), flags["b_bulk"].pk, {"decision": "clear", "reason": "ok"})
    assert not under_review()


# ── the review page ──────────────────────────────────────────────────────────


def page(client, user, path, **kwargs):
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client.get(path, **kwargs)


def test_the_review_page_lists_the_staffs_county_only(client, carol, flags):
    response = page(client, carol, reverse("review:list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert flags["orders"]["a_bulk"].order_no in text
    assert flags["orders"]["b_bulk"].order_no not in text and flags["orders"]["b_fast"].order_no not in text


def test_another_countys_flag_page_is_a_404_and_its_decision_too(client, carol, flags):
    other = flags["b_bulk"]
    assert page(client, carol, reverse("review:detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("review:decide", args=[other.pk]), {"decision": "confirm", "reason": "x"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "open"
    own = page(client, carol, reverse("review:detail", args=[flags["a_bulk"].pk]))
    assert own.status_code == 200 and flags["orders"]["a_bulk"].order_no in own.content.decode()


def test_partners_never_reach_the_review_page(client, alice, flags):
    for path in (reverse("review:list"), reverse("review:detail", args=[flags["a_bulk"].pk]), reverse("review:export")):
        response = page(client, alice.user, path)
        assert response.status_code in (302, 403), path
        assert flags["orders"]["a_bulk"].order_no not in response.content.decode()


def test_a_decision_without_a_reason_shows_the_form_error_and_changes_nothing(client, carol, flags):
    flag = flags["a_bulk"]
    page(client, carol, reverse("review:list"))
    response = client.post(reverse("review:decide", args=[flag.pk]), {"decision": "confirm", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for your decision." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "open"


def test_bulk_clear_clears_one_rule_in_the_staffs_counties_only(client, admin_user, carol, flags):
    page(client, carol, reverse("review:list"))
    response = client.post(reverse("review:bulk_clear"), {"rule": "bulk_quantity", "reason": "county order"})
    assert response.status_code == 302
    statuses = {key: Flag.objects.get(pk=flags[key].pk).status for key in ("a_bulk", "b_bulk", "b_fast")}
    assert statuses == {"a_bulk": "cleared", "b_bulk": "open", "b_fast": "open"}
    response = client.post(
        reverse("review:bulk_clear"), {"rule": "bulk_quantity", "county": "610431", "reason": "county order"}
    )
    assert response.status_code == 404
    assert Flag.objects.get(pk=flags["b_bulk"].pk).status == "open"


def test_the_csv_holds_the_visible_flags(client, carol, flags):
    response = page(client, carol, reverse("review:export") + "?status=")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    order_nos = {cell for row in rows[1:] for cell in row}
    assert flags["orders"]["a_bulk"].order_no in order_nos
    assert flags["orders"]["b_bulk"].order_no not in order_nos
    assert len(rows) == 2


def test_the_review_page_shows_the_partners_history_before_the_order(client, carol, alice, flags):
    """The figures count alice's orders in the 30 days before the flagged one (not the
    flagged one, not later ones, not older ones); the list shows the window up to it."""
    goods = CategoryFactory(slug="more-goods")

    def placed(days_before: int, amount: str):
        at = shanghai(DAY, 9) - dt.timedelta(days=days_before)
        return make_order(
            partner=alice,
            villager=VillagerFactory(partner=alice),
            lines=[(goods, 1, Decimal(amount))],
            paid_at=at + dt.timedelta(hours=1),
            placed_at=at,
        )

    flagged_order = flags["orders"]["a_bulk"]
    Order.objects.filter(pk=flags["orders"]["a_clean"].pk).delete()  # placed at the same moment
    before = placed(5, "70.00")
    older = placed(40, "900.00")
    later = placed(-1, "800.00")
    response = page(client, carol, reverse("review:detail", args=[flags["a_bulk"].pk]))
    history = response.context["history"]
    assert (history.orders, history.sales) == (1, Decimal("70.00"))
    assert [o.pk for o in history.recent_orders] == [flagged_order.pk, before.pk]
    html = response.content.decode()
    assert "1 orders in the 30 days before this one (¥70.00 paid sales" in html
    assert older.order_no not in html and later.order_no not in html
