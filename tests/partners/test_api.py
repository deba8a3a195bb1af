"""Contract tests of the partner API through the HTTP layer (APIClient)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from partners.models import Partner, PartnerStatus, PartnerStatusChange
from tests.support.factories import PartnerFactory, UserFactory, VillageFactory
from tests.support.import_files import CHINESE, ENGLISH, partner_file
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db

LIST = "/api/v1/partners/"


def detail(pk) -> str:
    return f"/api/v1/partners/{pk}/"


def status_url(pk) -> str:
    return f"/api/v1/partners/{pk}/status/"


@pytest.fixture
def api():
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def admin_api(api, admin_user):
    api.force_authenticate(admin_user)
    return api


@pytest.fixture
def village(county_a):
    return VillageFactory(county=county_a, name="东坝头村")


# ── Who may call what ────────────────────────────────────────────────────────

ADMIN_ENDPOINTS = [
    ("get", LIST),
    ("post", LIST),
    ("get", "detail"),
    ("put", "detail"),
    ("patch", "detail"),
    ("post", "status"),
    ("post", "/api/v1/partners/import/"),
]


def resolve(path, partner):
    return {"detail": detail(partner.pk), "status": status_url(partner.pk)}.get(path, path)


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
@pytest.mark.parametrize("who", ["alice", "carol"])
def test_admin_endpoints_refuse_partners_and_county_staff(request, api, who, method, path, bob):
    user = request.getfixturevalue(who)
    api.force_authenticate(getattr(user, "user", user))
    assert getattr(api, method)(resolve(path, bob), {}).status_code == 403


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
def test_admin_endpoints_refuse_anonymous(api, method, path, bob):
    assert getattr(api, method)(resolve(path, bob), {}).status_code in (401, 403)


def test_me_refuses_admins_staff_and_anonymous(api, admin_user, carol):
    assert api.get("/api/v1/partners/me/").status_code in (401, 403)
    api.force_authenticate(admin_user)
    assert api.get("/api/v1/partners/me/").status_code == 403
    api.force_authenticate(carol)
    assert api.get("/api/v1/partners/me/").status_code == 403


# ── /partners/me/ ────────────────────────────────────────────────────────────


def test_a_partner_reads_their_own_profile(api, alice, bob):
    api.force_authenticate(alice.user)
    body = api.get("/api/v1/partners/me/").json()
    assert body == {
        "id": alice.pk,
        "name": "王爱丽",
        "phone": alice.phone,
        "status": "active",
        "village": {"id": alice.village.pk, "name": "张庄村", "township": ""},
        "county": {"code": "410225", "name": "兰考县"},
        "service_point": {
            "id": alice.service_point.pk,
            "code": alice.service_point.code,
            "address": alice.service_point.address,
        },
        "activated_at": body["activated_at"],
    }
    api.force_authenticate(bob.user)
    assert api.get("/api/v1/partners/me/").json()["name"] == "李博"


def test_me_also_works_with_a_token(api, alice):
    from rest_framework.authtoken.models import Token

    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice.user).key}")
    assert api.get("/api/v1/partners/me/").json()["id"] == alice.pk


# ── List ─────────────────────────────────────────────────────────────────────


@pytest.fixture
def roster(county_a, county_b):
    day = lambda d: dt.datetime(2026, 3, d, 10, tzinfo=dt.UTC)  # noqa: E731
    henan = VillageFactory(county=county_a, name="东坝头村")
    return [
        PartnerFactory(real_name="王芳", phone="13800000001", village=henan, applied_at=day(1)),
        PartnerFactory(real_name="李强", phone="13800000002", village=henan, status="reviewing", applied_at=day(5)),
        PartnerFactory(
            real_name="赵敏", phone="13900000003", village=VillageFactory(county=county_b), applied_at=day(9)
        ),
    ]


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_the_list_is_paginated_with_the_standard_envelope(admin_api, roster):
    body = admin_api.get(LIST, {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    row = body["results"][0]
    assert row["name"] == "赵敏"  # newest application first
    assert set(row) >= {"id", "name", "phone", "status", "village", "county", "province", "service_point", "applied_at"}
    assert row["county"] == {"code": "610431", "name": "武功县"}
    assert row["province"] == {"code": "61", "name": "陕西省"}


def test_page_size_is_capped_at_200(admin_api, county_a):
    PartnerFactory.create_batch(205, village=VillageFactory(county=county_a))
    assert len(admin_api.get(LIST, {"page_size": 1000}).json()["results"]) == 200


def test_the_list_filters_searches_and_orders(admin_api, roster):
    assert names(admin_api.get(LIST, {"status": "reviewing"})) == ["李强"]
    assert names(admin_api.get(LIST, {"county": "610431"})) == ["赵敏"]
    assert sorted(names(admin_api.get(LIST, {"province": "41"}))) == ["李强", "王芳"]
    assert names(admin_api.get(LIST, {"applied_after": "2026-03-02", "applied_before": "2026-03-05"})) == ["李强"]
    assert names(admin_api.get(LIST, {"search": "王"})) == ["王芳"]
    assert names(admin_api.get(LIST, {"search": "13900"})) == ["赵敏"]
    assert names(admin_api.get(LIST, {"ordering": "applied_at"})) == ["王芳", "李强", "赵敏"]
    assert names(admin_api.get(LIST, {"ordering": "-name"}))[0] == names(admin_api.get(LIST, {"ordering": "name"}))[-1]


@pytest.mark.parametrize(
    "params", [{"status": "nope"}, {"county": "999999"}, {"applied_after": "yesterday"}, {"province": "99"}]
)
def test_bad_filters_are_400_with_field_errors(admin_api, roster, params):
    response = admin_api.get(LIST, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_list_has_bounded_queries(admin_api, county_a, django_assert_max_num_queries):
    PartnerFactory.create_batch(30, village=VillageFactory(county=county_a))
    with django_assert_max_num_queries(6):
        assert admin_api.get(LIST).status_code == 200


# ── Create, retrieve, update, no delete ──────────────────────────────────────


def test_create_enters_an_application(admin_api, admin_user, village):
    response = admin_api.post(
        LIST, {"name": "刘晓燕", "phone": "139 1234 5678", "village": village.pk, "motivation": "帮乡亲"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["phone"], body["village_name"]) == ("applied", "13912345678", "东坝头村")
    change = PartnerStatusChange.objects.get(partner_id=body["id"])
    assert (change.from_status, change.to_status, change.changed_by) == ("", "applied", admin_user)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "phone": "12345"}, "phone"),
        ({"name": "", "phone": "13912345678"}, "name"),
        ({"name": "x", "phone": "13912345678", "village": 999999}, "village"),
        ({"name": "x", "phone": "13912345678", "status": "active"}, "status"),
    ],
)
def test_create_with_bad_input_is_400_with_field_errors(admin_api, village, payload, field):
    payload = {"village": village.pk, **payload}
    response = admin_api.post(LIST, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Partner.objects.count() == 0


def test_create_with_a_phone_that_applied_is_400(admin_api, village):
    PartnerFactory(phone="13912345678", village=village)
    response = admin_api.post(LIST, {"name": "x", "phone": "13912345678", "village": village.pk}, format="json")
    assert response.status_code == 400
    assert "already applied" in response.json()["phone"][0]


def test_retrieve_and_404(admin_api, bob):
    assert admin_api.get(detail(bob.pk)).json()["name"] == "李博"
    assert admin_api.get(detail(999999)).status_code == 404
    assert admin_api.get("/api/v1/partners/abc/").status_code == 404


def test_update_descriptive_fields(admin_api, alice):
    response = admin_api.patch(detail(alice.pk), {"name": "王爱丽丽", "previous_occupation": "教师"}, format="json")
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert (alice.real_name, alice.previous_occupation) == ("王爱丽丽", "教师")


def test_put_replaces_descriptive_fields(admin_api, county_a):
    partner = partner_in(PartnerStatus.APPLIED, village=VillageFactory(county=county_a))
    other_village = VillageFactory(county=county_a)
    payload = {"name": "新名", "phone": "13711112222", "village": other_village.pk, "motivation": "m"}
    response = admin_api.put(detail(partner.pk), payload, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["village"] == other_village.pk


def test_update_cannot_change_the_status(admin_api, alice):
    response = admin_api.patch(detail(alice.pk), {"status": "exited"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    alice.refresh_from_db()
    assert alice.status == "active"


def test_update_cannot_move_an_active_partner(admin_api, alice, county_a):
    response = admin_api.patch(detail(alice.pk), {"village": VillageFactory(county=county_a).pk}, format="json")
    assert response.status_code == 400 and "village" in response.json()


def test_update_to_another_partners_phone_is_400(admin_api, alice, bob):
    response = admin_api.patch(detail(alice.pk), {"phone": bob.phone}, format="json")
    assert response.status_code == 400 and "phone" in response.json()


def test_there_is_no_hard_delete(admin_api, bob):
    assert admin_api.delete(detail(bob.pk)).status_code == 405
    assert Partner.objects.filter(pk=bob.pk).exists()


# ── Status ───────────────────────────────────────────────────────────────────


def test_a_legal_status_change_is_200_with_the_partner(admin_api, admin_user, county_a):
    partner = partner_in(PartnerStatus.REVIEWING, village=VillageFactory(county=county_a))
    response = admin_api.post(status_url(partner.pk), {"status": "approved", "reason": "面试通过"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["set_password_url"] is None
    change = PartnerStatusChange.objects.get(partner=partner)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        "reviewing",
        "approved",
        "面试通过",
        admin_user,
    )


def test_activation_returns_the_set_password_link(admin_api, county_a):
    partner = partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=county_a))
    body = admin_api.post(status_url(partner.pk), {"status": "active"}, format="json").json()
    assert body["status"] == "active" and body["has_login"] is True
    assert body["set_password_url"].startswith("http://testserver/accounts/reset/")
    assert body["service_point"]["address"].endswith("服务站")


def test_an_illegal_transition_is_409(admin_api, county_a):
    partner = partner_in(PartnerStatus.APPLIED, village=VillageFactory(county=county_a))
    response = admin_api.post(status_url(partner.pk), {"status": "active"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "cannot go from" in response.json()["detail"]


def test_a_second_active_partner_in_a_village_is_409(admin_api, alice):
    candidate = partner_in(PartnerStatus.TRAINING, village=alice.village)
    response = admin_api.post(status_url(candidate.pk), {"status": "active"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"This village already has an active partner: {alice.real_name}.",
        "code": "village_taken",
    }


def test_a_stale_expected_status_is_409(admin_api, county_a):
    partner = partner_in(PartnerStatus.REVIEWING, village=VillageFactory(county=county_a))
    response = admin_api.post(
        status_url(partner.pk), {"status": "reviewing", "expected_status": "applied"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "stale"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "rejected"}, "reason"),
        ({"status": "promoted"}, "status"),
        ({}, "status"),
        ({"status": "approved", "expected_status": "x"}, "expected_status"),
    ],
)
def test_bad_status_requests_are_400(admin_api, county_a, payload, field):
    partner = partner_in(PartnerStatus.REVIEWING, village=VillageFactory(county=county_a))
    response = admin_api.post(status_url(partner.pk), payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_status_of_an_unknown_partner_is_404(admin_api):
    assert admin_api.post(status_url(999999), {"status": "reviewing"}, format="json").status_code == 404


# ── Import ───────────────────────────────────────────────────────────────────

ROWS = [["王小明", "13800000001", "410225", "东坝头村", "", ""], ["李红", "13800000002", "410225", "东坝头村", "", ""]]


def post_import(api, content, name, **fields):
    return api.post(
        "/api/v1/partners/import/", {"file": SimpleUploadedFile(name, content), **fields}, format="multipart"
    )


@pytest.mark.parametrize("fmt", ["csv_bom", "csv", "xlsx"])
def test_import_dry_run_then_real_then_again(admin_api, village, fmt):
    content, name = partner_file(fmt, CHINESE, ROWS)
    dry = post_import(admin_api, content, name, dry_run="true")
    assert dry.status_code == 200
    assert dry.json() == {
        "dry_run": True,
        "status": "applied",
        "rows": 2,
        "created": 2,
        "unchanged": 0,
        "villages_created": 0,
        "errors": [],
    }
    assert Partner.objects.count() == 0
    real = post_import(admin_api, content, name, dry_run="false", status="training")
    assert real.status_code == 200 and real.json()["created"] == 2
    assert set(Partner.objects.values_list("status", flat=True)) == {"training"}
    again = post_import(admin_api, content, name)
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 2)


def test_import_with_bad_rows_is_400_with_the_report(admin_api, village):
    content, name = partner_file("csv", ENGLISH, [*ROWS, ["赵六", "13800000003", "410225", "新村", "", ""]])
    response = post_import(admin_api, content, name)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 4, "column": "village", "heading": "village", "message": response.json()["errors"][0]["message"]}
    ]
    assert Partner.objects.count() == 0
    created = post_import(admin_api, content, name, create_villages="true")
    assert created.status_code == 200 and created.json()["villages_created"] == 1


def test_import_as_active_is_400(admin_api, village):
    content, name = partner_file("csv", ENGLISH, ROWS)
    response = post_import(admin_api, content, name, status="active")
    assert response.status_code == 400
    assert "one partner at a time" in response.json()["status"][0]


def test_import_of_an_unreadable_file_is_400_on_the_file_field(admin_api):
    response = post_import(admin_api, b"PK\x03\x04junk", "x.xlsx")
    assert response.status_code == 400 and "file" in response.json()


def test_import_without_a_file_is_400(admin_api):
    response = admin_api.post("/api/v1/partners/import/", {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


# ── Schema ───────────────────────────────────────────────────────────────────


def test_the_schema_describes_the_partner_endpoints(api, admin_user):
    api.force_authenticate(admin_user)
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/partners/"])
    assert "delete" not in paths["/api/v1/partners/{id}/"]
    assert "409" in paths["/api/v1/partners/{id}/status/"]["post"]["responses"]
    assert "multipart/form-data" in paths["/api/v1/partners/import/"]["post"]["requestBody"]["content"]
    assert "get" in paths["/api/v1/partners/me/"]


def test_admin_by_group_only_is_an_admin_too(api, village):
    api.force_authenticate(UserFactory(username="ops", groups=["admin"]))
    assert api.get(LIST).status_code == 200


def test_import_of_a_too_large_file_is_400(admin_api, monkeypatch):
    monkeypatch.setattr("partners.api.MAX_IMPORT_FILE_BYTES", 10)
    response = post_import(admin_api, b"name,phone,county_code,village\n", "x.csv")
    assert response.status_code == 400 and "file" in response.json()
