"""/apply/ tells nobody who is a partner (issue 18, item 4): a phone that has already applied
gets the same answer as a new one, its owner an SMS instead, and each address may submit
the form ten times an hour."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from notifications.models import Message
from partners.models import Partner
from tests.support.factories import PartnerFactory, VillageFactory
from tests.support.pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def village(county_a):
    return VillageFactory(county=county_a, name="东坝头村")


def application(village, **overrides) -> dict:
    data = {
        "real_name": "刘晓燕",
        "phone": "139 1234 5678",
        "county": village.county.code,
        "village": village.pk,
        "previous_occupation": "小卖部",
        "motivation": "想帮乡亲们网购",
        "service_point_address": "",
    }
    return {**data, **overrides}


def english_client(address: str = "203.0.113.7") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


def test_a_known_phone_gets_the_same_answer_as_a_new_one(village):
    # given: a partner whose phone is 13912345678
    PartnerFactory(phone="13912345678", village=VillageFactory(county=village.county))
    # when: one person applies with that phone, another with a new one
    known = english_client().post(reverse("partner_apply"), application(village, real_name="别人"), follow=True)
    new = english_client().post(reverse("partner_apply"), application(village, phone="13700001111"), follow=True)
    # then: the same redirect, the same page
    assert known.redirect_chain == new.redirect_chain == [(reverse("partner_apply_thanks"), 302)]
    assert known.status_code == new.status_code == 200
    assert _without_csrf(page_text(known)) == _without_csrf(page_text(new))
    assert "already applied" not in page_text(known)
    assert Partner.objects.filter(phone="13912345678").count() == 1
    assert Partner.objects.filter(phone="13700001111").exists()


def test_the_known_phones_owner_is_told_by_sms(village, django_capture_on_commit_callbacks):
    PartnerFactory(phone="13912345678", village=VillageFactory(county=village.county))
    with django_capture_on_commit_callbacks(execute=True):
        english_client().post(reverse("partner_apply"), application(village, real_name="别人"))
    message = Message.objects.get(to="13912345678")
    assert message.template == "application_duplicate"
    assert "已提交过合伙人申请" in message.text and len(message.text) <= 70


def test_a_new_application_sends_no_duplicate_sms(village):
    english_client().post(reverse("partner_apply"), application(village))
    assert not Message.objects.filter(template="application_duplicate").exists()


def test_a_known_phone_with_a_bad_field_is_refused_like_a_new_one(village):
    PartnerFactory(phone="13912345678", village=VillageFactory(county=village.county))
    bad = {"motivation": ""}
    known = english_client().post(reverse("partner_apply"), application(village, phone="13912345678", **bad))
    new = english_client().post(reverse("partner_apply"), application(village, phone="13700001111", **bad))
    assert known.status_code == new.status_code == 200
    strip = lambda r: page_text(r).replace("13912345678", "N").replace("13700001111", "N")  # noqa: E731
    assert _without_csrf(strip(known)) == _without_csrf(strip(new))
    assert not Message.objects.exists()


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_eleventh_submission_from_one_address_is_429(village):
    # given: ten submissions from one address (valid or not, they all count)
    client = english_client("203.0.113.7")
    for i in range(10):
        response = client.post(reverse("partner_apply"), application(village, phone=f"1370000{i:04d}"))
        assert response.status_code == 302
    # when: the eleventh
    refused = client.post(reverse("partner_apply"), application(village, phone="13800009999"))
    # then: 429 with a page that says so, in the page's language; nothing stored
    assert refused.status_code == 429
    assert "Too many applications" in page_text(refused)
    assert not Partner.objects.filter(phone="13800009999").exists()
    # and another address is still accepted
    other = english_client("198.51.100.9").post(reverse("partner_apply"), application(village, phone="13800009999"))
    assert other.status_code == 302
    assert Partner.objects.filter(phone="13800009999").exists()


def test_the_refusal_is_in_chinese_by_default(village, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "apply": "1/hour"}
    settings.REST_FRAMEWORK = rest
    client = Client(REMOTE_ADDR="203.0.113.8")
    client.post(reverse("partner_apply"), application(village))
    refused = client.post(reverse("partner_apply"), application(village, phone="13700001111"))
    assert refused.status_code == 429
    assert "申请次数过多" in page_text(refused)


def test_showing_villages_and_reading_the_form_are_not_counted(village, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "apply": "1/hour"}
    settings.REST_FRAMEWORK = rest
    client = english_client()
    for _ in range(3):
        assert client.get(reverse("partner_apply")).status_code == 200
        show = {"real_name": "刘晓燕", "county": village.county.code, "show_villages": "1"}
        assert client.post(reverse("partner_apply"), show).status_code == 200
    assert client.post(reverse("partner_apply"), application(village)).status_code == 302
