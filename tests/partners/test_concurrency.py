"""Races on PostgreSQL: two admins acting at the same moment, each on their own connection."""

import threading

import pytest
from django.db import connection, connections

from counties.models import ServicePoint
from partners.models import Partner, PartnerStatus, PartnerStatusChange
from partners.services import PartnerTransitionError, partner_transition
from tests.support.factories import UserFactory, VillageFactory
from tests.support.partners import partner_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_at_once(*calls):
    """Run each call in its own thread (and so its own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test inspects
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_concurrent_activations_in_one_village_exactly_one_wins(county_a):
    # given: two trained candidates for the same village, which has no station yet
    admin = UserFactory(username="ops", groups=["admin"])
    village = VillageFactory(county=county_a, name="许贡村")
    first = partner_in(PartnerStatus.TRAINING, village=village, real_name="甲")
    second = partner_in(PartnerStatus.TRAINING, village=village, real_name="乙")
    # when
    outcomes = run_at_once(
        *(
            lambda pk=partner.pk: partner_transition(partner_id=pk, to_status=PartnerStatus.ACTIVE, by_user=admin)
            for partner in (first, second)
        )
    )
    # then
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    winner = next(value for kind, value in outcomes if kind == "ok")
    assert isinstance(error, PartnerTransitionError) and error.code == "village_taken"
    assert winner.real_name in error.message
    assert Partner.objects.filter(village=village, status=PartnerStatus.ACTIVE).count() == 1
    assert ServicePoint.objects.filter(village=village).count() == 1
    loser = Partner.objects.exclude(pk=winner.pk).get(village=village)
    assert loser.status == PartnerStatus.TRAINING and loser.user is None
    assert PartnerStatusChange.objects.filter(to_status=PartnerStatus.ACTIVE).count() == 1


def test_two_admins_pressing_the_same_button_apply_it_once(county_a):
    # given: both admins see the partner in "applied"
    admin_a = UserFactory(username="ops-a", groups=["admin"])
    admin_b = UserFactory(username="ops-b", groups=["admin"])
    partner = partner_in(PartnerStatus.APPLIED, village=VillageFactory(county=county_a))
    # when
    outcomes = run_at_once(
        *(
            lambda admin=admin: partner_transition(
                partner_id=partner.pk,
                to_status=PartnerStatus.REVIEWING,
                by_user=admin,
                expected_status=PartnerStatus.APPLIED,
            )
            for admin in (admin_a, admin_b)
        )
    )
    # then: one moved it, the other was told it is stale; one history row
    kinds = sorted(kind for kind, _value in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert error.code == "stale"
    assert PartnerStatusChange.objects.filter(partner=partner, to_status=PartnerStatus.REVIEWING).count() == 1
