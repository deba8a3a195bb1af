import json
import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["database"] == "ok"
    assert body["status"] in {"ok", "degraded"}


def test_healthz_reports_stopped_database_with_503():
    # given: the app pointed at a PostgreSQL port where no server runs
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing", "CELERY_BROKER_URL": ""}
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    # when
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=settings.BASE_DIR,
    )
    # then
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "down", "database": "down", "broker": "in-process"}


@pytest.mark.django_db
def test_healthz_reports_unreachable_broker_as_degraded(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body == {"status": "degraded", "database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_without_broker_says_in_process(client, settings):
    settings.CELERY_BROKER_URL = ""
    assert json.loads(client.get("/healthz").content)["broker"] == "in-process"
