"""The database itself refuses data that breaks the product's invariants."""

import uuid
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from partners.models import PartnerStatus
from tests.support.factories import (
    CountyFactory,
    OrderFactory,
    OrderLineFactory,
    PartnerFactory,
    VillageFactory,
    VillagerFactory,
)

pytestmark = pytest.mark.django_db


def refused(fn) -> bool:
    """True when the database itself refuses the write (checked in a savepoint)."""
    try:
        with transaction.atomic():
            fn()
    except (IntegrityError, DataError):
        return True
    return False


def test_duplicate_order_number_is_refused():
    # given
    order = OrderFactory()
    # when / then
    assert refused(lambda: OrderFactory(order_no=order.order_no))


def test_second_active_partner_in_a_village_is_refused(alice):
    # given: alice is active in her village
    candidate = PartnerFactory(village=alice.village, status=PartnerStatus.APPLIED)
    # when: a bulk update skips Python validation, so only the database can stop it
    from partners.models import Partner

    def activate():
        Partner.objects.filter(pk=candidate.pk).update(
            status=PartnerStatus.ACTIVE, user=alice.user, service_point=alice.service_point
        )

    # then
    assert refused(activate)


def test_an_exited_partner_does_not_block_a_new_active_one(alice):
    from partners.models import Partner

    Partner.objects.filter(pk=alice.pk).update(status=PartnerStatus.EXITED)
    newcomer = PartnerFactory(active=True, village=alice.village, service_point=alice.service_point)
    assert newcomer.status == PartnerStatus.ACTIVE


def test_active_partner_needs_a_login_and_service_point():
    assert refused(lambda: PartnerFactory(status=PartnerStatus.ACTIVE))


@pytest.mark.parametrize("price", [Decimal("0.00"), Decimal("-1.00")])
def test_zero_or_negative_unit_price_is_refused(price):
    order = OrderFactory()
    assert refused(lambda: OrderLineFactory(order=order, unit_price=price, line_total=Decimal("1.00")))


def test_zero_quantity_is_refused():
    order = OrderFactory()
    assert refused(lambda: OrderLineFactory(order=order, quantity=0, line_total=Decimal("1.00")))


def test_duplicate_client_request_id_for_one_partner_is_refused():
    # given
    order = OrderFactory()
    # when: the same partner submits the same form id again
    again = lambda: OrderFactory(  # noqa: E731
        partner=order.partner, villager=order.villager, client_request_id=order.client_request_id
    )
    # then
    assert refused(again)


def test_same_client_request_id_for_another_partner_is_fine(alice, bob):
    shared = uuid.uuid4()
    OrderFactory(partner=alice, client_request_id=shared)
    OrderFactory(partner=bob, client_request_id=shared)
    assert alice.orders.count() == bob.orders.count() == 1


def test_procurement_order_needs_buyer_and_reference():
    assert refused(lambda: OrderFactory(channel="government_procurement", buyer_organisation="", reference=""))
    ok = OrderFactory(channel="government_procurement", buyer_organisation="兰考县城管局", reference="LK-2026-001")
    assert ok.pk


def test_paid_status_needs_paid_at():
    assert refused(lambda: OrderFactory(status="paid", paid_at=None))


@pytest.mark.parametrize("code", ["41022", "4102250", "41022a"])
def test_county_code_must_be_six_digits(code):
    assert refused(lambda: CountyFactory(code=code))


def test_village_names_are_unique_within_a_county_only():
    village = VillageFactory(name="东坝头村")
    assert refused(lambda: VillageFactory(county=village.county, name="东坝头村"))
    assert VillageFactory(name="东坝头村").pk  # same name, another county


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "138123456789", "abcdefghijk"])
def test_partner_and_villager_phones_must_be_mainland_mobiles(phone):
    assert refused(lambda: PartnerFactory(phone=phone))
    assert refused(lambda: VillagerFactory(phone=phone))


def test_villager_phone_unique_per_partner(alice, bob):
    VillagerFactory(partner=alice, phone="13900000001")
    assert refused(lambda: VillagerFactory(partner=alice, phone="13900000001"))
    assert VillagerFactory(partner=bob, phone="13900000001").pk
