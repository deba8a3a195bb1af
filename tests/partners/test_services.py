"""The onboarding workflow service: every legal and illegal transition, activation, suspension."""

from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from counties.models import ServicePoint
from partners.models import PARTNER_TRANSITIONS, Partner, PartnerStatus, PartnerStatusChange
from partners.services import (
    PartnerTransitionError,
    partner_apply,
    partner_transition,
    partner_update,
)
from rural_taobao.phones import normalize_phone
from tests.support.factories import OrderFactory, PartnerFactory, ServicePointFactory, UserFactory, VillageFactory
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(from_status, to_status) for from_status in PartnerStatus.values for to_status in PartnerStatus.values]
LEGAL = [(f, t) for f, t in ALL_PAIRS if t in PARTNER_TRANSITIONS[f]]
ILLEGAL = [(f, t) for f, t in ALL_PAIRS if t not in PARTNER_TRANSITIONS[f]]


def test_the_table_covers_every_status():
    assert set(PARTNER_TRANSITIONS) == set(PartnerStatus.values)
    assert len(LEGAL) == 13  # issue 17: training → failed, approved | training → withdrawn


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_every_legal_transition_is_applied_and_recorded(from_status, to_status, admin_user):
    # given
    partner = partner_in(from_status)
    history_before = PartnerStatusChange.objects.filter(partner=partner).count()
    # when
    moved = partner_transition(partner_id=partner.pk, to_status=to_status, by_user=admin_user, reason="because")
    # then
    partner.refresh_from_db()
    assert moved.status == partner.status == to_status
    change = PartnerStatusChange.objects.filter(partner=partner).latest("id")
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        from_status,
        to_status,
        admin_user,
        "because",
    )
    assert change.changed_at == partner.status_changed_at
    assert PartnerStatusChange.objects.filter(partner=partner).count() == history_before + 1
    if to_status == PartnerStatus.ACTIVE:
        assert partner.user.is_active and partner.service_point is not None and partner.activated_at
    if to_status == PartnerStatus.SUSPENDED:
        assert partner.user.is_active is False
    if to_status == PartnerStatus.EXITED:
        # an exited partner keeps the login to read their income for a year; one exited
        # while suspended stays locked out
        assert partner.user.is_active is (from_status != PartnerStatus.SUSPENDED)
    assert (partner.exited_at is not None) == (to_status == PartnerStatus.EXITED)


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(from_status, to_status, admin_user):
    # given
    partner = partner_in(from_status)
    history_before = PartnerStatusChange.objects.filter(partner=partner).count()
    # when
    with pytest.raises(PartnerTransitionError) as refused:
        partner_transition(partner_id=partner.pk, to_status=to_status, by_user=admin_user, reason="because")
    # then
    assert refused.value.code == "illegal_transition"
    partner.refresh_from_db()
    assert partner.status == from_status
    assert PartnerStatusChange.objects.filter(partner=partner).count() == history_before


@pytest.mark.parametrize("to_status", [PartnerStatus.REJECTED])
def test_rejecting_without_a_reason_is_refused(to_status, admin_user):
    partner = partner_in(PartnerStatus.REVIEWING)
    with pytest.raises(ValidationError) as refused:
        partner_transition(partner_id=partner.pk, to_status=to_status, by_user=admin_user, reason="   ")
    assert "reason" in refused.value.message_dict
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.REVIEWING


@pytest.mark.parametrize("to_status", [PartnerStatus.SUSPENDED, PartnerStatus.EXITED])
def test_suspending_or_exiting_needs_a_reason(to_status, alice, admin_user):
    with pytest.raises(ValidationError):
        partner_transition(partner_id=alice.pk, to_status=to_status, by_user=admin_user)
    alice.refresh_from_db()
    assert alice.status == PartnerStatus.ACTIVE and alice.user.is_active


def test_a_stale_transition_is_refused(admin_user):
    # given: the admin saw "applied", someone else has moved the partner on since
    partner = partner_in(PartnerStatus.REVIEWING)
    # when / then
    with pytest.raises(PartnerTransitionError) as refused:
        partner_transition(
            partner_id=partner.pk,
            to_status=PartnerStatus.REVIEWING,
            by_user=admin_user,
            expected_status=PartnerStatus.APPLIED,
        )
    assert refused.value.code == "stale"


def test_an_unknown_partner_raises_does_not_exist(admin_user):
    with pytest.raises(Partner.DoesNotExist):
        partner_transition(partner_id=999999, to_status=PartnerStatus.REVIEWING, by_user=admin_user)


def test_an_unknown_status_is_refused(admin_user):
    partner = partner_in(PartnerStatus.APPLIED)
    with pytest.raises(PartnerTransitionError):
        partner_transition(partner_id=partner.pk, to_status="promoted", by_user=admin_user)


# ── Activation ───────────────────────────────────────────────────────────────


