"""Payout accounts: validation, the partner's password, history with who, masked display."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from partners.models import PayoutAccount
from partners.payout_accounts import clean_payout_account, payout_account_set
from rural_taobao.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-1"  # tests/support/factories.UserFactory


@pytest.mark.parametrize(
    ("kind", "account", "bank", "stored"),
    [
        ("alipay", "138 1234 5678", "", "13812345678"),
        ("alipay", "Wang.Ai@Example.com", "", "wang.ai@example.com"),
        ("bank", "6222 0212 3456 7890 123", "工商银行", "6222021234567890123"),
        ("bank", "622202123456", "农业银行", "622202123456"),
    ],
)
def test_good_accounts(kind, account, bank, stored):
    assert clean_payout_account(holder_name="王爱丽", kind=kind, account=account, bank_name=bank)["account"] == stored


@pytest.mark.parametrize(
    ("kind", "account", "bank", "field"),
    [
        ("alipay", "12345", "", "account"),
        ("alipay", "not an email", "", "account"),
        ("bank", "62220212345", "工商银行", "account"),  # 11 digits
        ("bank", "62220212345678901234", "工商银行", "account"),  # 20 digits
        ("bank", "6222021234567890", "", "bank_name"),
        ("wechat", "13812345678", "", "kind"),
    ],
)
def test_bad_accounts(kind, account, bank, field):
    with pytest.raises(ValidationError) as caught:
        clean_payout_account(holder_name="王爱丽", kind=kind, account=account, bank_name=bank)
    assert field in caught.value.message_dict


def test_holder_name_cannot_be_a_formula():
    with pytest.raises(ValidationError) as caught:
        clean_payout_account(holder_name="=cmd|' /C calc'!A0", kind="alipay", account="13812345678")
    assert "holder_name" in caught.value.message_dict


def test_partner_needs_the_password(alice):
    with pytest.raises(InvalidInput) as caught:
        payout_account_set(partner=alice, holder_name="王爱丽", kind="alipay", account="13812345678",
                           by_user=alice.user, password="wrong")  # fmt: skip
    assert "password" in caught.value.errors
    assert not PayoutAccount.objects.exists()
    payout_account_set(partner=alice, holder_name="王爱丽", kind="alipay", account="13812345678",
                       by_user=alice.user, password=PASSWORD)  # fmt: skip
    assert PayoutAccount.objects.get().account == "13812345678"


def test_another_partner_cannot_set_it(alice, bob):
    with pytest.raises(Forbidden):
        payout_account_set(partner=alice, holder_name="李博", kind="alipay", account="13900000000",
                           by_user=bob.user, password=PASSWORD)  # fmt: skip


def test_history_records_who(alice, admin_user):
    payout_account_set(partner=alice, holder_name="王爱丽", kind="alipay", account="13812345678",
                       by_user=alice.user, password=PASSWORD)  # fmt: skip
    payout_account_set(partner=alice, holder_name="王爱丽", kind="bank", account="6222021234567890",
                       bank_name="工商银行", by_user=admin_user)  # fmt: skip
    # The same values again: no new history row.
    payout_account_set(partner=alice, holder_name="王爱丽", kind="bank", account="6222021234567890",
                       bank_name="工商银行", by_user=admin_user)  # fmt: skip
    account = PayoutAccount.objects.get()
    history = list(account.history.order_by("history_date").values_list("account", "history_user__username"))
    assert history == [("13812345678", alice.user.username), ("6222021234567890", "admin")]
    assert account.updated_by == admin_user


def test_partner_page_wrong_password_saves_nothing(client, alice):
    client.force_login(alice.user)
    assert client.get("/partner/payout-account/").status_code == 200
    body = {"holder_name": "王爱丽", "kind": "alipay", "account": "13812345678", "bank_name": "", "password": "nope"}
    response = client.post("/partner/payout-account/", body)
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not PayoutAccount.objects.exists()
    response = client.post("/partner/payout-account/", {**body, "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/partner/payout-account/").content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_partner_page_is_for_partners(client, carol, admin_user):
    for user in (carol, admin_user):
        client.force_login(user)
        assert client.get("/partner/payout-account/").status_code == 403


def test_api_masks_and_needs_password(alice, bob):
    client = APIClient()
    client.force_authenticate(alice.user)
    assert client.get("/api/v1/partners/me/payout-account/").status_code == 404
    body = {"holder_name": "王爱丽", "kind": "bank", "account": "6222021234567890123", "bank_name": "工商银行"}
    assert client.put("/api/v1/partners/me/payout-account/", body, format="json").status_code == 400  # no password
    response = client.put("/api/v1/partners/me/payout-account/", {**body, "password": "bad"}, format="json")
    assert response.status_code == 400 and "password" in response.json()
    response = client.put("/api/v1/partners/me/payout-account/", {**body, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["account"] == "622************0123"
    got = client.get("/api/v1/partners/me/payout-account/").json()
    assert got["account"] == "622************0123" and got["bank_name"] == "工商银行"
    # bob sees only his own (none).
    client.force_authenticate(bob.user)
    assert client.get("/api/v1/partners/me/payout-account/").status_code == 404


@pytest.mark.parametrize("who", ["carol", "admin"])
def test_api_is_for_partners(carol, admin_user, who):
    client = APIClient()
    client.force_authenticate({"carol": carol, "admin": admin_user}[who])
    assert client.get("/api/v1/partners/me/payout-account/").status_code == 403


def test_admin_sets_it_on_the_onboarding_page(admin_client_en, alice, client, carol):
    body = {"holder_name": "王爱丽", "kind": "alipay", "account": "wang@example.com", "bank_name": ""}
    response = admin_client_en.post(f"/onboarding/partners/{alice.pk}/payout-account/", body)
    assert response.status_code == 302
    assert PayoutAccount.objects.get(partner=alice).updated_by.username == "admin"
    page = admin_client_en.get(f"/onboarding/partners/{alice.pk}/").content.decode()
    assert "wang@example.com" in page  # admins see it in full
    client.force_login(carol)
    assert client.post(f"/onboarding/partners/{alice.pk}/payout-account/", body).status_code == 403


def test_django_admin_keeps_history(admin_client_en, alice):
    response = admin_client_en.post(
        "/admin/partners/payoutaccount/add/",
        {"partner": alice.pk, "holder_name": "王爱丽", "kind": "bank", "account": "1234", "bank_name": "工商银行"},
    )
    assert response.status_code == 200  # the card is too short
    assert not PayoutAccount.objects.exists()
    response = admin_client_en.post(
        "/admin/partners/payoutaccount/add/",
        {
            "partner": alice.pk,
            "holder_name": "王爱丽",
            "kind": "bank",
            "account": "6222 0212 3456 7890",
            "bank_name": "工商银行",
        },  # fmt: skip
    )
    assert response.status_code == 302
    account = PayoutAccount.objects.get()
    assert account.account == "6222021234567890"
    assert account.history.get().history_user.username == "admin"
