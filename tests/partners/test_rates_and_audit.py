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


def _partner_form(partner, **changes) -> dict:
    applied_at = timezone.localtime(partner.applied_at)
    return {
        "real_name": partner.real_name,
        "phone": partner.phone,
        "village": partner.village_id,
        "previous_occupation": partner.previous_occupation,
        "motivation": partner.motivation,
        "service_point_address": partner.service_point_address,
        "applied_at_0": applied_at.strftime("%Y-%m-%d"),
        "applied_at_1": applied_at.strftime("%H:%M:%S"),
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        **changes,
    }


def test_partner_rate_and_tier_changes_in_the_admin_are_audited_with_who_and_what(client, admin_user, alice, category):
    rate = CommissionRate.objects.create(
        category=category, rate=Decimal("0.0300"), effective_from=TODAY + dt.timedelta(days=5)
    )
    tier = IncentiveTier.objects.create(min_monthly_sales=Decimal("50000"), bonus=Decimal("500"))
    alice.applied_at = alice.applied_at.replace(microsecond=0)  # what the admin's form sends back
    alice.save()
    before = {obj: obj.history.count() for obj in (alice, rate, tier)}
    client.force_login(admin_user)
    # when: an admin corrects a partner's occupation, a future rate and a tier in the admin
    edits = [
        (f"/admin/partners/partner/{alice.pk}/change/", _partner_form(alice, previous_occupation="小卖部店主")),
        (
            f"/admin/partners/commissionrate/{rate.pk}/change/",
            {"category": category.pk, "rate": "0.0350", "effective_from": rate.effective_from.isoformat()},
        ),
        (f"/admin/partners/incentivetier/{tier.pk}/change/", {"min_monthly_sales": "50000.00", "bonus": "600.00"}),
    ]
    for url, data in edits:
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.content.decode()[:2000])
    # then: each keeps both versions, the new one by the admin, changing only what was edited
    for obj, field, new in [
        (alice, "previous_occupation", "小卖部店主"),
        (rate, "rate", Decimal("0.0350")),
        (tier, "bonus", Decimal("600.00")),
    ]:
        versions = list(obj.history.order_by("history_date"))
        assert len(versions) == before[obj] + 1, obj
        assert (getattr(versions[-1], field), versions[-1].history_user) == (new, admin_user)
        assert [change.field for change in versions[-1].diff_against(versions[-2]).changes] == [field]
    # and the partner's admin history page names who changed it
    page = client.get(f"/admin/partners/partner/{alice.pk}/history/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<a href="/admin/auth/user/{admin_user.pk}/change/">{admin_user.username}</a>' in page
    assert "小卖部店主" in page or "Changed" in page


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
