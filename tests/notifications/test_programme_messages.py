"""The programme's own texts (issue 16): the partner hears when a statement is paid, the
applicant when their application moves; nothing for a move that is refused, nothing for
a working partner's suspension."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from analytics import statements
from analytics.models import MonthlyStatement
from notifications.models import Message
from partners.models import PartnerStatus
from partners.services import PartnerTransitionError, partner_transition
from rural_taobao.errors import Conflict
from rural_taobao.sms import SMS_SEGMENT_CHARS
from tests.support.partners import partner_in
from tests.support.statements import approved_statement, closed_statement

pytestmark = pytest.mark.django_db


def texts_to(phone):
    return list(Message.objects.filter(to=phone).order_by("pk").values_list("template", "text"))


# ── Statement paid ────────────────────────────────────────────────────────────


def test_a_paid_statement_texts_its_partner_the_month_the_amount_and_the_day(alice, bob, admin_user):
    # given
    a = approved_statement(alice, approver=admin_user, total="1234.50")
    b = approved_statement(bob, approver=admin_user, total="88.00")
    # when
    statements.statements_mark_paid(statement_ids=[a.pk, b.pk], reference="BANK-7", paid_on=dt.date(2025, 2, 10))
    # then
    month = a.month
    assert texts_to(alice.phone) == [
        ("statement_paid", f"【农村淘宝】您{month.year}年{month.month}月的佣金¥1,234.50已于2月10日打款，请查收。")
    ]
    assert texts_to(bob.phone) == [
        ("statement_paid", f"【农村淘宝】您{month.year}年{month.month}月的佣金¥88.00已于2月10日打款，请查收。")
    ]


def test_paying_again_with_the_same_reference_texts_nobody_twice(alice, admin_user):
    statement = approved_statement(alice, approver=admin_user)
    statements.statements_mark_paid(statement_ids=[statement.pk], reference="BANK-1", paid_on=dt.date(2025, 2, 10))
    statements.statements_mark_paid(statement_ids=[statement.pk], reference="BANK-1", paid_on=dt.date(2025, 2, 10))
    assert [t for t, _ in texts_to(alice.phone)] == ["statement_paid"]


def test_a_refused_payment_texts_nobody(alice, bob, admin_user):
    good = approved_statement(alice, approver=admin_user)
    closed = closed_statement(bob)
    with pytest.raises(Conflict):
        statements.statements_mark_paid(statement_ids=[good.pk, closed.pk], reference="B", paid_on=dt.date(2025, 2, 1))
    assert Message.objects.filter(template="statement_paid").count() == 0
    assert MonthlyStatement.objects.get(pk=good.pk).status == "approved"


def test_the_payout_batch_marked_paid_through_the_api_texts_the_partner(alice, admin_user):
    from tests.support.statements import give_account

    give_account(alice)
    statement = approved_statement(alice, approver=admin_user, total="321.00")
    client = APIClient()
    client.force_authenticate(admin_user)
    batch = client.post("/api/v1/payouts/", {"statements": [statement.pk]}, format="json")
    assert batch.status_code == 201, batch.content
    paid = client.post(
        f"/api/v1/payouts/{batch.json()['id']}/paid/",
        {"reference": "ALI-99", "paid_on": "2025-02-11"},
        format="json",
    )
    assert paid.status_code == 200, paid.content
    assert texts_to(alice.phone) == [
        (
            "statement_paid",
            f"【农村淘宝】您{statement.month.year}年{statement.month.month}月的佣金¥321.00已于2月11日打款，请查收。",
        )
    ]


# ── Application moves ─────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "from_status, to_status, words",
    [
        (PartnerStatus.APPLIED, PartnerStatus.REVIEWING, "已进入审核"),
        (PartnerStatus.REVIEWING, PartnerStatus.APPROVED, "已通过审核"),
        (PartnerStatus.REVIEWING, PartnerStatus.REJECTED, "未通过"),
        (PartnerStatus.APPROVED, PartnerStatus.TRAINING, "培训"),
    ],
)
def test_each_move_of_an_application_texts_the_applicant(from_status, to_status, words, admin_user):
    partner = partner_in(from_status, real_name="王小明")
    partner_transition(partner_id=partner.pk, to_status=to_status, by_user=admin_user, reason="村里已有服务站")
    [(template, text)] = texts_to(partner.phone)
    assert template == f"application_{to_status}"
    assert text.startswith("【农村淘宝】王小明您好，")
    assert words in text
    assert len(text) <= SMS_SEGMENT_CHARS


def test_activation_texts_the_login_and_a_short_set_password_link(admin_user):
    partner = partner_in(PartnerStatus.TRAINING, real_name="王小明")
    partner_transition(partner_id=partner.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    [(template, text)] = texts_to(partner.phone)
    assert template == "application_active"
    assert text.startswith("【农村淘宝】您已成为合伙人，账号是本手机号，请设置密码：http://127.0.0.1:8000/s/")
    assert len(text) <= SMS_SEGMENT_CHARS


def test_a_long_name_is_shortened_so_the_text_stays_one_segment(admin_user):
    partner = partner_in(PartnerStatus.APPROVED, real_name="阿卜杜热合曼·买买提艾力")
    partner_transition(partner_id=partner.pk, to_status=PartnerStatus.TRAINING, by_user=admin_user)
    [(_, text)] = texts_to(partner.phone)
    assert text.startswith("【农村淘宝】阿卜杜热合曼·…您好")
    assert len(text) <= SMS_SEGMENT_CHARS


def test_a_refused_or_unexplained_move_texts_nobody(alice, admin_user):
    applicant = partner_in(PartnerStatus.APPLIED)
    with pytest.raises(PartnerTransitionError):
        partner_transition(partner_id=applicant.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    with pytest.raises(ValidationError):
        partner_transition(partner_id=applicant.pk, to_status=PartnerStatus.REJECTED, by_user=admin_user, reason=" ")
    assert texts_to(applicant.phone) == []


def test_a_working_partners_suspension_is_not_an_application_move(alice, admin_user):
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.SUSPENDED, by_user=admin_user, reason="投诉")
    assert texts_to(alice.phone) == []
