"""Monthly sales targets (issue 17, item 6): set by admins and the county staff of the
partner's county on /partners/<id>/ and through PUT /api/v1/partners/{id}/targets/{YYYY-MM}/;
progress on the partner's home; the county dashboard lists partners under half their
target after the 20th."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from analytics import rollups
from analytics.partner_performance import partners_behind_target
from partners.models import CommissionRate, PartnerTarget
from partners.targets import partner_target_set
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, PartnerFactory, VillageFactory, VillagerFactory
from tests.support.orders import make_order

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def target_url(partner, month="2025-07"):
    return f"/api/v1/partners/{partner.pk}/targets/{month}/"


# ── Scope ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("actor", "status"), [("admin", 200), ("carol", 200), ("dave", 404), ("alice", 403), ("bob", 403), (None, 401)]
)
def test_who_may_set_a_target_through_the_api(alice, bob, carol, dave, admin_user, actor, status):
    user = {"admin": admin_user, "carol": carol, "dave": dave, "alice": alice.user, "bob": bob.user, None: None}[actor]
    # when
    response = api(user).put(target_url(alice), {"sales_target": "30000.00"}, format="json")
    # then
    assert response.status_code == status
    saved = PartnerTarget.objects.filter(partner=alice, month=dt.date(2025, 7, 1))
    assert saved.exists() == (status == 200)
    if status == 200:
        assert response.json()["sales_target"] == "30000.00" and response.json()["month"] == "2025-07"
        assert saved.get().set_by == user


@pytest.mark.parametrize(
    ("actor", "status"), [("admin", 302), ("carol", 302), ("dave", 404), ("alice", 404), ("bob", 404)]
)
def test_who_may_set_a_target_on_the_partners_page(client, alice, bob, carol, dave, admin_user, actor, status):
    user = {"admin": admin_user, "carol": carol, "dave": dave, "alice": alice.user, "bob": bob.user}[actor]
    client.force_login(user)
    # when
    response = client.post(f"/partners/{alice.pk}/", {"month": "2025-08", "sales_target": "12000"})
    # then
    assert response.status_code == status
    assert PartnerTarget.objects.filter(partner=alice, month=dt.date(2025, 8, 1)).exists() == (status == 302)


def test_setting_the_month_again_changes_its_one_target(alice, carol, admin_user):
    api(carol).put(target_url(alice), {"sales_target": "30000.00"}, format="json")
    response = api(admin_user).put(target_url(alice), {"sales_target": "45000.50"}, format="json")
    assert response.status_code == 200
    target = PartnerTarget.objects.get(partner=alice)
    assert (target.sales_target, target.set_by) == (Decimal("45000.50"), admin_user)


# ── Bad values ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "body",
    [
        {"sales_target": "0"},
        {"sales_target": "-5"},
        {"sales_target": "abc"},
        {},
        {"sales_target": "1.234"},
        {"sales_target": ["1"]},
        {"sales_target": "1" * 30},
        {"sales_target": "NaN"},
        {"sales_target": None},
    ],
)
def test_a_bad_target_is_a_field_error(alice, carol, body):
    response = api(carol).put(target_url(alice), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["sales_target"]
    assert not PartnerTarget.objects.exists()


@pytest.mark.parametrize("month", ["2025-13", "2025-00", "25-07", "2025-7", "abcd-ef", "1999-01"])
def test_a_bad_month_is_a_field_error(alice, carol, month):
    response = api(carol).put(target_url(alice, month), {"sales_target": "100"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["month"]


def test_the_page_form_answers_a_bad_value_in_place(client, alice, carol):
    client.cookies["django_language"] = "en"
    client.force_login(carol)
    response = client.post(f"/partners/{alice.pk}/", {"month": "2025-13", "sales_target": "-1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="month"' in html and 'data-field="sales_target"' in html
    assert not PartnerTarget.objects.exists()


def test_the_database_refuses_a_target_that_is_not_positive_or_not_a_first_day(alice):
    for month, amount in ((dt.date(2025, 7, 1), Decimal("0")), (dt.date(2025, 7, 2), Decimal("10"))):
        with pytest.raises(IntegrityError), transaction.atomic():
            PartnerTarget.objects.create(partner=alice, month=month, sales_target=amount)


def test_the_service_sets_the_first_day_of_the_month(alice, carol):
    target = partner_target_set(partner=alice, month=dt.date(2025, 9, 17), sales_target=Decimal("10"), by_user=carol)
    assert target.month == dt.date(2025, 9, 1)


# ── Progress ─────────────────────────────────────────────────────────────────


@pytest.fixture
def june(alice, clock):
    """Alice sold ¥1,500 (net) in June 2025 so far, with a ¥6,000 target."""
    clock(shanghai(dt.date(2025, 6, 22), 10))
    category = CategoryFactory(slug="phones-digital")
    CommissionRate.objects.create(category=category, rate=Decimal("0.0300"), effective_from=dt.date(2020, 1, 1))
    villager = VillagerFactory(partner=alice, phone="13911112222")
    make_order(
        partner=alice,
        villager=villager,
        lines=[(category, 1, Decimal("1500.00"))],
        paid_at=shanghai(dt.date(2025, 6, 5)),
    )
    make_order(
        partner=alice,
        villager=villager,
        lines=[(category, 1, Decimal("400.00"))],
        paid_at=shanghai(dt.date(2025, 6, 6)),
        returned_at=shanghai(dt.date(2025, 6, 9)),
    )
    PartnerTarget.objects.create(partner=alice, month=dt.date(2025, 6, 1), sales_target=Decimal("6000.00"))
    rollups.run_rollups([dt.date(2025, 6, d) for d in (5, 6, 9)], trigger="test", full=True)
    return category


def test_the_partner_sees_their_progress_at_home(client, alice, june):
    client.cookies["django_language"] = "en"
    client.force_login(alice.user)
    # when
    html = client.get("/partner/").content.decode()
    # then: ¥1,500 of ¥6,000 is 25 %
    assert 'id="month-target"' in html
    assert 'aria-valuenow="25"' in html
    assert "(25 %)" in html


def test_no_target_no_card(client, alice, clock):
    clock(shanghai(dt.date(2025, 6, 22), 10))
    client.force_login(alice.user)
    assert 'id="month-target"' not in client.get("/partner/").content.decode()


def test_the_county_dashboard_lists_partners_under_half_their_target_after_the_20th(
    client, alice, carol, county_a, june, clock
):
    # given: a second partner of county A at 2/3 of a target, one in county B far behind
    doing_well = PartnerFactory(active=True, village=VillageFactory(county=county_a, name="好村"))
    make_order(
        partner=doing_well,
        villager=VillagerFactory(partner=doing_well, phone="13933334444"),
        lines=[(june, 1, Decimal("2000.00"))],
        paid_at=shanghai(dt.date(2025, 6, 5), 15),
    )
    PartnerTarget.objects.create(partner=doing_well, month=dt.date(2025, 6, 1), sales_target=Decimal("3000.00"))
    rollups.run_rollups([dt.date(2025, 6, 5)], trigger="test", full=True)
    elsewhere = PartnerFactory(active=True)
    PartnerTarget.objects.create(partner=elsewhere, month=dt.date(2025, 6, 1), sales_target=Decimal("99999.00"))
    client.force_login(carol)
    # when
    html = client.get(f"/dashboard/county/{county_a.code}/").content.decode()
    # then
    assert 'id="partners-behind-target"' in html
    section = html.split('id="partners-behind-target"')[1].split("</section>")[0]
    assert f'data-partner="{alice.pk}"' in section
    assert f'data-partner="{doing_well.pk}"' not in section
    assert f'data-partner="{elsewhere.pk}"' not in section
    behind = partners_behind_target(county_a)
    assert [(b.partner_id, b.sales, b.target, b.percent) for b in behind] == [
        (alice.pk, Decimal("1500.00"), Decimal("6000.00"), 25)
    ]


def test_before_the_21st_nobody_is_listed(client, alice, carol, county_a, june, clock):
    clock(shanghai(dt.date(2025, 6, 20), 23))
    client.force_login(carol)
    assert partners_behind_target(county_a) == []
    assert 'id="partners-behind-target"' not in client.get(f"/dashboard/county/{county_a.code}/").content.decode()
