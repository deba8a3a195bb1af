"""orders.services: placing orders (validation, numbers, idempotency) and moving them along."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from analytics.models import RollupDirtyDay
from orders.models import (
    ORDER_TRANSITIONS,
    STATUS_TIMESTAMP_FIELD,
    Order,
    OrderNumberCounter,
    OrderStatus,
    OrderStatusChange,
    Villager,
)
from orders.services import (
    IdempotencyConflict,
    IllegalTransition,
    PartnerNotActive,
    order_create,
    order_numbers_reserve,
    order_transition,
)
from partners.models import CommissionRate, Partner, PartnerStatus, ProcurementRate
from tests.support.factories import PartnerFactory, PromotionFactory, VillageFactory, VillagerFactory
from tests.support.orders import PATH_TO, line, move_to, order_payload, pickup_code_of, place_order

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a in OrderStatus.values for b in OrderStatus.values]
LEGAL_PAIRS = [(a, b) for a, b in ALL_PAIRS if b in ORDER_TRANSITIONS[a]]
ILLEGAL_PAIRS = [(a, b) for a, b in ALL_PAIRS if b not in ORDER_TRANSITIONS[a]]


def create(partner, **overrides):
    return order_create(partner=partner, by_user=partner.user, **order_payload(**overrides))


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# ── Placing an order ──────────────────────────────────────────────────────────


def test_an_order_is_placed_with_lines_total_number_and_history(alice, categories):
    # given
    today = timezone.localdate()
    # when
    result = create(
        alice,
        lines=[line(quantity=2, unit_price="3999.00"), line("daily-goods", "洗衣粉", 3, Decimal("12.50"))],
    )
    # then
    order = result.order
    assert result.created is True
    assert order.order_no == f"410225-{today:%Y%m%d}-00001"
    assert order.status == OrderStatus.PLACED
    assert order.total_amount == Decimal("8035.50")
    assert [(x.product_name, x.quantity, x.line_total) for x in order.lines.all()] == [
        ("海尔冰箱", 2, Decimal("7998.00")),
        ("洗衣粉", 3, Decimal("37.50")),
    ]
    assert order.village == alice.village and order.county == alice.village.county
    assert order.villager.village == alice.village
    history = list(order.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert history == [("", "placed", alice.user.pk)]


def test_a_repeat_villager_is_found_by_phone(alice, categories):
    # given
    villager = VillagerFactory(partner=alice, phone="13912345678", name="张大妈")
    # when: the partner types only the phone
    order = create(alice, villager_name="", villager_phone="139 1234 5678").order
    # then
    assert order.villager == villager
    assert Villager.objects.filter(village=alice.village).count() == 1


def test_the_same_phone_is_a_different_villager_in_another_village(alice, bob, categories):
    # given
    theirs = VillagerFactory(partner=bob, phone="13912345678")
    # when
    order = create(alice, villager_phone="13912345678")
    # then
    assert order.order.villager != theirs
    assert order.order.villager.village == alice.village


def test_order_numbers_count_per_county_and_day(alice, bob, categories):
    # given
    today = timezone.localdate()
    second_partner_in_a = PartnerFactory(active=True, village=VillageFactory(county=alice.village.county))
    # when
    numbers = [create(p).order.order_no for p in (alice, bob, second_partner_in_a, alice)]
    # then
    day = f"{today:%Y%m%d}"
    assert numbers == [f"410225-{day}-00001", f"610431-{day}-00001", f"410225-{day}-00002", f"410225-{day}-00003"]
    assert OrderNumberCounter.objects.get(county=alice.village.county, day=today).last_value == 3


def test_a_block_of_order_numbers_can_be_reserved(county_a):
    # given
    day = dt.date(2026, 11, 11)
    # when
    first = order_numbers_reserve(county_id=county_a.pk, day=day, count=1000)
    second = order_numbers_reserve(county_id=county_a.pk, day=day, count=2)
    # then
    assert (first.start, first.stop) == (1, 1001)
    assert list(second) == [1001, 1002]


def test_government_procurement_of_5000_trash_cans(alice, categories):
    # when
    order = create(
        alice,
        channel="government_procurement",
        buyer_organisation="兰考县城管局",
        reference="LK-CG-2026-017",
        lines=[line("daily-goods", "垃圾桶", 5000, "89.00")],
    ).order
    # then
    assert order.total_amount == Decimal("445000.00")
    assert order.buyer_organisation == "兰考县城管局"


def test_farm_produce_uses_farm_categories(alice, categories):
    order = create(alice, channel="farm_produce", lines=[line("fruit", "蜜薯", 500, "2.40")]).order
    assert order.total_amount == Decimal("1200.00")


def test_a_running_promotion_is_recorded(alice, categories):
    promotion = PromotionFactory()
    order = create(alice, promotion=promotion.pk).order
    assert order.promotion == promotion


BAD_INPUT = {
    "no line": ({"lines": []}, "lines"),
    "quantity 0": ({"lines": [line(quantity=0)]}, "lines.0.quantity"),
    "quantity negative": ({"lines": [line(quantity=-3)]}, "lines.0.quantity"),
    "quantity not a number": ({"lines": [line(quantity="abc")]}, "lines.0.quantity"),
    "quantity with a fraction": ({"lines": [line(quantity="1.5")]}, "lines.0.quantity"),
    "quantity above a million": ({"lines": [line(quantity=1_000_001)]}, "lines.0.quantity"),
    "price 0": ({"lines": [line(unit_price="0")]}, "lines.0.unit_price"),
    "price negative": ({"lines": [line(unit_price="-5.00")]}, "lines.0.unit_price"),
    "price absurd": ({"lines": [line(unit_price="10000000.01")]}, "lines.0.unit_price"),
    "price with three decimals": ({"lines": [line(unit_price="1.005")]}, "lines.0.unit_price"),
    "price not a number": ({"lines": [line(unit_price="NaN")]}, "lines.0.unit_price"),
    "no product name": ({"lines": [line(product_name="  ")]}, "lines.0.product_name"),
    "unknown category": ({"lines": [line(category="spaceships")]}, "lines.0.category"),
    "farm category in an assisted purchase": ({"lines": [line(category="fruit")]}, "lines.0.category"),
    "goods category in farm produce": ({"channel": "farm_produce"}, "lines.0.category"),
    "bad phone": ({"villager_phone": "12345"}, "villager_phone"),
    "landline": ({"villager_phone": "03712345678"}, "villager_phone"),
    "new villager without a name": ({"villager_name": ""}, "villager_name"),
    "unknown channel": ({"channel": "barter"}, "channel"),
    "procurement without buyer": (
        {"channel": "government_procurement", "reference": "R-1"},
        "buyer_organisation",
    ),
    "procurement without reference": (
        {"channel": "government_procurement", "buyer_organisation": "兰考县城管局"},
        "reference",
    ),
    "unknown promotion": ({"promotion": 999999}, "promotion"),
    "bad request id": ({"client_request_id": "not-a-uuid"}, "client_request_id"),
}


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(alice, categories, overrides, field):
    # when
    with pytest.raises(ValidationError) as excinfo:
        create(alice, **overrides)
    # then
    assert field in errors_of(excinfo)
    assert not Order.objects.exists()
    assert not Villager.objects.exists()
    assert not OrderNumberCounter.objects.exists()


def test_a_promotion_that_is_not_running_is_refused(alice, categories):
    # given
    ended = PromotionFactory(starts_on=dt.date(2025, 11, 11), ends_on=dt.date(2025, 11, 11))
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        create(alice, promotion=ended)
    assert "promotion" in errors_of(excinfo)


def test_every_bad_line_is_reported_at_once(alice, categories):
    with pytest.raises(ValidationError) as excinfo:
        create(alice, lines=[line(), line(quantity=0), line(unit_price="0", category="nope")])
    assert set(errors_of(excinfo)) == {"lines.1.quantity", "lines.2.unit_price", "lines.2.category"}


@pytest.mark.parametrize("status", [PartnerStatus.SUSPENDED, PartnerStatus.EXITED])
def test_a_partner_who_is_not_active_cannot_place_orders(alice, categories, status):
    # given
    Partner.objects.filter(pk=alice.pk).update(status=status)
    alice.refresh_from_db()
    # when / then
    with pytest.raises(PartnerNotActive):
        create(alice)
    assert not Order.objects.exists()


# ── Idempotency ───────────────────────────────────────────────────────────────


def test_the_same_request_twice_yields_one_order(alice, categories):
    # given
    payload = order_payload(lines=[line(), line("daily-goods", "毛巾", 10, "9.90")])
    first = order_create(partner=alice, by_user=alice.user, **payload)
    # when: a double tap, a resubmit, a retry after a timeout
    second = order_create(partner=alice, by_user=alice.user, **payload)
    # then
    assert (first.created, second.created) == (True, False)
    assert second.order.pk == first.order.pk
    assert Order.objects.count() == 1
    assert OrderStatusChange.objects.count() == 1


def test_a_retry_with_typed_strings_matches_the_stored_order(alice, categories):
    # given: the browser posts strings, with padding the form strips
    payload = order_payload(lines=[line(quantity="2", unit_price="3999")])
    first = order_create(partner=alice, by_user=alice.user, **payload)
    # when
    again = order_create(partner=alice, by_user=alice.user, **{**payload, "lines": [line(quantity=2)]})
    # then
    assert again.order == first.order and again.created is False


@pytest.mark.parametrize(
    "change",
    [
        {"lines": [line(quantity=3)]},
        {"lines": [line(), line()]},
        {"villager_phone": "13700000000"},
        {"channel": "government_procurement", "buyer_organisation": "x", "reference": "y"},
        {"reference": "another"},
    ],
)
def test_the_same_request_id_with_other_content_is_refused(alice, categories, change):
    # given
    payload = order_payload()
    original = order_create(partner=alice, by_user=alice.user, **payload).order
    # when / then
    with pytest.raises(IdempotencyConflict) as excinfo:
        order_create(partner=alice, by_user=alice.user, **{**payload, **change})
    assert excinfo.value.order == original
    assert Order.objects.count() == 1


def test_request_ids_are_per_partner(alice, bob, categories):
    request_id = uuid.uuid4()
    mine = create(alice, client_request_id=request_id).order
    theirs = create(bob, client_request_id=request_id).order
    assert mine != theirs


# ── Transitions ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL_PAIRS)
def test_every_legal_transition_moves_the_order_and_records_it(alice, categories, from_status, to_status):
    # given
    order = move_to(place_order(alice), from_status)
    # when
    code = pickup_code_of(order) if to_status == "picked_up" else None
    moved = order_transition(
        order_id=order.pk, to_status=to_status, by_user=alice.user, reason="villager asked", pickup_code=code
    )
    # then
    moved.refresh_from_db()
    assert moved.status == to_status
    assert getattr(moved, STATUS_TIMESTAMP_FIELD[to_status]) is not None
    last = moved.status_changes.last()
    assert (last.from_status, last.to_status, last.changed_by, last.reason) == (
        from_status,
        to_status,
        alice.user,
        "villager asked",
    )
    assert moved.status_changes.count() == len(PATH_TO[from_status]) + 2


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL_PAIRS)
def test_every_illegal_transition_is_refused_and_changes_nothing(alice, categories, from_status, to_status):
    # given
    order = move_to(place_order(alice), from_status)
    history = order.status_changes.count()
    # when / then
    with pytest.raises(IllegalTransition):
        order_transition(order_id=order.pk, to_status=to_status, by_user=alice.user, reason="because")
    order.refresh_from_db()
    assert order.status == from_status
    assert order.status_changes.count() == history


def test_an_unknown_status_is_refused(alice, categories):
    order = place_order(alice)
    with pytest.raises(IllegalTransition):
        order_transition(order=order, to_status="teleported", by_user=alice.user)


@pytest.mark.parametrize(("from_status", "to_status"), [("placed", "cancelled"), ("picked_up", "returned")])
def test_cancel_and_return_need_a_reason(alice, categories, from_status, to_status):
    order = move_to(place_order(alice), from_status)
    with pytest.raises(ValidationError) as excinfo:
        order_transition(order=order, to_status=to_status, by_user=alice.user, reason="   ")
    assert "reason" in errors_of(excinfo)
    order.refresh_from_db()
    assert order.status == from_status


def test_a_move_from_a_stale_page_is_refused(alice, categories):
    # given: the page showed "placed", then the order was paid from another phone
    order = place_order(alice)
    order_transition(order=order, to_status="paid", by_user=alice.user)
    # when / then: "cancel" is still legal from paid, but not what the partner saw
    with pytest.raises(IllegalTransition, match="changed meanwhile"):
        order_transition(order=order, to_status="cancelled", by_user=alice.user, reason="x", expected_status="placed")


def test_a_partner_cannot_move_another_partners_order(alice, bob, categories):
    theirs = place_order(bob)
    with pytest.raises(Order.DoesNotExist):
        order_transition(order_id=theirs.pk, to_status="paid", by_user=alice.user, partner=alice)


def test_a_suspended_partner_cannot_move_orders(alice, categories):
    order = place_order(alice)
    Partner.objects.filter(pk=alice.pk).update(status=PartnerStatus.SUSPENDED)
    with pytest.raises(PartnerNotActive):
        order_transition(order=order, to_status="paid", by_user=alice.user)
    order.refresh_from_db()
    assert order.status == "placed"


def test_payment_snapshots_the_commission_in_force_on_the_paid_day(alice, categories):
    # given
    today = timezone.localdate()
    appliances, goods = categories["appliances"], categories["daily-goods"]
    CommissionRate.objects.create(category=appliances, rate=Decimal("0.0200"), effective_from=today.replace(year=2020))
    CommissionRate.objects.create(category=appliances, rate=Decimal("0.0300"), effective_from=today)
    CommissionRate.objects.create(
        category=appliances, rate=Decimal("0.0900"), effective_from=today + dt.timedelta(days=1)
    )
    order = place_order(alice, lines=[line(quantity=2, unit_price="3999.00"), line("daily-goods", "毛巾", 3, "9.99")])
    # when
    order_transition(order=order, to_status="paid", by_user=alice.user)
    # then
    snapshot = list(order.lines.values_list("category", "commission_rate", "commission_amount"))
    assert snapshot == [
        (appliances.pk, Decimal("0.0300"), Decimal("239.94")),
        (goods.pk, Decimal("0.0000"), Decimal("0.00")),
    ]


def test_procurement_orders_earn_the_procurement_rate(alice, categories):
    ProcurementRate.objects.update_or_create(effective_from=dt.date(2015, 1, 1), defaults={"rate": Decimal("0.0050")})
    ProcurementRate.objects.filter(effective_from__gt=dt.date(2015, 1, 1)).delete()
    order = place_order(
        alice,
        channel="government_procurement",
        buyer_organisation="兰考县城管局",
        reference="R-7",
        lines=[line("daily-goods", "垃圾桶", 5000, "89.00")],
    )
    order_transition(order=order, to_status="paid", by_user=alice.user)
    assert order.lines.get().commission_amount == Decimal("2225.00")


@pytest.mark.parametrize(
    ("path", "dirty"),
    [
        (["paid"], True),
        (["cancelled"], False),
        (["paid", "cancelled"], True),
        (PATH_TO["returned"], True),
    ],
)
def test_payments_and_reversals_mark_today_for_the_rollups(alice, categories, path, dirty):
    # given
    order = place_order(alice)
    RollupDirtyDay.objects.all().delete()
    # when
    for step in path[:-1]:
        code = pickup_code_of(order) if step == "picked_up" else None
        order_transition(order=order, to_status=step, by_user=alice.user, reason="r", pickup_code=code)
    RollupDirtyDay.objects.all().delete()
    code = pickup_code_of(order) if path[-1] == "picked_up" else None
    order_transition(order=order, to_status=path[-1], by_user=alice.user, reason="r", pickup_code=code)
    # then
    marked = set(RollupDirtyDay.objects.values_list("day", flat=True))
    assert marked == ({timezone.localdate()} if dirty else set())