def test_activation_creates_a_login_without_password_and_a_service_point(admin_user, village_a):
    # given
    partner = partner_in(PartnerStatus.TRAINING, village=village_a, service_point_address="村委会东侧 12 号")
    # when
    partner_transition(partner_id=partner.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    # then
    partner.refresh_from_db()
    user = partner.user
    assert user.username == partner.phone
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["partner"]
    assert partner.service_point.village == village_a
    assert partner.service_point.address == "村委会东侧 12 号"
    assert partner.activated_at == partner.status_changed_at


def test_activation_names_a_default_service_point_after_the_village(admin_user, village_a):
    partner = partner_in(PartnerStatus.TRAINING, village=village_a)
    partner_transition(partner_id=partner.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    assert ServicePoint.objects.get(village=village_a).address == "东坝头村服务站"


def test_activation_takes_over_the_villages_existing_service_point_and_reopens_it(admin_user, village_a):
    # given: the village's station, closed when its last partner left
    station = ServicePointFactory(village=village_a, address="老站", opened_on="2020-01-01", closed_on="2024-01-01")
    partner = partner_in(PartnerStatus.TRAINING, village=village_a, service_point_address="新地址")
    # when
    partner_transition(partner_id=partner.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    # then: same station, its history kept, open again
    partner.refresh_from_db()
    station.refresh_from_db()
    assert partner.service_point == station
    assert station.address == "老站" and station.closed_on is None
    assert ServicePoint.objects.filter(village=village_a).count() == 1


def test_a_second_active_partner_in_a_village_is_refused_with_the_holders_name(alice, admin_user):
    # given
    candidate = partner_in(PartnerStatus.TRAINING, village=alice.village)
    # when
    with pytest.raises(PartnerTransitionError) as refused:
        partner_transition(partner_id=candidate.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    # then: nothing half-done — no login, same status, no history row
    assert refused.value.code == "village_taken"
    assert alice.real_name in refused.value.message
    candidate.refresh_from_db()
    assert candidate.status == PartnerStatus.TRAINING and candidate.user is None
    assert not User.objects.filter(username=candidate.phone).exists()
    assert not PartnerStatusChange.objects.filter(partner=candidate, to_status=PartnerStatus.ACTIVE).exists()


def test_the_database_rule_backs_the_friendly_check(alice, admin_user):
    # given: the friendly pre-check misses the holder (as a racing transaction would)
    candidate = partner_in(PartnerStatus.TRAINING, village=alice.village)
    # when
    with (
        mock.patch("partners.services._active_partner_in_village", return_value=None),
        pytest.raises(PartnerTransitionError) as refused,
    ):
        partner_transition(partner_id=candidate.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    # then: the partial unique index refused it, reported the same way, and nothing stayed
    assert refused.value.code == "village_taken"
    assert alice.real_name in refused.value.message
    candidate.refresh_from_db()
    assert candidate.status == PartnerStatus.TRAINING
    assert not User.objects.filter(username=candidate.phone).exists()


def test_a_village_whose_partner_exited_gets_a_new_partner_on_the_same_station(alice, admin_user):
    # given
    station = alice.service_point
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.EXITED, by_user=admin_user, reason="moved")
    successor = partner_in(PartnerStatus.TRAINING, village=alice.village)
    # when
    partner_transition(partner_id=successor.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    # then
    successor.refresh_from_db()
    alice.refresh_from_db()
    assert successor.service_point == station
    assert alice.service_point == station  # history keeps who ran it


def test_a_login_with_the_phone_that_belongs_to_someone_else_is_refused(admin_user, village_a):
    partner = partner_in(PartnerStatus.TRAINING, village=village_a)
    UserFactory(username=partner.phone, is_staff=True)
    with pytest.raises(PartnerTransitionError) as refused:
        partner_transition(partner_id=partner.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    assert refused.value.code == "login_conflict"


def test_an_orphaned_login_with_the_phone_is_taken_over_without_its_old_password(admin_user, village_a):
    partner = partner_in(PartnerStatus.TRAINING, village=village_a)
    orphan = UserFactory(username=partner.phone, password="old-password-1", is_active=False)
    partner_transition(partner_id=partner.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    partner.refresh_from_db()
    assert partner.user == orphan
    assert partner.user.is_active and not partner.user.has_usable_password()


def test_reinstatement_enables_the_same_login_and_keeps_the_first_activation(alice, admin_user):
    # given
    first_activation = alice.activated_at
    alice.user.set_password("alice-pass-1")
    alice.user.save()
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.SUSPENDED, by_user=admin_user, reason="audit")
    # when
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user, reason="cleared")
    # then
    alice.refresh_from_db()
    assert alice.user.is_active and alice.user.check_password("alice-pass-1")
    assert alice.activated_at == first_activation
    assert User.objects.filter(username=alice.phone).count() == 1


# ── Suspension takes the login away at once; an exit leaves only the income ──


def test_suspension_ends_the_running_session_and_token(alice, admin_user):
    # given: alice is logged in in a browser and holds an API token
    browser = Client()
    browser.force_login(alice.user)
    assert browser.get("/").wsgi_request.user == alice.user
    token = Token.objects.create(user=alice.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    assert api.get("/api/v1/partners/me/").status_code == 200
    # when
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.SUSPENDED, by_user=admin_user, reason="complaints")
    # then: the very next request is anonymous; the token is refused; the password no longer logs in
    assert browser.get("/").wsgi_request.user.is_anonymous
    refused = api.get("/api/v1/partners/me/")
    assert refused.status_code in (401, 403)  # 403: session auth is listed first, so DRF sends no challenge
    assert refused.json()["detail"] == "Invalid token."  # deleted with the suspension
    assert not Token.objects.filter(pk=token.pk).exists()
    assert not Client().login(username=alice.user.username, password="pw-for-tests-1")


def test_an_exited_partner_keeps_the_login_but_only_for_the_income(alice, admin_user):
    # given: alice is logged in in a browser and holds an API token
    browser = Client()
    browser.force_login(alice.user)
    token = Token.objects.create(user=alice.user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    # when
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.EXITED, by_user=admin_user, reason="moved away")
    # then: still logged in, the income reads, logging orders is refused with a reason
    assert browser.get("/").wsgi_request.user == alice.user
    income_page = browser.get("/partner/income/")
    assert income_page.status_code == 200
    nav = income_page.content.decode()
    assert 'href="/partner/income/"' in nav and 'href="/partner/orders/new/"' not in nav
    assert "offline-banner" not in nav  # no offline copy of a workspace they no longer have
    assert browser.get("/partner/orders/new/").status_code == 403
    assert api.get("/api/v1/partners/me/income/").status_code == 200
    assert browser.get("/").url == "/partner/income/"
    refused = api.post("/api/v1/orders/", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Your partner account is exited: you cannot log or change orders."
    assert api.get("/api/v1/orders/").status_code == 403
    assert api.get("/api/v1/partners/me/").status_code == 403
    assert Client().login(username=alice.user.username, password="pw-for-tests-1")


def test_exit_keeps_orders_and_stamps_exited_at(alice, admin_user):
    # given
    order = OrderFactory(partner=alice)
    # when
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.EXITED, by_user=admin_user, reason="retired")
    # then
    alice.refresh_from_db()
    order.refresh_from_db()
    assert order.partner == alice
    assert alice.exited_at == alice.status_changed_at
    assert alice.user is not None


def test_suspension_does_not_stamp_exited_at(alice, admin_user):
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.SUSPENDED, by_user=admin_user, reason="audit")
    alice.refresh_from_db()
    assert alice.exited_at is None


# ── Applications and edits ───────────────────────────────────────────────────


def test_an_application_is_a_partner_in_status_applied_with_its_first_history_row(village_a):
    # when
    partner = partner_apply(real_name=" 张三 ", phone="138 0013 8000", village=village_a, motivation="帮村里买东西")
    # then
    assert (partner.real_name, partner.phone, partner.status) == ("张三", "13800138000", PartnerStatus.APPLIED)
    change = partner.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", PartnerStatus.APPLIED, None)


def test_a_phone_that_applied_already_is_told_so_not_duplicated(village_a):
    partner_apply(real_name="张三", phone="13800138000", village=village_a)
    with pytest.raises(ValidationError) as refused:
        partner_apply(real_name="张三", phone="+86 138-0013-8000", village=village_a)
    assert "already applied" in refused.value.message_dict["phone"][0]
    assert Partner.objects.count() == 1


def test_a_bad_phone_is_refused(village_a):
    with pytest.raises(ValidationError) as refused:
        partner_apply(real_name="张三", phone="12345", village=village_a)
    assert "phone" in refused.value.message_dict


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        (13800138000.0, "13800138000"),
        (None, ""),
        ("0086-138-0013-8000", "13800138000"),
    ],
)
def test_phone_normalisation(raw, clean):
    assert normalize_phone(raw) == clean


def test_editing_the_phone_of_a_partner_with_a_login_renames_the_login(alice, admin_user):
    partner_update(partner_id=alice.pk, by_user=admin_user, phone="139 1111 2222")
    alice.refresh_from_db()
    assert alice.phone == alice.user.username == "13911112222"


def test_the_status_cannot_be_edited_outside_the_workflow(alice, admin_user):
    with pytest.raises(ValidationError):
        partner_update(partner_id=alice.pk, by_user=admin_user, status=PartnerStatus.EXITED)


def test_an_active_partner_cannot_move_village(alice, admin_user):
    with pytest.raises(ValidationError) as refused:
        partner_update(partner_id=alice.pk, by_user=admin_user, village=VillageFactory(county=alice.village.county))
    assert "village" in refused.value.message_dict


def test_another_partners_phone_is_refused_on_edit(alice, bob, admin_user):
    with pytest.raises(ValidationError):
        partner_update(partner_id=alice.pk, by_user=admin_user, phone=bob.phone)


def test_partner_factory_sanity():
    assert PartnerFactory().status == PartnerStatus.APPLIED
