"""Service points (issue 17, item 4): a stable code per point, and the history of who ran it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from counties.models import ServicePoint
from counties.services import service_point_codes, service_point_create
from partners.models import PartnerStatus, ServicePointTenure
from partners.services import PartnerTransitionError, partner_transition
from tests.support.factories import ServicePointFactory, VillageFactory
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db


def test_a_new_service_point_takes_its_countys_next_code(county_a, county_b):
    # given a county whose points are numbered up to 0007, and another county
    ServicePointFactory(village=VillageFactory(county=county_a), code="410225-0007")
    ServicePointFactory(village=VillageFactory(county=county_b), code=f"{county_b.code}-0042")
    # when
    point = service_point_create(village=VillageFactory(county=county_a), address="村口", opened_on=None)
    other = service_point_create(village=VillageFactory(county=county_b), address="村口", opened_on=None)
    # then
    assert point.code == "410225-0008"
    assert other.code == f"{county_b.code}-0043"


def test_the_first_point_of_a_county_is_0001(county_a):
    point = service_point_create(village=VillageFactory(county=county_a), address="村口", opened_on=None)
    assert point.code == "410225-0001"


def test_codes_are_unique_and_well_formed_in_the_database(county_a):
    ServicePointFactory(village=VillageFactory(county=county_a), code="410225-0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePointFactory(village=VillageFactory(county=county_a), code="410225-0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePointFactory(village=VillageFactory(county=county_a), code="410225-7")


def test_a_county_runs_out_of_numbers_at_9999():
    assert service_point_codes("410225", ["410225-9998"], 1) == ["410225-9999"]
    with pytest.raises(ValidationError):
        service_point_codes("410225", ["410225-9999"], 1)


def test_activation_opens_a_tenure_and_gives_the_new_point_a_code(admin_user, county_a):
    # given a trainee of a village without a service point
    trainee = partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=county_a))
    # when
    partner_transition(partner_id=trainee.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    # then
    trainee.refresh_from_db()
    assert trainee.service_point.code.startswith("410225-")
    tenure = ServicePointTenure.objects.get(partner=trainee)
    assert (tenure.service_point, tenure.ended) == (trainee.service_point, None)
    assert tenure.started == trainee.activated_at


def test_exit_closes_the_tenure_and_the_next_partner_opens_the_next(alice, admin_user):
    # given alice runs her point; a trainee of her village waits
    point = alice.service_point
    nxt = partner_in(PartnerStatus.TRAINING, village=alice.village)
    # when alice exits and the trainee is activated
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.EXITED, by_user=admin_user, reason="搬家")
    partner_transition(partner_id=nxt.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    # then the point's history has both, in order, the same code
    history = list(point.tenures.order_by("started").values_list("partner_id", "ended"))
    assert [p for p, _ended in history] == [alice.pk, nxt.pk]
    assert history[0][1] is not None and history[1][1] is None
    point.refresh_from_db()
    assert ServicePoint.objects.get(pk=point.pk).code == point.code


def test_suspension_and_reinstatement_keep_one_tenure(alice, admin_user):
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.SUSPENDED, by_user=admin_user, reason="查账")
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    assert list(alice.tenures.values_list("ended", flat=True)) == [None]


def test_a_suspended_partner_still_holds_the_point(alice, admin_user):
    # given alice suspended, a trainee of her village
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.SUSPENDED, by_user=admin_user, reason="查账")
    nxt = partner_in(PartnerStatus.TRAINING, village=alice.village)
    # when / then the trainee cannot take the point while alice holds it
    with pytest.raises(PartnerTransitionError) as refused:
        partner_transition(partner_id=nxt.pk, to_status=PartnerStatus.ACTIVE, by_user=admin_user)
    assert refused.value.code == "village_taken" and alice.real_name in str(refused.value)
    nxt.refresh_from_db()
    assert nxt.status == PartnerStatus.TRAINING


def test_the_database_allows_one_open_tenure_per_point(alice):
    other = partner_in(PartnerStatus.EXITED, village=VillageFactory(county=alice.village.county))
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePointTenure.objects.create(service_point=alice.service_point, partner=other, started=timezone.now())
