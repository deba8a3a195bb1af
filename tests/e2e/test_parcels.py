"""Journeys of a parcel from the county centre to the villager's hands, in real Chromium (issue 16).

erin, centre staff of 兰考县, logs in and lands on /centre/; she pastes the waybill numbers
of 20 of alice's shipped parcels (and one nobody knows) into the receive box: the report
says 20 moved and names the unknown number, the figures show 20 at the centre; she ticks
alice's service point and dispatches the run: 20 moved, 20 at service points, and 20
villagers are texted a pickup code. On a 360 px phone the centre page fits the screen.

alice, on a 360 px phone, finds 3 parcels arriving on her home page, ticks them and marks
them arrived; on one order's page she first types a wrong code (refused, the parcel stays
at the service point), then the one the villager was texted (read from the SMS outbox, as
the villager reads it): the order is picked up. Both pages fit the screen.

Screenshots land in test-artifacts/. The live server shares the database with the test."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import Message
from orders.models import Order, OrderStatus, PickupCode
from orders.services import order_transition
from tests.support.orders import move_to, pickup_code_of, place_order

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests.support.factories.UserFactory
UNKNOWN = "SF9999999999"


def fits(page) -> bool:
    """Nothing wider than the 360 px screen: the page does not scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= 360")


def counted(n: int) -> re.Pattern:
    """A text stating the count ``n`` (in whichever words the page's language uses)."""
    return re.compile(rf"(^|\D){n}(\D|$)")


def shipped_parcels(partner, n: int) -> list[Order]:
    """``n`` orders of ``partner``, each for a villager of their own, shipped with a waybill number."""
    orders = []
    for i in range(n):
        order = move_to(
            place_order(partner, villager_phone=f"1390{partner.pk % 1000:03d}{i:04d}", villager_name=f"村民{i + 1}号"),
            OrderStatus.PAID,
        )
        orders.append(
            order_transition(
                order_id=order.pk,
                to_status=OrderStatus.SHIPPED,
                by_user=partner.user,
                carrier="顺丰",
                tracking_no=f"SF{partner.pk:04d}{i:06d}",
            )
        )
    return orders


def receive(page, numbers: list[str]) -> None:
    """Paste the numbers, one a line, and receive them."""
    page.fill("#id_numbers", "\n".join(numbers))
    page.click("#receive-submit")
    page.wait_for_url("**/centre/receive/")


def test_centre_staff_receive_20_pasted_parcels_and_dispatch_the_run(page, login, console_errors, alice, erin):
    parcels = shipped_parcels(alice, 20)
    pickup_messages = Message.objects.filter(template="pickup_code")
    assert pickup_messages.count() == 0

    # given erin, county centre staff of 兰考县: the home page sends her to the centre
    login(page, "erin", PASSWORD)
    page.wait_for_url("**/centre/")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^zh"))
    expect(page.locator("#kpi-expected")).to_have_text("20")
    expect(page.locator("#kpi-at-centre")).to_have_text("0")
    expect(page.locator("#kpi-at-service-points")).to_have_text("0")
    expect(page.locator("#centre-report")).to_have_count(0)
    expect(page.locator("#dispatch-empty")).to_be_visible()  # nothing at the centre yet

    # when she pastes the 20 waybill numbers and one nobody knows (lower-cased, as typed)
    receive(page, [p.tracking_no for p in parcels] + [UNKNOWN.lower()])

    # then the report: 20 moved, the unknown number named, the figures moved on
    report = page.locator("#centre-report")
    expect(report).to_be_visible()
    expect(page.locator("#report-moved")).to_have_text(counted(20))
    expect(page.locator("#report-not-found")).to_have_text(counted(1))
    expect(page.locator("#report-already")).to_have_count(0)
    expect(page.locator("#report-illegal")).to_have_count(0)
    problems = page.locator("#report-problems li")
    expect(problems).to_have_count(1)
    expect(problems.first).to_have_attribute("data-number", UNKNOWN)
    expect(problems.first).to_have_attribute("data-result", "not_found")
    expect(problems.first).to_contain_text(UNKNOWN)
    expect(page.locator("#kpi-expected")).to_have_text("0")
    expect(page.locator("#kpi-at-centre")).to_have_text("20")
    expect(page.locator("#kpi-at-service-points")).to_have_text("0")
    row = page.locator(f'#by-service-point tr[data-service-point="{alice.service_point_id}"]')
    expect(row).to_contain_text("张庄村")
    expect(row.locator("td").nth(2)).to_contain_text("20")
    ids = [p.pk for p in parcels]
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {OrderStatus.AT_COUNTY_CENTRE}
    assert pickup_messages.count() == 0  # no code before the parcel reaches the service point

    # when she ticks alice's service point (the only one with parcels here) and dispatches
    boxes = page.locator("#dispatch-form input[type=checkbox]")
    expect(boxes).to_have_count(1)
    expect(boxes.first).to_have_attribute("value", str(alice.service_point_id))
    expect(page.locator("#dispatch-form")).to_contain_text("张庄村")
    boxes.first.check()
    page.click("#dispatch-submit")
    page.wait_for_url("**/centre/dispatch/")

    # then the run's report: 20 moved, none refused; the figures follow
    expect(page.locator("#centre-report")).to_be_visible()
    expect(page.locator("#report-moved")).to_have_text(counted(20))
    expect(page.locator("#report-problems")).to_have_count(0)
    expect(page.locator("#kpi-at-centre")).to_have_text("0")
    expect(page.locator("#kpi-at-service-points")).to_have_text("20")
    expect(page.locator("#dispatch-empty")).to_be_visible()

    # and the 20 parcels are at the service point, each villager texted their code
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {OrderStatus.AT_SERVICE_POINT}
    assert pickup_messages.count() == 20
    assert set(pickup_messages.values_list("to", flat=True)) == {p.villager.phone for p in parcels}
    for parcel in parcels:
        assert re.fullmatch(r"\d{6}", pickup_code_of(parcel))
    assert PickupCode.objects.filter(order_id__in=ids, used_at__isnull=True).count() == 20
    assert console_errors == []


