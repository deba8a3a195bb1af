"""Payout batches: only approved statements, one pending batch per statement, the
transfer file, marking paid, the bank's results file, and who may use them."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from rest_framework.test import APIClient

from analytics.models import MonthlyStatement
from payouts import services
from payouts.models import PayoutBatch, PayoutItem
from rural_taobao.errors import Conflict, InvalidInput
from tests.support.factories import PartnerFactory, VillageFactory
from tests.support.import_files import csv_bytes
from tests.support.statements import MONTH, approved_statement, closed_statement, give_account

pytestmark = pytest.mark.django_db
PAID_ON = dt.date(2025, 2, 10)


@pytest.fixture
def approved(alice, bob, admin_user):
    give_account(alice, account="13812345678")
    give_account(bob, kind="bank", account="6222021234567890123", bank_name="工商银行")
    return [approved_statement(alice, total="123.45", approver=admin_user),
            approved_statement(bob, total="1000.00", approver=admin_user)]  # fmt: skip


def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_batch_of_chosen_statements_snapshots_accounts(approved, admin_user, alice):
    batch = services.payout_batch_create(statement_ids=[s.pk for s in approved], by_user=admin_user)
    assert batch.total == Decimal("1123.45")
    items = {item.statement_id: item for item in batch.items.all()}
    assert items[approved[1].pk].bank_name == "工商银行" and items[approved[1].pk].account_kind == "bank"
    # A later change of the account does not change the batch.
    alice.payout_account.account = "13900000000"
    alice.payout_account.save()
    assert PayoutItem.objects.get(statement=approved[0]).account == "13812345678"


def test_only_approved_statements(alice, bob, admin_user):
    give_account(alice)
    closed = closed_statement(alice)
    with pytest.raises(InvalidInput) as caught:
        services.payout_batch_create(statement_ids=[closed.pk], by_user=admin_user)
    assert closed.reference in caught.value.errors["statements"][0]
    response = admin_api(admin_user).post("/api/v1/payouts/", {"statements": [closed.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["statement"] == closed.pk
    assert not PayoutBatch.objects.exists()


def test_no_account_and_nothing_to_pay_are_refused(alice, bob, admin_user):
    give_account(alice)
    zero = approved_statement(alice, total="0.00", approver=admin_user)
    no_account = approved_statement(bob, approver=admin_user)
    response = admin_api(admin_user).post("/api/v1/payouts/", {"statements": [zero.pk, no_account.pk]}, format="json")
    assert response.status_code == 400
    assert {p["statement"] for p in response.json()["problems"]} == {zero.pk, no_account.pk}


def test_a_statement_is_in_one_pending_batch(approved, admin_user):
    services.payout_batch_create(statement_ids=[approved[0].pk], by_user=admin_user)
    response = admin_api(admin_user).post("/api/v1/payouts/", {"statements": [approved[0].pk]}, format="json")
    assert response.status_code == 400
    assert "已在一个待转账的批次中" in response.json()["statements"][0]
    # By month: the one already on its way is left out.
    batch = services.payout_batch_create(month=MONTH, by_user=admin_user)
    assert list(batch.items.values_list("statement_id", flat=True)) == [approved[1].pk]
    with pytest.raises(InvalidInput):
        services.payout_batch_create(month=MONTH, by_user=admin_user)


def test_the_database_keeps_one_pending_item(approved, admin_user):
    batch = services.payout_batch_create(statement_ids=[approved[0].pk], by_user=admin_user)
    other = PayoutBatch.objects.create(created_at=batch.created_at)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutItem.objects.create(batch=other, statement=approved[0], amount=1, holder_name="x", account_kind="alipay",
                                  account="13812345678")  # fmt: skip


def test_batch_by_month_and_county(approved, admin_user, county_a, county_b):
    response = admin_api(admin_user).post("/api/v1/payouts/", {"month": "2025-01", "county": county_b.code},
                                          format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert [i["statement"] for i in response.json()["items"]] == [approved[1].pk]
    assert response.json()["items"][0]["account"] == "6222021234567890123"  # admins see it in full
    batch = services.payout_batch_create(month=MONTH, province_code=county_a.province.code, by_user=admin_user)
    assert list(batch.items.values_list("statement_id", flat=True)) == [approved[0].pk]


def test_transfer_file(approved, admin_user):
    batch = services.payout_batch_create(statement_ids=[s.pk for s in approved], by_user=admin_user)
    data = services.payout_transfer_file(batch)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "name,account,amount,memo,bank_name"
    assert lines[1] == f"王爱丽,13812345678,123.45,{approved[0].reference},"
    assert lines[2] == f"李博,6222021234567890123,1000.00,{approved[1].reference},工商银行"
    assert approved[0].reference == f"RT202501-{approved[0].partner_id:06d}"
    response = admin_api(admin_user).get(f"/api/v1/payouts/{batch.pk}/transfer-file/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content == data
    accept_csv = admin_api(admin_user).get(f"/api/v1/payouts/{batch.pk}/transfer-file/", HTTP_ACCEPT="text/csv")
    assert accept_csv.status_code == 200


def test_mark_paid(approved, admin_user):
    batch = services.payout_batch_create(statement_ids=[s.pk for s in approved], by_user=admin_user)
    client = admin_api(admin_user)
    assert client.post(f"/api/v1/payouts/{batch.pk}/paid/", {"reference": ""}, format="json").status_code == 400
    response = client.post(f"/api/v1/payouts/{batch.pk}/paid/", {"reference": "ICBC-778", "paid_on": "2025-02-10"},
                           format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "paid"
    for statement in MonthlyStatement.objects.filter(pk__in=[s.pk for s in approved]):
        assert (statement.status, statement.payout_reference, statement.paid_on) == ("paid", "ICBC-778", PAID_ON)
    assert set(PayoutItem.objects.values_list("status", flat=True)) == {"paid"}
    again = client.post(f"/api/v1/payouts/{batch.pk}/paid/", {"reference": "X", "paid_on": "2025-02-10"}, format="json")
    assert again.status_code == 409


def test_results_file_failure_returns_the_statement(approved, admin_user):
    batch = services.payout_batch_create(statement_ids=[s.pk for s in approved], by_user=admin_user)
    services.payout_batch_mark_paid(batch_id=batch.pk, reference="ICBC-778", paid_on=PAID_ON, by_user=admin_user)
    content = csv_bytes(["备注", "状态", "失败原因"],
                        [[approved[0].reference, "成功", ""], [approved[1].reference, "失败", "户名不符"]])  # fmt: skip
    client = admin_api(admin_user)
    response = client.post(f"/api/v1/payouts/{batch.pk}/results/",
                           {"file": io.BytesIO(content)}, format="multipart")  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json() | {"errors": []} == {"rows": 2, "paid": 0, "failed": 1, "unchanged": 1, "errors": []}
    failed = MonthlyStatement.objects.get(pk=approved[1].pk)
    assert (failed.status, failed.payout_failure, failed.paid_on) == ("approved", "户名不符", None)
    assert PayoutItem.objects.get(statement=failed).failure_reason == "户名不符"
    assert MonthlyStatement.objects.get(pk=approved[0].pk).status == "paid"
    # The same file again changes nothing.
    again = client.post(f"/api/v1/payouts/{batch.pk}/results/", {"file": io.BytesIO(content)}, format="multipart")
    assert again.json()["unchanged"] == 2
    # It goes into a new batch, which leaves the failed line out of nothing else.
    new = services.payout_batch_create(statement_ids=[failed.pk], by_user=admin_user)
    assert new.items.get().statement_id == failed.pk
    assert "户名不符" not in services.payout_transfer_file(new).decode("utf-8-sig")
    assert approved[1].reference not in services.payout_transfer_file(batch).decode("utf-8-sig")


def test_results_before_marking_paid_xlsx_english(approved, admin_user):
    batch = services.payout_batch_create(statement_ids=[s.pk for s in approved], by_user=admin_user)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["memo", "status", "reason"])
    sheet.append([approved[0].reference, "success", None])
    sheet.append([approved[1].reference, "failed", "card frozen"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = services.payout_results_import(batch_id=batch.pk, source=buffer.getvalue(), filename="r.xlsx")
    assert report.ok and (report.paid, report.failed) == (1, 1)
    paid = MonthlyStatement.objects.get(pk=approved[0].pk)
    assert paid.status == "paid" and paid.payout_reference
    batch.refresh_from_db()
    assert batch.status == "paid"  # nothing left pending
    assert MonthlyStatement.objects.get(pk=approved[1].pk).payout_failure == "card frozen"


def test_bad_results_rows_change_nothing(approved, admin_user):
    batch = services.payout_batch_create(statement_ids=[s.pk for s in approved], by_user=admin_user)
    content = csv_bytes(["memo", "status"], [[approved[0].reference, "failed"], ["RT999999-000001", "success"],
                                             [approved[1].reference, "maybe"]])  # fmt: skip
    response = admin_api(admin_user).post(f"/api/v1/payouts/{batch.pk}/results/", {"file": io.BytesIO(content)},
                                          format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "memo"), (4, "status")]
    assert set(PayoutItem.objects.values_list("status", flat=True)) == {"pending"}
    assert MonthlyStatement.objects.get(pk=approved[0].pk).payout_failure == ""


def test_pages(admin_client_en, approved, admin_user):
    assert admin_client_en.get("/payouts/").status_code == 200
    response = admin_client_en.post("/payouts/new/", {"statement": [approved[0].pk]})
    batch = PayoutBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payouts/{batch.pk}/"
    page = admin_client_en.get(f"/payouts/{batch.pk}/").content.decode()
    assert "13812345678" in page and approved[0].reference in page
    assert admin_client_en.get(f"/payouts/{batch.pk}/transfer-file.csv").content.startswith(b"\xef\xbb\xbf")
    admin_client_en.post(f"/payouts/{batch.pk}/paid/", {"reference": "ALI-1", "paid_on": "2025-02-10"})
    assert MonthlyStatement.objects.get(pk=approved[0].pk).payout_reference == "ALI-1"
    upload = io.BytesIO(csv_bytes(["memo", "status", "reason"], [[approved[0].reference, "failed", "退回"]]))
    upload.name = "results.csv"
    admin_client_en.post(f"/payouts/{batch.pk}/results/", {"file": upload})
    assert MonthlyStatement.objects.get(pk=approved[0].pk).status == "approved"
    # The month form makes a batch of the rest.
    admin_client_en.post("/payouts/new/", {"month": "2025-01", "county": "", "province": ""})
    assert PayoutBatch.objects.count() == 2


def test_account_masked_for_anyone_but_admins(approved, admin_user, carol):
    from payouts.selectors import account_shown_to

    assert account_shown_to(admin_user, "6222021234567890123") == "6222021234567890123"
    assert account_shown_to(carol, "6222021234567890123") == "622************0123"
    assert account_shown_to(carol, "wang@example.com") == "wa***@example.com"


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dave"])
def test_partners_and_county_staff_get_403(approved, admin_user, alice, bob, carol, dave, client, who):
    batch = services.payout_batch_create(statement_ids=[approved[0].pk], by_user=admin_user)
    user = {"alice": alice.user, "bob": bob.user, "carol": carol, "dave": dave}[who]
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/payouts/").status_code == 403
    assert api.post("/api/v1/payouts/", {"statements": [approved[1].pk]}, format="json").status_code == 403
    assert api.get(f"/api/v1/payouts/{batch.pk}/").status_code == 403
    assert api.get(f"/api/v1/payouts/{batch.pk}/transfer-file/").status_code == 403
    assert api.post(f"/api/v1/payouts/{batch.pk}/paid/", {"reference": "X", "paid_on": "2025-02-10"},
                    format="json").status_code == 403  # fmt: skip
    assert api.post(f"/api/v1/payouts/{batch.pk}/results/", {}, format="multipart").status_code == 403
    client.force_login(user)
    for path in ("/payouts/", f"/payouts/{batch.pk}/", f"/payouts/{batch.pk}/transfer-file.csv"):
        assert client.get(path).status_code == 403
    assert client.post(f"/payouts/{batch.pk}/paid/", {"reference": "X", "paid_on": "2025-02-10"}).status_code == 403
    assert PayoutBatch.objects.get().status == "open"
    assert APIClient().get("/api/v1/payouts/").status_code == 401


def test_another_partner_cannot_see_statements(alice, bob, admin_user):
    approved_statement(alice, approver=admin_user)
    api = APIClient()
    api.force_authenticate(bob.user)
    assert api.get("/api/v1/statements/").status_code == 403
    rows = api.get("/api/v1/partners/me/statements/").json()["results"]
    assert rows == []


def test_race_two_batches_one_statement(approved, admin_user, monkeypatch):
    """The check passed for both, the partial unique index decides: 409, no second batch."""
    services.payout_batch_create(statement_ids=[approved[0].pk], by_user=admin_user)
    monkeypatch.setattr(PayoutItem.objects, "filter", lambda *a, **k: PayoutItem.objects.none(), raising=False)
    with pytest.raises(Conflict):
        services.payout_batch_create(statement_ids=[approved[0].pk], by_user=admin_user)
    assert PayoutBatch.objects.count() == 1


def test_many_partners(admin_user, county_a):
    partners = [PartnerFactory(active=True, village=VillageFactory(county=county_a)) for _ in range(5)]
    for p in partners:
        give_account(p, account=f"1390000{p.pk:04d}")
        approved_statement(p, approver=admin_user)
    batch = services.payout_batch_create(month=MONTH, county_code=county_a.code, by_user=admin_user)
    assert batch.items.count() == 5


def test_ids_out_of_range(admin_user):
    client = admin_api(admin_user)
    huge = 10**20
    assert client.get(f"/api/v1/payouts/{huge}/").status_code == 404
    assert client.post(f"/api/v1/statements/{huge}/approve/").status_code == 404
    assert client.post(f"/api/v1/payouts/{huge}/paid/", {"reference": "X", "paid_on": "2025-02-10"}).status_code == 404
    response = client.post("/api/v1/payouts/", {"statements": [huge]}, format="json")
    assert response.status_code == 400 and "statements" in response.json()
