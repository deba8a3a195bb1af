"""New endings and second chances (issue 17, item 2): ``training → failed`` and
``approved | training → withdrawn`` with a reason; rejected, failed, withdrawn and exited
people apply again with the same phone through /apply/ after their waiting period, and the
same partner record returns to ``applied`` with its whole history."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Message
from orders.models import Order
from partners.models import Course, Partner, PartnerStatus, PartnerStatusChange, TrainingResult, TrainingSession
from partners.selectors import recruitment_funnel, recruitment_funnel_steps
from partners.services import PartnerTransitionError, partner_transition
from partners.training import missing_required_courses, passed_training
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, VillageFactory, VillagerFactory
from tests.support.orders import make_order
from tests.support.pages import page_text
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
DAY0 = dt.date(2025, 3, 1)  # the clock fixture's first day


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def village(county_a):
    return VillageFactory(county=county_a, name="东坝头村")


@pytest.fixture
def other_village(county_a):
    return VillageFactory(county=county_a, name="许河村")


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(admin_user)
    return client


def application(village, **overrides) -> dict:
    data = {
        "real_name": "刘晓燕",
        "phone": "139 1234 5678",
        "county": village.county.code,
        "village": village.pk,
        "previous_occupation": "小卖部店主",
        "motivation": "想帮乡亲们网购",
        "service_point_address": "村委会东边",
    }
    return {**data, **overrides}


def apply(village, **overrides):
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.cookies["django_language"] = "en"
    return client.post(reverse("partner_apply"), application(village, **overrides), follow=True)


def end_in(status: str, *, village, by=None, reason="原因") -> Partner:
    """A partner with PHONE walked through the real transitions to an ending."""
    path = {
        PartnerStatus.REJECTED: ["reviewing", "rejected"],
        PartnerStatus.FAILED: ["reviewing", "approved", "training", "failed"],
        PartnerStatus.WITHDRAWN: ["reviewing", "approved", "withdrawn"],
    }[status]
    now = timezone.now()  # the clock's, when a test set it
    partner = partner_in(
        "applied",
        phone=PHONE,
        village=village,
        real_name="刘晓燕",
        previous_occupation="小卖部店主",
        motivation="想帮乡亲们网购",
        service_point_address="村委会东边",
        applied_at=now,
        status_changed_at=now,
    )
    PartnerStatusChange.objects.create(partner=partner, to_status="applied", changed_at=partner.applied_at)
    for step in path:
        partner_transition(partner_id=partner.pk, to_status=step, by_user=by, reason=reason)
    partner.refresh_from_db()
    return partner


# ── The new transitions ──────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [("training", "failed"), ("approved", "withdrawn"), ("training", "withdrawn")],
)
def test_the_new_endings_are_allowed_with_a_reason(from_status, to_status, village, admin_user):
    partner = partner_in(from_status, village=village)
    # when
    moved = partner_transition(partner_id=partner.pk, to_status=to_status, by_user=admin_user, reason="两门课不及格")
    # then
    assert moved.status == to_status
    change = PartnerStatusChange.objects.get(partner=partner)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        from_status,
        to_status,
        "两门课不及格",
        admin_user,
    )


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        ("applied", "failed"),
        ("approved", "failed"),
        ("active", "failed"),
        ("applied", "withdrawn"),
        ("reviewing", "withdrawn"),
        ("active", "withdrawn"),
        ("failed", "training"),
        ("withdrawn", "approved"),
        ("rejected", "applied"),  # back to applied only through a new application
        ("exited", "applied"),
    ],
)
def test_other_moves_to_or_from_the_new_endings_are_refused(from_status, to_status, village):
    partner = partner_in(from_status, village=village)
    with pytest.raises(PartnerTransitionError):
        partner_transition(partner_id=partner.pk, to_status=to_status, by_user=None, reason="x")
    partner.refresh_from_db()
    assert partner.status == from_status


@pytest.mark.parametrize("to_status", ["failed", "withdrawn"])
def test_the_new_endings_need_a_reason(to_status, village):
    partner = partner_in("training", village=village)
    with pytest.raises(ValidationError) as error:
        partner_transition(partner_id=partner.pk, to_status=to_status, by_user=None, reason="  ")
    assert "reason" in error.value.message_dict
    partner.refresh_from_db()
    assert partner.status == "training"


@pytest.mark.parametrize(("to_status", "words"), [("failed", "未通过合伙人培训"), ("withdrawn", "已撤回")])
def test_the_applicant_is_texted_their_ending_in_one_segment(
    to_status, words, village, django_capture_on_commit_callbacks
):
    partner = partner_in("training", village=village, real_name="欧阳娜娜娜娜娜娜娜")
    with django_capture_on_commit_callbacks(execute=True):
        partner_transition(partner_id=partner.pk, to_status=to_status, by_user=None, reason="x")
    message = Message.objects.get(to=partner.phone)
    assert message.template == f"application_{to_status}"
    assert words in message.text and len(message.text) <= 70


def test_api_failed_and_withdrawn_through_the_status_endpoint(admin_api, village):
    trainee = partner_in("training", village=village)
    url = f"/api/v1/partners/{trainee.pk}/status/"
    # no reason: 400 with the field error
    response = admin_api.post(url, {"status": "failed"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    # with a reason
    response = admin_api.post(url, {"status": "failed", "reason": "考核不及格"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "failed"
    # failed is an ending: nothing further
    response = admin_api.post(url, {"status": "withdrawn", "reason": "x"}, format="json")
    assert response.status_code == 409
    approved = partner_in("approved", village=village)
    response = admin_api.post(
        f"/api/v1/partners/{approved.pk}/status/", {"status": "withdrawn", "reason": "外出打工"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    response = admin_api.post(
        f"/api/v1/partners/{partner_in('reviewing', village=village).pk}/status/",
        {"status": "withdrawn", "reason": "x"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"


def test_the_onboarding_page_fails_and_withdraws_with_a_reason(admin_client_en, village):
    trainee = partner_in("training", village=village)
    detail = reverse("onboarding:detail", args=[trainee.pk])
    page = admin_client_en.get(detail)
    html = page.content.decode()
    assert 'id="form-failed"' in html and 'id="form-withdrawn"' in html
    # when: failed without a reason
    url = reverse("onboarding:transition", args=[trainee.pk])
    response = admin_client_en.post(
        url, {"to_status": "failed", "expected_status": "training", "reason": ""}, follow=True
    )
    # then: the form's message, nothing changed
    assert "Give a reason for this change." in page_text(response)
    trainee.refresh_from_db()
    assert trainee.status == "training"
    # when: with a reason
    response = admin_client_en.post(
        url, {"to_status": "failed", "expected_status": "training", "reason": "实操考核未通过"}, follow=True
    )
    trainee.refresh_from_db()
    assert trainee.status == "failed"
    history = re.search(r'<table id="status-history">.*?</table>', response.content.decode(), re.S).group(0)
    assert 'data-to="failed"' in history and "实操考核未通过" in history


# ── Waiting periods ──────────────────────────────────────────────────────────


@pytest.mark.parametrize("ending", ["rejected", "failed"])
def test_day_89_is_too_early_and_texts_the_day(ending, village, clock, django_capture_on_commit_callbacks):
    # given: rejected / failed on 2025-03-01
    partner = end_in(ending, village=village)
    changes = PartnerStatusChange.objects.filter(partner=partner).count()
    # when: 89 days later
    clock(shanghai(DAY0 + dt.timedelta(days=89), 23, 59))
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(village, motivation="再试一次")
    # then: the thanks page, but nothing taken
    assert response.redirect_chain == [(reverse("partner_apply_thanks"), 302)]
    partner.refresh_from_db()
    assert partner.status == ending and partner.motivation == "想帮乡亲们网购"
    assert PartnerStatusChange.objects.filter(partner=partner).count() == changes
    # and the applicant learns by SMS when they may apply: 90 days after 2025-03-01
    message = Message.objects.get(to=PHONE, template="application_too_early")
    assert "2025年5月30日" in message.text and len(message.text) <= 70


@pytest.mark.parametrize("ending", ["rejected", "failed"])
def test_day_90_takes_the_application(ending, village, clock):
    partner = end_in(ending, village=village)
    clock(shanghai(DAY0 + dt.timedelta(days=90), 0, 1))
    apply(village)
    partner.refresh_from_db()
    assert partner.status == "applied"
    assert Partner.objects.filter(phone=PHONE).count() == 1
    assert not Message.objects.filter(template="application_too_early").exists()


def test_the_waiting_period_is_a_setting(village, clock, settings):
    settings.PARTNER_REAPPLY_WAIT_DAYS = 30
    partner = end_in("rejected", village=village)
    clock(shanghai(DAY0 + dt.timedelta(days=29)))
    apply(village)
    partner.refresh_from_db()
    assert partner.status == "rejected"
    clock(shanghai(DAY0 + dt.timedelta(days=30)))
    apply(village)
    partner.refresh_from_db()
    assert partner.status == "applied"


def test_withdrawn_applies_again_at_once(village, clock, admin_api):
    partner = end_in("withdrawn", village=village)
    clock(shanghai(DAY0, 1, 31))  # a minute later
    apply(village)
    partner.refresh_from_db()
    assert partner.status == "applied" and partner.reapplied_at == shanghai(DAY0, 1, 31)
    # the API shows when the current application began
    body = admin_api.get(f"/api/v1/partners/{partner.pk}/").json()
    assert body["status"] == "applied" and body["reapplied_at"].startswith("2025-03-01T01:31")


def test_an_exited_partner_applies_again_at_once_keeping_orders_and_login_disabled(
    village, other_village, clock, django_capture_on_commit_callbacks
):
    # given: an active partner with an order and a working login, who exits
    partner = partner_in("active", phone=PHONE, village=village)
    category = CategoryFactory(slug="appliances")
    order = make_order(
        partner=partner,
        villager=VillagerFactory(partner=partner, phone="13900001111"),
        lines=[(category, 2, Decimal("199.00"))],
        paid_at=shanghai(DAY0 - dt.timedelta(days=10)),
    )
    partner_transition(partner_id=partner.pk, to_status="exited", by_user=None, reason="搬去县城")
    user = User.objects.get(pk=partner.user_id)
    user.set_password("Cun-tao-2026!")
    user.save()
    assert Client().login(username=PHONE, password="Cun-tao-2026!")  # an exited partner keeps their income pages
    # when: the same day they apply again, for another village
    clock(shanghai(DAY0, 9))
    with django_capture_on_commit_callbacks(execute=True):
        apply(other_village)
    # then: the same record, applied, its orders and login kept, the login resting
    partner.refresh_from_db()
    assert (partner.status, partner.village, partner.user_id) == ("applied", other_village, user.pk)
    assert list(Order.objects.filter(partner=partner)) == [order]
    assert order.lines.count() == 1
    user.refresh_from_db()
    assert not user.is_active
    assert not Client().login(username=PHONE, password="Cun-tao-2026!")
    assert not Message.objects.filter(to=PHONE, template="application_duplicate").exists()


def test_someone_on_their_way_or_active_gets_the_duplicate_sms(village, django_capture_on_commit_callbacks):
    partner_in("training", phone=PHONE, village=village)
    with django_capture_on_commit_callbacks(execute=True):
        apply(village)
    assert Message.objects.get(to=PHONE).template == "application_duplicate"
    assert Partner.objects.get(phone=PHONE).status == "training"


# ── History kept ─────────────────────────────────────────────────────────────


def test_reapplying_keeps_the_whole_history(village, other_village, clock, admin_user):
    # given: a trainee with a training result who failed on 2025-03-01
    partner = end_in("failed", village=village)
    course = Course.objects.create(name="合伙人基础", hours=8)
    session = TrainingSession.objects.create(course=course, county=village.county, date=DAY0, trainer="王老师")
    TrainingResult.objects.create(session=session, partner=partner, attended=True, score=41)
    before = list(PartnerStatusChange.objects.filter(partner=partner).values_list("from_status", "to_status"))
    # when: 120 days later they apply again with new details
    clock(shanghai(DAY0 + dt.timedelta(days=120)))
    apply(
        other_village,
        real_name="刘晓燕",
        previous_occupation="快递代办",
        motivation="这次准备好了",
        service_point_address="许河村小学旁",
    )
    # then: the same record with the new details
    partner.refresh_from_db()
    assert Partner.objects.filter(phone=PHONE).count() == 1
    assert (partner.status, partner.village, partner.previous_occupation, partner.motivation) == (
        "applied",
        other_village,
        "快递代办",
        "这次准备好了",
    )
    assert partner.applied_at < partner.reapplied_at  # the first application is still the first
    # and every earlier status change, then the way back
    changes = list(PartnerStatusChange.objects.filter(partner=partner).values_list("from_status", "to_status"))
    assert changes == [*before, ("failed", "applied")]
    back = PartnerStatusChange.objects.filter(partner=partner).last()
    assert back.previous_application == {
        "real_name": "刘晓燕",
        "village": {"id": village.pk, "name": "东坝头村"},
        "previous_occupation": "小卖部店主",
        "motivation": "想帮乡亲们网购",
        "service_point_address": "村委会东边",
    }
    # and simple_history has the old values
    assert [h.village_id for h in partner.history.order_by("history_date", "history_id")][-2:] == [
        village.pk,
        other_village.pk,
    ]
    assert TrainingResult.objects.filter(partner=partner, score=41).exists()
    # and the onboarding page shows the earlier application in the history
    admin = Client()
    admin.cookies["django_language"] = "en"
    admin.force_login(admin_user)  # logged in on the clock's day
    text = page_text(admin.get(reverse("onboarding:detail", args=[partner.pk])))
    assert "The earlier application" in text and "东坝头村" in text and "小卖部店主" in text


# ── The training gate of a re-applicant ──────────────────────────────────────


def test_a_reapplicant_passes_training_again(village, clock, admin_user):
    # given: someone who passed the required course, then withdrew and came back
    course = Course.objects.create(name="合伙人基础", hours=8, required=True)
    partner = partner_in("training", phone=PHONE, village=village)
    old = TrainingSession.objects.create(course=course, county=village.county, date=DAY0, trainer="王老师")
    TrainingResult.objects.create(session=old, partner=partner, attended=True, score=95)
    assert missing_required_courses(partner) == []
    partner_transition(partner_id=partner.pk, to_status="withdrawn", by_user=None, reason="家里有事")
    clock(shanghai(DAY0 + dt.timedelta(days=200)))
    apply(village)
    for step in ("reviewing", "approved", "training"):
        partner_transition(partner_id=partner.pk, to_status=step, by_user=admin_user)
    partner.refresh_from_db()
    # then: the earlier pass is history, the gate is closed
    assert missing_required_courses(partner) == [course]
    assert not passed_training(Partner.objects.filter(pk=partner.pk)).exists()
    with pytest.raises(PartnerTransitionError) as refused:
        partner_transition(partner_id=partner.pk, to_status="active", by_user=admin_user)
    assert refused.value.code == "training_incomplete"
    # when: they pass a session of the current application
    new = TrainingSession.objects.create(
        course=course, county=village.county, date=DAY0 + dt.timedelta(days=210), trainer="王老师"
    )
    TrainingResult.objects.create(session=new, partner=partner, attended=True, score=70)
    # then: the gate opens
    assert missing_required_courses(partner) == []
    assert passed_training(Partner.objects.filter(pk=partner.pk)).exists()
    assert partner_transition(partner_id=partner.pk, to_status="active", by_user=admin_user).status == "active"


def test_a_reactivated_exited_partner_gets_their_own_login_back(village, clock, admin_user):
    partner = partner_in("active", phone=PHONE, village=village)
    user_id = partner.user_id
    partner_transition(partner_id=partner.pk, to_status="exited", by_user=None, reason="x")
    clock(shanghai(DAY0 + dt.timedelta(days=1)))
    apply(village)
    for step in ("reviewing", "approved", "training", "active"):
        partner_transition(partner_id=partner.pk, to_status=step, by_user=admin_user)  # no required course
    partner.refresh_from_db()
    assert partner.status == "active" and partner.user_id == user_id
    assert User.objects.get(pk=user_id).is_active


def test_the_one_active_partner_per_village_still_holds_for_a_reapplicant(village, clock, admin_user):
    # given: an exited partner whose village has a new active partner
    partner = partner_in("active", phone=PHONE, village=village)
    partner_transition(partner_id=partner.pk, to_status="exited", by_user=None, reason="x")
    successor = partner_in("training", village=village)
    partner_transition(partner_id=successor.pk, to_status="active", by_user=admin_user)
    # when: they apply again for the same village (taken) and are walked to training
    apply(village)
    for step in ("reviewing", "approved", "training"):
        partner_transition(partner_id=partner.pk, to_status=step, by_user=admin_user)
    # then: activation is refused as for anyone
    with pytest.raises(PartnerTransitionError) as refused:
        partner_transition(partner_id=partner.pk, to_status="active", by_user=admin_user)
    assert refused.value.code == "village_taken"


# ── The page says the same to everyone ───────────────────────────────────────


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_known_unknown_and_too_early_phones_get_the_same_page(village, clock):
    end_in("rejected", village=village)  # PHONE, rejected today: too early
    partner_in("reviewing", phone="13800002222", village=village)  # known, on its way
    answers = [
        apply(village),
        apply(village, phone="13800002222"),
        apply(village, phone="13700003333"),  # unknown
    ]
    assert {tuple(r.redirect_chain) for r in answers} == {((reverse("partner_apply_thanks"), 302),)}
    assert len({_without_csrf(page_text(r)) for r in answers}) == 1
    assert Partner.objects.get(phone=PHONE).status == "rejected"


def test_a_too_early_phone_with_a_bad_field_is_refused_like_a_new_one(village):
    end_in("rejected", village=village)
    known = apply(village, phone=PHONE, motivation="")
    new = apply(village, phone="13700003333", motivation="")
    strip = lambda r: _without_csrf(page_text(r)).replace(PHONE, "N").replace("13700003333", "N")  # noqa: E731
    assert known.status_code == new.status_code == 200
    assert strip(known) == strip(new)
    assert not Message.objects.filter(template="application_too_early").exists()


# ── The funnel counts the new endings ────────────────────────────────────────


def test_the_funnel_counts_failed_and_withdrawn(village):
    partner_in("failed", village=village)
    partner_in("withdrawn", village=village)
    partner_in("withdrawn", village=village)
    steps = {s.status: s.partners for s in recruitment_funnel_steps()}
    assert (steps["failed"], steps["withdrawn"]) == (1, 2)
    assert recruitment_funnel().national.counts["withdrawn"] == 2
