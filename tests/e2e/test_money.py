"""Journey: a partner watches one order's commission go pending → payable → paid, with the
payout reference, on the income page, and disputes the paid statement — on a 360 px phone.

The browser is the partner's; the platform feed, the nightly pipeline and the admin's
approval and payout run through the services in the test process (the live server shares
the database). Time is driven by the pipeline's ``as_of`` (the night it runs for), never by
sleeping: the platform's confirmation is dated so that the return window ends on the day
``ends`` (tomorrow, or the day after when tomorrow is a month's last day, so that the
statement stays open on the night the commission becomes payable)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from analytics import settlement
from analytics.models import Dispute, DisputeStatus, MonthlyStatement, StatementStatus
from analytics.statements import statement_approve
from orders.platform_feed import platform_orders_import
from orders.reconciliation import reconcile_orders
from orders.services import order_platform_numbers_add
from partners.models import CommissionRate
from payouts.models import PayoutBatch
from payouts.services import payout_batch_create, payout_batch_mark_paid
from rural_taobao import dates
from tests.support.dates import shanghai
from tests.support.factories import CategoryFactory, UserFactory, VillagerFactory
from tests.support.import_files import csv_bytes
from tests.support.orders import make_order
from tests.support.statements import give_account

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests.support.factories.UserFactory
PLATFORM_NO = "4100123456789012345"
REFERENCE = "ALIPAY-2026-0042"
COMMISSION = "¥64.95"  # 5 % of ¥1,299.00
ZERO = "¥0.00"
FEED_HEADER = ["platform_order_no", "status", "amount", "paid_at", "confirmed_at", "refunded_amount", "refunded_at"]
DAY = dt.timedelta(days=1)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def zh(label) -> str:
    """A status label as the zh-CN page shows it."""
    with translation.override("zh-hans"):
        return str(label)


def nightly_run(night: dt.date) -> None:
    """The nightly pipeline's money steps (analytics.rollups._settle) on the night after
    `night`: reconcile the orders against the platform records, settle what fell due up to
    `night`, rebuild the open statements and close the months that ended."""
    reconcile_orders()
    settlement.settle(as_of=night)


def money(page) -> tuple[str, str, str]:
    return tuple(page.locator(f"#money-{k}").inner_text().strip() for k in ("pending", "payable", "paid"))


def test_a_partner_sees_pending_then_payable_then_paid_with_the_reference(
    phone_page, login, alice, console_errors, screenshot
):
    page = phone_page
    today = dates.shanghai_today()
    ends = today + DAY if dates.month_start(today + 2 * DAY) == dates.month_start(today + DAY) else today + 2 * DAY
    month = dates.month_start(ends)  # the statement the commission lands on
    confirmed_at = shanghai(ends - dt.timedelta(days=settings.RETURN_WINDOW_DAYS), 9, 30)
    paid_at = confirmed_at - dt.timedelta(days=3)
    ops = UserFactory(username="ops", is_staff=True, groups=["admin"])
    give_account(alice, account="13812345678")

    # given: a working partner with a paid order (5 % commission) carrying a Taobao order number
    appliances = CategoryFactory(slug="appliances", name_zh="家电", name_en="Home appliances")
    CommissionRate.objects.create(category=appliances, rate=Decimal("0.0500"), effective_from=dt.date(2020, 1, 1))
    order = make_order(
        partner=alice,
        villager=VillagerFactory(partner=alice, name="张大妈", phone="13912345678"),
        lines=[(appliances, 1, Decimal("1299.00"))],
        paid_at=paid_at,
    )
    order_platform_numbers_add(order=order, numbers=[PLATFORM_NO], by_user=alice.user)
    login(page, alice.user.username, PASSWORD)
    # when: the partner opens the income page on the phone
    page.goto(f"{page.base_url}/partner/income/")
    # then: the commission is pending, nothing is payable or paid, no statement yet
    assert money(page) == (COMMISSION, ZERO, ZERO)
    expect(page.locator("#kpi-commission")).to_have_text(ZERO)
    expect(page.locator("#kpi-total")).to_have_text(ZERO)
    expect(page.locator("#statement-badge")).to_have_text(zh(StatementStatus.OPEN.label))
    expect(page.locator("#statement-list tbody tr[data-status]")).to_have_count(0)
    assert fits(page)

    # when: the platform's record arrives confirmed (确认收货), and the pipeline runs the night
    # before the return window ends
    feed = csv_bytes(
        FEED_HEADER,
        [
            [
                PLATFORM_NO,
                "交易成功",
                "1,299.00",
                f"{paid_at:%Y-%m-%d %H:%M:%S}",
                f"{confirmed_at:%Y-%m-%d %H:%M:%S}",
                "",
                "",
            ]
        ],
    )
    report = platform_orders_import(source=feed, filename="seller-centre.csv", by_user=ops)
    assert (report.errors, report.created) == ([], 1)
    nightly_run(ends - DAY)
    income = f"{page.base_url}/partner/income/?month={month:%Y-%m}"
    page.goto(income)
    # then: still pending — the platform confirmed it, but the return window is not over
    assert money(page) == (COMMISSION, ZERO, ZERO)
    expect(page.locator("#kpi-commission")).to_have_text(ZERO)

    # when: the pipeline runs the night the return window has passed
    nightly_run(ends)
    page.reload()
    # then: the same commission is payable, on the month's open statement
    assert money(page) == (ZERO, COMMISSION, ZERO)
    expect(page.locator("#statement-badge")).to_have_text(zh(StatementStatus.OPEN.label))
    expect(page.locator("#kpi-commission")).to_have_text(COMMISSION)
    expect(page.locator("#kpi-total")).to_have_text(COMMISSION)
    entry = page.locator("#statement-entries tbody tr.entry-payable")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(order.order_no)
    expect(entry).to_contain_text(COMMISSION)
    row = page.locator("#statement-list tbody tr[data-status]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "open")
    expect(row).to_contain_text(f"{month:%Y-%m}")
    expect(row).to_contain_text(COMMISSION)
    expect(page.locator("#dispute-form")).to_have_count(0)  # an open statement cannot be disputed
    assert fits(page)
    screenshot(page, "income-payable-phone")

    # when: the month closes, an admin approves it, makes a batch and marks it paid
    nightly_run(dates.next_month(month) - DAY)
    statement = MonthlyStatement.objects.get(partner=alice, month=month)
    assert (statement.status, statement.total) == (StatementStatus.CLOSED, Decimal("64.95"))
    statement_approve(statement_id=statement.pk, by_user=ops)
    batch = payout_batch_create(month=month, by_user=ops)
    assert batch.items.get().statement_id == statement.pk
    payout_batch_mark_paid(batch_id=batch.pk, reference=REFERENCE, paid_on=today, by_user=ops)
    assert PayoutBatch.objects.get(pk=batch.pk).status == "paid"
    page.reload()
    # then: the statement is paid, with the day and the payout reference
    assert money(page) == (ZERO, ZERO, COMMISSION)
    expect(page.locator("#statement-badge")).to_have_text(zh(StatementStatus.PAID.label))
    expect(page.locator("#statement-badge")).to_have_class(re.compile(r"\bbadge-statement-paid\b"))
    expect(page.locator("#statement-status")).to_contain_text(today.isoformat())
    expect(page.locator("#statement-status")).to_contain_text(REFERENCE)
    expect(row).to_have_attribute("data-status", "paid")
    expect(row.locator("td").nth(1)).to_have_text(zh(StatementStatus.PAID.label))
    expect(row.locator("td").nth(3)).to_have_text(f"{today.isoformat()} {REFERENCE}")
    expect(row).to_contain_text(COMMISSION)
    assert fits(page)

    # when: the partner disputes the paid statement from the page
    expect(page.locator(".dispute")).to_have_count(0)
    page.fill("#dispute-form #id_message", "张大妈的电饭煲佣金应该是65元，不是64.95元。")
    page.click("#dispute-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/partner/income/\?month={month:%Y-%m}#disputes$"))
    # then: the dispute is listed, open, awaiting an answer
    dispute = page.locator("#disputes .dispute")
    expect(dispute).to_have_count(1)
    expect(dispute).to_have_class(re.compile(r"\bdispute-open\b"))
    expect(dispute.locator(".badge")).to_have_text(zh(DisputeStatus.OPEN.label))
    expect(dispute).to_contain_text(f"{month:%Y-%m}")
    expect(dispute).to_contain_text("张大妈的电饭煲佣金应该是65元，不是64.95元。")
    expect(dispute.locator(".muted")).to_have_count(0)  # no answer yet
    expect(page.locator(".messages .msg-success")).to_have_count(1)
    saved = Dispute.objects.get()
    assert (saved.partner_id, saved.statement_id, saved.order_id, saved.status) == (
        alice.pk,
        statement.pk,
        None,
        DisputeStatus.OPEN,
    )
    assert fits(page)
    screenshot(page, "income-paid-disputed-phone")
    assert console_errors == []
