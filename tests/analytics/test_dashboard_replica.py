"""Dashboard, profile and export reads go to the read replica; writes never do; without a
replica everything uses the default database.

The replica here is a real second connection: a ``replica`` alias to the test database,
added for this module by the ``replica`` fixture (tests/conftest.py), not at import, which
made subsets of the suite behave differently. Queries are captured per connection.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections, router
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from analytics.models import CountyDay
from counties.models import County, CountyProfileEdit
from rural_taobao.db_router import ReplicaRouter, reads_from_replica

pytestmark = pytest.mark.usefixtures("replica")  # added by tests/conftest.py, not at import

ROUTED = override_settings(DATABASE_ROUTERS=["rural_taobao.db_router.ReplicaRouter"])
REPO = Path(__file__).resolve().parents[2]


def test_reads_in_a_replica_block_go_to_the_replica_and_writes_never_do():
    replica = ReplicaRouter()
    assert replica.db_for_read(CountyDay) is None  # outside a dashboard: default
    with reads_from_replica():
        assert replica.db_for_read(CountyDay) == "replica"
        assert replica.db_for_read(County) == "replica"
        assert replica.db_for_read(User) is None  # logins and sessions: always the primary
        assert replica.db_for_write(County) == "default"
    assert replica.allow_migrate("replica", "counties") is False
    assert replica.allow_migrate("default", "counties") is True


def test_without_a_replica_reads_stay_on_default(monkeypatch):
    monkeypatch.setattr("rural_taobao.db_router.replica_configured", lambda: False)
    with ROUTED, reads_from_replica():
        assert router.db_for_read(CountyDay) == "default"


def _settings_with(env: dict) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS, "
        "'replica': settings.DATABASES.get('replica', {}).get('NAME'), "
        "'mirror': settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR')}))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    environ.update(env, DJANGO_SETTINGS_MODULE="rural_taobao.settings")
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def test_settings_add_the_replica_and_the_router_only_when_configured():
    assert _settings_with({}) == {"aliases": ["default"], "routers": [], "replica": None, "mirror": None}
    configured = _settings_with({"DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/rural_taobao"})
    assert configured == {
        "aliases": ["default", "replica"],
        "routers": ["rural_taobao.db_router.ReplicaRouter"],
        "replica": "rural_taobao",
        "mirror": "default",
    }


def _tables(queries) -> str:
    return " ".join(q["sql"] for q in queries)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboard_profile_export_and_api_reads_use_the_replica(carol, county_a, client):
    # given a rolled-up day (committed, so the replica's connection sees it)
    CountyDay.objects.create(
        county=county_a, day=dt.date.today() - dt.timedelta(days=2), sales=Decimal("88.00"), orders=1
    )
    client.force_login(carol)
    api = APIClient()
    api.force_authenticate(carol)
    pages = [
        lambda: client.get(reverse("dashboards:county", args=[county_a.code])),
        lambda: client.get(reverse("counties:profile", args=[county_a.code])),
        lambda: client.get(reverse("dashboards:county_export", args=[county_a.code, "daily"])),
        lambda: api.get(reverse("api-county-dashboard", kwargs={"code": county_a.code})),
    ]
    for open_page in pages:
        # when a read-only page is served with the router on
        with (
            ROUTED,
            CaptureQueriesContext(connections["default"]) as on_default,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            response = open_page()
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
                assert "88.00" in body.decode("utf-8-sig")
        # then its county and rollup reads ran on the replica, the login and who may see
        # which county (the staff assignments) on the primary
        assert response.status_code == 200
        assert '"counties_county"' in _tables(on_replica.captured_queries)
        assert '"counties_county"' not in _tables(on_default.captured_queries)
        assert "counties_countystaffassignment" in _tables(on_default.captured_queries)
        assert "counties_countystaffassignment" not in _tables(on_replica.captured_queries)
        assert "counties_countyday" not in _tables(on_default.captured_queries)
    assert "88.00" in client.get(reverse("dashboards:county", args=[county_a.code])).content.decode()


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_profile_edits_write_to_the_primary(carol, county_a, client):
    client.force_login(carol)
    with ROUTED, CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.post(
            reverse("counties:profile_edit", args=[county_a.code]),
            {"profile": "新的简介", "characteristic_products": "", "partner_office": ""},
        )
    assert response.status_code == 302
    assert not any(q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")) for q in on_replica.captured_queries)
    assert County.objects.using("default").get(pk=county_a.pk).profile == "新的简介"
    assert CountyProfileEdit.objects.using("default").filter(county=county_a).exists()


@pytest.mark.django_db
def test_without_the_router_everything_uses_default(carol, county_a, client):
    client.force_login(carol)
    with CaptureQueriesContext(connections["default"]) as on_default:
        assert client.get(reverse("dashboards:county", args=[county_a.code])).status_code == 200
    assert "counties_countyday" in _tables(on_default.captured_queries)
