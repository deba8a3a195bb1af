"""Statement approval: closed → approved (409 otherwise), bulk, mark paid, payout failed;
the admins' list and page, and who may use them."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from analytics import statements
from analytics.models import MonthlyStatement, StatementStatus
from rural_taobao.errors import Conflict, InvalidInput
from tests.support.statements import MONTH, approved_statement, closed_statement

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_approve_records_who_and_when(alice, admin_user):
    statement = closed_statement(alice)
    statements.statement_approve(statement_id=statement.pk, by_user=admin_user)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
    assert statement.approved_by == admin_user
    assert statement.approved_at is not None


@pytest.mark.parametrize("status", ["open", "approved", "paid"])
def test_approve_is_409_unless_closed(alice, admin_user, status):
    statement = MonthlyStatement.objects.create(partner=alice, month=MONTH, status="open")
    if status != "open":
        statement = closed_statement(alice, month=dt.date(2025, 2, 1), status=status)
    with pytest.raises(Conflict):
        statements.statement_approve(statement_id=statement.pk, by_user=admin_user)
    response = api(admin_user).post(f"/api/v1/statements/{statement.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["status"] == status


def test_bulk_approve_reports_each(alice, bob, admin_user):
    a = closed_statement(alice)
    b = closed_statement(bob)
    already = approved_statement(alice, month=dt.date(2024, 12, 1), approver=admin_user)
    results = statements.statements_approve(ids=[b.pk, a.pk, already.pk, 999999], by_user=admin_user)
    by_id = {r.id: r for r in results}
    assert by_id[a.pk].ok and by_id[b.pk].ok
    assert not by_id[already.pk].ok and by_id[already.pk].status == "approved"
    assert not by_id[999999].ok
    assert MonthlyStatement.objects.filter(status="approved").count() == 3


def test_mark_paid_and_payout_failed(alice, admin_user):
    statement = approved_statement(alice, approver=admin_user)
    with pytest.raises(InvalidInput):
        statements.statements_mark_paid(statement_ids=[statement.pk], reference=" ", paid_on=dt.date(2025, 2, 10))
    statements.statements_mark_paid(statement_ids=[statement.pk], reference="BANK-1", paid_on=dt.date(2025, 2, 10))
    statement.refresh_from_db()
    assert (statement.status, statement.payout_reference, statement.paid_on) == ("paid", "BANK-1", dt.date(2025, 2, 10))
    statements.statement_payout_failed(statement_id=statement.pk, reason="account closed")
    statement.refresh_from_db()
    assert (statement.status, statement.payout_failure, statement.paid_on, statement.payout_reference) == (
        "approved",
        "account closed",
        None,
        "",
    )


def test_mark_paid_refuses_a_closed_statement(alice):
    statement = closed_statement(alice)
    with pytest.raises(Conflict):
        statements.statements_mark_paid(statement_ids=[statement.pk], reference="B", paid_on=dt.date(2025, 2, 1))
    assert MonthlyStatement.objects.get(pk=statement.pk).status == "closed"


def test_list_api_filters(alice, bob, admin_user, county_a):
    closed_statement(alice)
    closed_statement(bob)
    approved_statement(alice, month=dt.date(2024, 12, 1), approver=admin_user)
    client = api(admin_user)
    rows = client.get("/api/v1/statements/", {"month": "2025-01"}).json()["results"]
    assert {r["partner"] for r in rows} == {alice.pk, bob.pk}
    rows = client.get("/api/v1/statements/", {"county": county_a.code}).json()["results"]
    assert {(r["month"], r["county"]) for r in rows} == {("2025-01", "410225"), ("2024-12", "410225")}
    rows = client.get("/api/v1/statements/", {"status": "approved"}).json()["results"]
    assert [r["month"] for r in rows] == ["2024-12"]
    assert rows[0]["approved_by"] == "admin" and rows[0]["partner_name"] == alice.real_name
    assert set(rows[0]) >= {"commission", "incentive", "clawbacks", "adjustments", "total", "paid_on",
                            "payout_reference", "payout_failure", "approved_at"}  # fmt: skip
    assert client.get("/api/v1/statements/", {"month": "2025-13"}).status_code == 400


@pytest.mark.parametrize("who", ["alice", "carol", "anonymous"])
def test_only_admins_use_the_statement_api(alice, carol, who):
    statement = closed_statement(alice)
    user = {"alice": alice.user, "carol": carol, "anonymous": None}[who]
    expected = 401 if user is None else 403
    assert api(user).get("/api/v1/statements/").status_code == expected
    assert api(user).post(f"/api/v1/statements/{statement.pk}/approve/").status_code == expected
    assert MonthlyStatement.objects.get(pk=statement.pk).status == "closed"


def test_page_lists_totals_and_approves(admin_client_en, alice, bob):
    a = closed_statement(alice, total="100.00")
    b = closed_statement(bob, total="50.50")
    page = admin_client_en.get("/statements/", {"month": "2025-01"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-statement="{a.pk}"' in html and "¥150.50" in html
    response = admin_client_en.post("/statements/approve/", {"statement": [a.pk]})
    assert response.status_code == 302
    assert MonthlyStatement.objects.get(pk=a.pk).status == "approved"
    assert MonthlyStatement.objects.get(pk=b.pk).status == "closed"
    admin_client_en.post("/statements/approve/", {"all_closed": "1", "month": "2025-01", "county": ""})
    assert MonthlyStatement.objects.get(pk=b.pk).status == "approved"


def test_approve_all_of_a_month_keeps_to_the_county(admin_client_en, alice, bob, county_a):
    a = closed_statement(alice)
    b = closed_statement(bob)
    admin_client_en.post("/statements/approve/", {"all_closed": "1", "month": "2025-01", "county": county_a.code})
    assert MonthlyStatement.objects.get(pk=a.pk).status == "approved"
    assert MonthlyStatement.objects.get(pk=b.pk).status == "closed"


def test_page_is_for_admins(client, alice, carol):
    closed_statement(alice)
    for user in (alice.user, carol):
        client.force_login(user)
        assert client.get("/statements/").status_code == 403
        assert client.post("/statements/approve/", {"all_closed": "1", "month": "2025-01"}).status_code == 403
    assert MonthlyStatement.objects.get().status == "closed"
