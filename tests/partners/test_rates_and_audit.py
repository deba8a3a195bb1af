"""Effective-dated commission rates (future editable, past refused) and the audit trail
of partners and rates, visible to admins on the object's admin page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from partners.models import CommissionRate, IncentiveTier
from tests.support.factories import CategoryFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def category():
    return CategoryFactory(slug="appliances")


def test_a_new_rate_cannot_start_in_the_past(category):
    rate = CommissionRate(category=category, rate=Decimal("0.0300"), effective_from=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        rate.full_clean()
    assert "effective_from" in refused.value.message_dict


def test_a_future_rate_may_be_edited(category):
    rate = CommissionRate.objects.create(
        category=category, rate=Decimal("0.0300"), effective_from=TODAY + dt.timedelta(days=5)
    )
    rate.rate = Decimal("0.0350")
    rate.full_clean()
    rate.save()
    assert CommissionRate.objects.get(pk=rate.pk).rate == Decimal("0.0350")


def test_a_rate_in_force_cannot_be_rewritten(category):
    rate = CommissionRate.objects.create(
        category=category, rate=Decimal("0.0300"), effective_from=TODAY - dt.timedelta(days=30)
    )
    rate.rate = Decimal("0.0500")
    with translation.override("en"), pytest.raises(ValidationError, match="already in force"):
        rate.full_clean()


def test_admin_refuses_a_past_rate_with_a_message(client, admin_user, category):
    client.force_login(admin_user)
    response = client.post(
        "/admin/partners/commissionrate/add/",
        {"category": category.pk, "rate": "0.0300", "effective_from": (TODAY - dt.timedelta(days=2)).isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "A new rate starts today or later" in response.content.decode()
    assert not CommissionRate.objects.exists()


def test_admin_shows_an_in_force_rate_read_only_and_not_deletable(client, admin_user, category):
    rate = CommissionRate.objects.create(category=category, rate=Decimal("0.0300"), effective_from=TODAY)
    client.force_login(admin_user)
    page = client.get(f"/admin/partners/commissionrate/{rate.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="rate"' not in page
    assert client.post(f"/admin/partners/commissionrate/{rate.pk}/delete/", {"post": "yes"}).status_code == 403


def test_partner_changes_are_audited_with_who_and_what(client, admin_user, alice):
    # when: an admin corrects a partner's occupation in the admin
    client.force_login(admin_user)
    alice.previous_occupation = "小卖部店主"
    alice._change_reason = "typo"
    alice.save()
    tier = IncentiveTier.objects.create(min_monthly_sales=Decimal("50000"), bonus=Decimal("500"))
    tier.bonus = Decimal("600")
    tier.save()
    # then: the history keeps both versions; the admin history page lists them
    versions = list(alice.history.order_by("history_date"))
    assert [v.previous_occupation for v in versions][-1] == "小卖部店主"
    delta = versions[-1].diff_against(versions[-2])
    assert [change.field for change in delta.changes] == ["previous_occupation"]
    assert [v.bonus for v in tier.history.order_by("history_date")] == [Decimal("500.00"), Decimal("600.00")]
    page = client.get(f"/admin/partners/partner/{alice.pk}/history/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "小卖部店主" in page.content.decode() or "Changed" in page.content.decode()


def test_changes_through_a_request_record_the_user(client, admin_user, alice):
    client.force_login(admin_user)
    data = {
        "real_name": "王爱丽",
        "phone": alice.phone,
        "village": alice.village_id,
        "previous_occupation": "村医",
        "motivation": "",
        "service_point_address": "",
        "applied_at_0": "2025-01-01",
        "applied_at_1": "10:00:00",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/partners/partner/{alice.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert alice.history.latest("history_date").history_user == admin_user
