"""Cohort activation (issue 17, item 3): many partners who passed training activated in one
background job, one refusal among them not stopping the others; the job's progress and
per-partner results through the API and the page; each activated partner's short
set-password link by SMS and on the printable sheet; admins only."""

import re

import pytest
from celery.result import EagerResult
from django.urls import reverse
from rest_framework.test import APIClient

from notifications.models import Message
from partners import cohort
from partners.models import Job, PartnerStatus
from partners.tasks import activate_cohort_task
from tests.analytics.test_tasks import real_worker  # noqa: F401  (the fixture)
from tests.support.factories import VillageFactory
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db

ACTIVATE = "/api/v1/partners/activate/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def cohort_of_4(county_a, alice):
    """Three trainees in villages of their own, and one in alice's village (which has its
    active partner already: refused)."""
    good = [partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=county_a)) for _ in range(3)]
    clash = partner_in(PartnerStatus.TRAINING, village=alice.village)
    return good, clash


def test_one_refusal_does_not_stop_the_others(admin_user, cohort_of_4, django_capture_on_commit_callbacks):
    good, clash = cohort_of_4
    ids = [good[0].pk, clash.pk, good[1].pk, good[2].pk]
    # when the admin activates the four (eager here: the job runs when the request commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin_user).post(ACTIVATE, {"partners": ids}, format="json")
    assert response.status_code == 202
    job = api(admin_user).get(f"/api/v1/jobs/{response.json()['id']}/").json()
    # then three are active and the clash is refused with the reason, in the order given
    assert (job["status"], job["progress"], job["total"], job["done"]) == ("done", 100, 4, 4)
    assert [(r["partner"], r["ok"]) for r in job["results"]] == [
        (good[0].pk, True),
        (clash.pk, False),
        (good[1].pk, True),
        (good[2].pk, True),
    ]
    assert "already has an active partner" in job["results"][1]["error"]
    for partner in good:
        partner.refresh_from_db()
        assert partner.status == PartnerStatus.ACTIVE and partner.user.username == partner.phone
    clash.refresh_from_db()
    assert clash.status == PartnerStatus.TRAINING
    # each activated partner got one SMS with a short link that opens their set-password page
    for partner in good:
        [text] = Message.objects.filter(to=partner.phone, template="application_active").values_list("text", flat=True)
        assert len(text) <= 70
        path = re.search(r"http://127\.0\.0\.1:8000(/s/\w+/)", text).group(1)
        opened = api(admin_user).get(path)
        assert opened.status_code == 302
        assert opened["Location"].startswith("/accounts/reset/")
    assert not Message.objects.filter(to=clash.phone).exists()


def test_a_short_link_ends_once_the_password_is_set(
    client, admin_user, cohort_of_4, django_capture_on_commit_callbacks
):
    partner = cohort_of_4[0][0]
    with django_capture_on_commit_callbacks(execute=True):
        api(admin_user).post(ACTIVATE, {"partners": [partner.pk]}, format="json")
    text = Message.objects.get(to=partner.phone, template="application_active").text
    path = re.search(r"(/s/\w+/)", text).group(1)
    partner.refresh_from_db()
    partner.user.set_password("a-new-secret-123")
    partner.user.save()
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "密码已设置" in response.content.decode()
    assert client.get("/s/nosuchcode/").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "partners"),
        ({"partners": []}, "partners"),
        ({"partners": ["x"]}, "partners"),
        ({"partners": [999999]}, "partners"),
    ],
)
def test_bad_cohorts_are_400_and_queue_nothing(admin_user, body, field):
    response = api(admin_user).post(ACTIVATE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Job.objects.exists()


def test_admins_only(alice, carol, cohort_of_4, admin_user):
    good, _ = cohort_of_4
    job = cohort.cohort_activation_start(partner_ids=[good[0].pk], by_user=admin_user)
    for user in (alice.user, carol):
        assert api(user).post(ACTIVATE, {"partners": [good[1].pk]}, format="json").status_code == 403
        assert api(user).get(f"/api/v1/jobs/{job.pk}/").status_code == 403
    assert api(admin_user).get("/api/v1/jobs/999999/").status_code == 404
    good[1].refresh_from_db()
    assert good[1].status == PartnerStatus.TRAINING


def test_the_onboarding_page_activates_the_selected_and_prints_their_cards(
    client, admin_user, cohort_of_4, django_capture_on_commit_callbacks
):
    good, clash = cohort_of_4
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"
    # the list offers a checkbox for each trainee who passed training
    listing = client.get(reverse("onboarding:list"), {"status": "training"}).content.decode()
    for partner in (*good, clash):
        assert f'name="partners" value="{partner.pk}"' in listing
    # posting two of them opens the job's page, done (eager), with each result
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(reverse("onboarding:activate"), {"partners": [good[0].pk, clash.pk]})
    job = Job.objects.get()
    assert posted["Location"] == reverse("onboarding:job", args=[job.pk])
    html = client.get(posted["Location"]).content.decode()
    assert 'id="job-progress" max="100" value="100"' in html
    assert re.search(rf'data-partner="{good[0].pk}" data-ok="1"', html)
    assert re.search(rf'data-partner="{clash.pk}" data-ok="0"', html)
    # and the sheet has one card with a QR code for the activated partner
    sheet = client.get(reverse("onboarding:job_sheet", args=[job.pk])).content.decode()
    assert sheet.count('class="sheet-card"') == 1
    assert f'data-partner="{good[0].pk}"' in sheet and "<svg" in sheet and "/s/" in sheet


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_cohort_with_one_refusal_on_a_real_worker(real_worker, admin_user, county_a, alice):  # noqa: F811
    # given 10 trainees, one of them in a village that has its active partner
    trainees = [partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=county_a)) for _ in range(9)]
    trainees.insert(4, partner_in(PartnerStatus.TRAINING, village=alice.village))
    job = Job.objects.create(
        kind=cohort.COHORT_ACTIVATION, total=10, payload=[p.pk for p in trainees], created_by=admin_user
    )
    # when the task goes through Redis to the worker
    # (a producer on a connection of its own: earlier tests close the app's shared pool)
    with activate_cohort_task.app.connection_for_write() as conn, conn.Producer() as producer:
        result = activate_cohort_task.apply_async(args=[job.pk], producer=producer)
    assert not isinstance(result, EagerResult), "the task must go through the broker"
    outcome = result.get(timeout=120, disable_sync_subtasks=False)
    # then nine are active, the fifth refused, and the job says so
    assert outcome == {"id": job.pk, "status": "done", "done": 10, "total": 10}
    job.refresh_from_db()
    assert [r["ok"] for r in job.results] == [True] * 4 + [False] + [True] * 5
    statuses = [p.__class__.objects.get(pk=p.pk).status for p in trainees]
    assert statuses.count(PartnerStatus.ACTIVE) == 9 and statuses[4] == PartnerStatus.TRAINING
