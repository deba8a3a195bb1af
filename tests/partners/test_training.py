"""Training (issue 17, item 1): sessions of a course in a county, attendance and scores per
partner, and the gate of training → active (409 naming the required courses not passed).
Through the HTTP layer: admins everywhere, county staff in their counties (another
county's session 404), partners 403."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partners.models import Course, PartnerStatus, TrainingResult, TrainingSession
from tests.support.factories import VillageFactory
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/training/sessions/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


def results_url(session_id):
    return f"/api/v1/training/sessions/{session_id}/results/"


@pytest.fixture
def courses(db):
    return {
        "basics": Course.objects.create(name="合伙人基础", hours=Decimal("8"), required=True, pass_mark=60),
        "shop": Course.objects.create(name="网店操作", hours=Decimal("4.5"), required=True, pass_mark=70),
        "extra": Course.objects.create(name="直播带货", hours=Decimal("2"), required=False),
    }


@pytest.fixture
def trainees(county_a):
    return [partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=county_a)) for _ in range(3)]


def new_session(user, course, county, day="2025-03-10"):
    response = api(user).post(
        SESSIONS, {"course": course.pk, "county": county.code, "date": day, "trainer": "王老师"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_county_staff_add_a_session_and_record_scores(carol, county_a, courses, trainees):
    # given a session of the basics course in carol's county
    session = new_session(carol, courses["basics"], county_a)
    assert (session["course_name"], session["county"], session["date"]) == ("合伙人基础", county_a.code, "2025-03-10")
    a, b, c = trainees
    # when carol records two who attended (one below the pass mark) and one who did not
    response = api(carol).post(
        results_url(session["id"]),
        [
            {"partner": a.pk, "attended": True, "score": 85},
            {"partner": b.pk, "attended": True, "score": 59},
            {"partner": c.pk, "attended": False},
        ],
        format="json",
    )
    # then each result is stored, and only the one at or above 60 passed
    assert response.status_code == 200, response.content
    assert {(r["partner"], r["score"], r["passed"]) for r in response.json()} == {
        (a.pk, 85, True),
        (b.pk, 59, False),
        (c.pk, None, False),
    }
    listed = api(carol).get(SESSIONS).json()["results"]
    assert [(s["id"], s["attended"], s["passed"]) for s in listed] == [(session["id"], 2, 1)]


def test_recording_again_replaces_the_result(carol, county_a, courses, trainees):
    session = new_session(carol, courses["basics"], county_a)
    a = trainees[0]
    api(carol).post(results_url(session["id"]), [{"partner": a.pk, "attended": True, "score": 40}], format="json")
    api(carol).post(results_url(session["id"]), [{"partner": a.pk, "attended": True, "score": 75}], format="json")
    assert list(TrainingResult.objects.filter(partner=a).values_list("score", flat=True)) == [75]


@pytest.mark.parametrize(
    "row, field",
    [
        ({"attended": True, "score": 101}, "score"),
        ({"attended": True, "score": -1}, "score"),
        ({"attended": False, "score": 50}, "score"),
        ({"attended": "maybe", "score": 50}, "attended"),
    ],
)
def test_a_bad_row_is_a_400_by_position_and_nothing_is_recorded(carol, county_a, courses, trainees, row, field):
    session = new_session(carol, courses["basics"], county_a)
    good, bad = trainees[0], trainees[1]
    response = api(carol).post(
        results_url(session["id"]),
        [{"partner": good.pk, "attended": True, "score": 80}, {"partner": bad.pk, **row}],
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()["results"]["1"]
    assert "0" not in response.json()["results"]
    assert not TrainingResult.objects.exists()


def test_only_the_sessions_county_trainees_can_be_recorded(carol, county_a, county_b, courses, trainees, alice):
    session = new_session(carol, courses["basics"], county_a)
    elsewhere = partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=county_b))
    for partner in (elsewhere, alice):  # another county's trainee; an active partner
        response = api(carol).post(
            results_url(session["id"]), [{"partner": partner.pk, "attended": True, "score": 90}], format="json"
        )
        assert response.status_code == 400
        assert "partner" in response.json()["results"]["0"]
    twice = [{"partner": trainees[0].pk, "attended": True, "score": 90}] * 2
    response = api(carol).post(results_url(session["id"]), twice, format="json")
    assert response.status_code == 400 and "partner" in response.json()["results"]["1"]
    assert not TrainingResult.objects.exists()


def test_scoping_other_county_404_partners_403(carol, dave, county_a, county_b, courses, alice, admin_user):
    session = new_session(carol, courses["basics"], county_a)
    # dave (county B) neither lists nor records A's session, nor adds one in A
    assert api(dave).get(SESSIONS).json()["results"] == []
    assert api(dave).post(results_url(session["id"]), [], format="json").status_code == 404
    refused = api(dave).post(
        SESSIONS, {"course": courses["basics"].pk, "county": county_a.code, "date": "2025-03-10", "trainer": "x"},
        format="json",
    )
    assert refused.status_code == 400 and "county" in refused.json()
    # a partner is refused; the admin sees it
    assert api(alice.user).get(SESSIONS).status_code == 403
    assert [s["id"] for s in api(admin_user).get(SESSIONS).json()["results"]] == [session["id"]]
    # the pages answer alike
    client = api(dave)
    client.force_login(dave)
    assert client.get(reverse("onboarding:training_session", args=[session["id"]])).status_code == 404
    client.force_login(alice.user)
    assert client.get(reverse("onboarding:training")).status_code == 403


# ── The gate ─────────────────────────────────────────────────────────────────


def test_activation_waits_for_every_required_course(carol, county_a, courses, trainees, admin_user):
    partner = trainees[0]
    status_url = f"/api/v1/partners/{partner.pk}/status/"
    # given no course passed: 409 naming both required courses (not the optional one)
    response = api(admin_user).post(status_url, {"status": "active"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "training_incomplete"
    assert [c["name"] for c in response.json()["missing_courses"]] == ["合伙人基础", "网店操作"]
    # when the basics are passed and the shop course scored below its mark of 70
    basics = new_session(carol, courses["basics"], county_a)
    shop = new_session(carol, courses["shop"], county_a, day="2025-03-11")
    api(carol).post(results_url(basics["id"]), [{"partner": partner.pk, "attended": True, "score": 60}], format="json")
    api(carol).post(results_url(shop["id"]), [{"partner": partner.pk, "attended": True, "score": 69}], format="json")
    # then only the shop course is missing, and the partner is still in training
    response = api(admin_user).post(status_url, {"status": "active"}, format="json")
    assert [c["name"] for c in response.json()["missing_courses"]] == ["网店操作"]
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.TRAINING
    # and once it is passed in a second session, activation goes through
    again = new_session(carol, courses["shop"], county_a, day="2025-03-18")
    api(carol).post(results_url(again["id"]), [{"partner": partner.pk, "attended": True, "score": 70}], format="json")
    response = api(admin_user).post(status_url, {"status": "active"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"


def test_the_training_pages_add_a_session_and_save_the_sheet(client, carol, county_a, courses, trainees):
    client.force_login(carol)
    client.cookies["django_language"] = "en"
    # a bad day is refused on the page, in words
    page = client.post(
        reverse("onboarding:training"),
        {"course": courses["basics"].pk, "county": county_a.code, "date": "10/03/2025", "trainer": "王老师"},
    )
    assert page.status_code == 400 and "YYYY-MM-DD" in page.content.decode()
    assert not TrainingSession.objects.exists()
    # a good one opens the session's sheet, listing the county's trainees
    response = client.post(
        reverse("onboarding:training"),
        {"course": courses["basics"].pk, "county": county_a.code, "date": "2025-03-10", "trainer": "王老师"},
        follow=True,
    )
    session = TrainingSession.objects.get()
    html = response.content.decode()
    assert all(f'data-partner="{p.pk}"' in html for p in trainees)
    a, b, c = trainees
    # the sheet: a scored 90, b attended with 101 (refused: nothing saved), c absent
    bad = client.post(
        reverse("onboarding:training_session", args=[session.pk]),
        {f"attended-{a.pk}": "on", f"score-{a.pk}": "90", f"attended-{b.pk}": "on", f"score-{b.pk}": "101"},
    )
    assert bad.status_code == 400 and 'id="sheet-errors"' in bad.content.decode()
    assert not TrainingResult.objects.exists()
    client.post(
        reverse("onboarding:training_session", args=[session.pk]),
        {f"attended-{a.pk}": "on", f"score-{a.pk}": "90", f"attended-{b.pk}": "on", f"score-{b.pk}": "55"},
    )
    assert dict(TrainingResult.objects.values_list("partner_id", "score")) == {a.pk: 90, b.pk: 55}
    sheet = client.get(reverse("onboarding:training_session", args=[session.pk])).content.decode()
    rows = {p.pk: re.search(rf'<li data-partner="{p.pk}".*?</li>', sheet, re.S).group(0) for p in trainees}
    assert ['data-passed="1"' in rows[p.pk] for p in (a, b, c)] == [True, False, False]
    assert dt.date(2025, 3, 10).isoformat() in client.get(reverse("onboarding:training")).content.decode()
