"""Journey: an admin approves last month's statements, makes a payout batch, downloads the
transfer file and marks the batch paid — on a 360 px phone."""

import datetime as dt
from pathlib import Path

import pytest

from analytics.models import MonthlyStatement
from payouts.models import PayoutBatch
from rural_taobao import dates
from tests.support.factories import UserFactory
from tests.support.statements import closed_statement, give_account

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_admin_approves_a_month_and_pays_it(phone_page, login, alice, bob, console_errors, screenshot):
    page = phone_page
    UserFactory(username="ops", password="ops12345", is_staff=True, groups=["admin"])
    month = dates.add_months(dates.this_month(), -1)
    give_account(alice, account="13812345678")
    give_account(bob, kind="bank", account="6222021234567890123", bank_name="工商银行")
    statements = [closed_statement(alice, month=month, total="88.80"), closed_statement(bob, month=month)]
    login(page, "ops", "ops12345")

    page.goto(f"{page.base_url}/statements/")  # last month by default
    assert page.locator("#statements-list tbody tr").count() == 2
    assert fits(page)
    page.click("#approve-all-closed")
    page.wait_for_load_state()
    assert set(MonthlyStatement.objects.values_list("status", flat=True)) == {"approved"}

    page.goto(f"{page.base_url}/payouts/")
    assert fits(page)
    page.fill("#id_month", f"{month:%Y-%m}")
    page.click("#new-batch-submit")
    page.wait_for_url("**/payouts/*/")
    batch = PayoutBatch.objects.get()
    assert page.locator("#batch-items tbody tr").count() == 2
    screenshot(page, "payout-batch-phone")

    with page.expect_download() as download:
        page.click("#transfer-file")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and statements[0].reference.encode() in content

    page.fill("#id_reference", "ICBC-20250210")
    page.fill("#id_paid_on", dt.date.today().isoformat())
    page.click("#mark-paid")
    page.wait_for_load_state()
    assert page.locator("#batch-status").get_attribute("data-status") == "paid"
    batch.refresh_from_db()
    assert batch.status == "paid"
    assert set(MonthlyStatement.objects.values_list("status", "payout_reference")) == {("paid", "ICBC-20250210")}
    assert console_errors == []
