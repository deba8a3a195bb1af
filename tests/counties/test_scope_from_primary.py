"""Who may see what comes from the primary (issue 18, item 8): with a read replica, a
county staff member's assignments are still read from ``default``, so a removed assignment
stops serving the county at once, whatever the replica's lag.

The replica is a second connection to the test database, added by the ``replica``
fixture of tests/conftest.py (not at import, which would change other tests' databases).
A lagging replica is the replica connection reading committed rows while the primary's
change is still in its transaction.
"""

import pytest
from django.db import connections, transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from counties.models import CountyStaffAssignment
from counties.selectors import counties_visible_to
from rural_taobao.db_router import REPLICA_DB_ALIAS, reads_from_replica

ROUTED = override_settings(DATABASE_ROUTERS=["rural_taobao.db_router.ReplicaRouter"])


pytestmark = pytest.mark.usefixtures("replica")  # tests/conftest.py


@pytest.fixture
def routed():
    with ROUTED:
        yield


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])
def test_a_removed_assignment_stops_serving_at_once_though_the_replica_lags(carol, county_a, replica, routed):
    # given: carol's assignment to county A, committed (the replica has it)
    assert CountyStaffAssignment.objects.using(REPLICA_DB_ALIAS).filter(user=carol, county=county_a).exists()
    api = APIClient()
    api.force_authenticate(carol)
    dashboard = reverse("api-county-dashboard", kwargs={"code": county_a.code})
    assert api.get(dashboard).status_code == 200
    with transaction.atomic():
        # when: the primary removes it, and the replica has not caught up yet
        CountyStaffAssignment.objects.filter(user=carol, county=county_a).delete()
        assert CountyStaffAssignment.objects.using(REPLICA_DB_ALIAS).filter(user=carol, county=county_a).exists()
        # then: the county is no longer carol's, on the dashboard or through the selector
        assert api.get(dashboard).status_code in (403, 404)
        with reads_from_replica():
            assert list(counties_visible_to(carol)) == []


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])
def test_the_counties_themselves_are_still_read_from_the_replica(carol, county_a, replica, routed):
    from django.test.utils import CaptureQueriesContext

    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(replica) as on_replica,
        reads_from_replica(),
    ):
        assert [c.code for c in counties_visible_to(carol)] == [county_a.code]
    assert "counties_countystaffassignment" in " ".join(q["sql"] for q in on_default.captured_queries)
    assert "counties_county" in " ".join(q["sql"] for q in on_replica.captured_queries)