def test_the_centre_page_fits_a_phone(phone_page, login, screenshot, console_errors, alice, erin):
    page = phone_page
    parcels = shipped_parcels(alice, 20)
    login(page, "erin", PASSWORD)
    page.wait_for_url("**/centre/")
    assert fits(page)

    receive(page, [p.tracking_no for p in parcels] + [UNKNOWN])

    expect(page.locator("#report-moved")).to_have_text(counted(20))
    expect(page.locator('#report-problems li[data-result="not_found"]')).to_have_attribute("data-number", UNKNOWN)
    expect(page.locator("#kpi-at-centre")).to_have_text("20")
    expect(page.locator("#dispatch-form input[type=checkbox]")).to_have_count(1)
    assert fits(page)
    screenshot(page, "parcels-centre-360")
    assert console_errors == []


def test_a_partner_marks_a_batch_arrived_and_hands_a_parcel_over_with_its_code(
    phone_page, login, screenshot, console_errors, alice
):
    page = phone_page
    parcels = [
        order_transition(order_id=p.pk, to_status=OrderStatus.AT_COUNTY_CENTRE, by_user=alice.user, reason="test")
        for p in shipped_parcels(alice, 3)
    ]
    ids = [p.pk for p in parcels]

    # given alice on her phone: three parcels at the county centre, on their way to her
    login(page, alice.user.username, PASSWORD)
    page.goto(f"{page.base_url}/partner/")
    boxes = page.locator("#arriving-list input[type=checkbox]")
    expect(boxes).to_have_count(3)
    for parcel in parcels:
        item = page.locator("#arriving-list li", has=page.locator(f'input[data-order="{parcel.order_no}"]'))
        expect(item).to_contain_text(parcel.order_no)
        expect(item).to_contain_text(parcel.villager.name)
        expect(item).to_contain_text(parcel.tracking_no)
    assert fits(page)
    screenshot(page, "parcels-partner-home-arriving-360")

    # when she ticks the three and marks them arrived
    for box in boxes.all():
        box.check()
    page.click("#arrived-submit")
    page.wait_for_url("**/partner/")

    # then she is told the three arrived, and the list is gone
    expect(page.locator(".msg-success")).to_contain_text(counted(3))
    expect(page.locator(".msg-error")).to_have_count(0)
    expect(page.locator("#arriving")).to_have_count(0)
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {OrderStatus.AT_SERVICE_POINT}
    assert Message.objects.filter(template="pickup_code").count() == 3
    assert fits(page)

    # when she opens one of them: the villager tells her the code from their SMS
    parcel = parcels[0]
    page.goto(f"{page.base_url}/partner/orders/{parcel.pk}/")
    expect(page.locator("#order-no")).to_have_text(parcel.order_no)
    expect(page.locator("#order-status .badge-at_service_point")).to_be_visible()
    assert fits(page)
    code = pickup_code_of(parcel)
    assert code not in page.content()  # the code is never on the partner's pages
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    # and first types a wrong one
    page.fill("#id_pickup_code", wrong)
    page.click("#action-picked_up")
    page.wait_for_url(f"**/partner/orders/{parcel.pk}/")

    # then it is refused: the parcel stays at the service point, one wrong try counted
    expect(page.locator(".msg-error")).to_be_visible()
    expect(page.locator(".msg-error")).to_contain_text(counted(4))  # tries left before the lock
    expect(page.locator(".msg-success")).to_have_count(0)
    expect(page.locator("#order-status .badge-at_service_point")).to_be_visible()
    expect(page.locator("#status-history .badge-picked_up")).to_have_count(0)
    expect(page.locator("#id_pickup_code")).to_be_visible()
    parcel.refresh_from_db()
    assert parcel.status == OrderStatus.AT_SERVICE_POINT
    assert PickupCode.objects.get(order=parcel).failures == 1
    assert fits(page)
    screenshot(page, "parcels-order-wrong-code-360")

    # when she types the right one
    page.fill("#id_pickup_code", code)
    page.click("#action-picked_up")
    page.wait_for_url(f"**/partner/orders/{parcel.pk}/")

    # then the order is picked up, the code spent, and the villager told
    expect(page.locator(".msg-success")).to_contain_text(parcel.order_no)
    expect(page.locator(".msg-error")).to_have_count(0)
    expect(page.locator("#order-status .badge-picked_up")).to_be_visible()
    expect(page.locator("#status-history .badge-picked_up")).to_be_visible()
    expect(page.locator("#id_pickup_code")).to_have_count(0)
    assert code not in page.content()
    parcel.refresh_from_db()
    assert parcel.status == OrderStatus.PICKED_UP
    assert parcel.picked_up_at is not None
    assert PickupCode.objects.get(order=parcel).used_at is not None
    assert Message.objects.filter(template="picked_up", to=parcel.villager.phone).count() == 1
    # the other two still wait for their villagers
    assert set(Order.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {OrderStatus.AT_SERVICE_POINT}
    assert fits(page)
    assert console_errors == []
