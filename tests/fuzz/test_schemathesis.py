"""Schemathesis against the live OpenAPI schema of a running server (gunicorn, DEBUG off),
logged in as a partner and as an admin, with all checks: no 500s, no response that
violates the schema."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories import CategoryFactory, PromotionFactory, VillagerFactory
from tests.load.api_load import gunicorn

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def tokens(alice, admin_user, carol):
    if connection.vendor != "postgresql":
        pytest.skip("the server shares the test database: PostgreSQL only")
    CategoryFactory(slug="appliances")
    PromotionFactory(name="11.11", code="1111-fuzz", starts_on=dt.date.today(), ends_on=dt.date.today())
    VillagerFactory(partner=alice, phone="13912345678")
    return {
        "partner": Token.objects.create(user=alice.user).key,
        "admin": Token.objects.create(user=admin_user).key,
        "county_staff": Token.objects.create(user=carol).key,
    }


@pytest.mark.parametrize("role", ["partner", "admin", "county_staff"])
def test_the_api_honours_its_schema_under_generated_input(tokens, role, tmp_path):
    env_extra = {"WRITE_THROTTLE_RATE": "100000/min", "TOKEN_THROTTLE_RATE": "100000/min", "AXES_ENABLED": "0"}
    with gunicorn(_database_url(), workers=2, extra_env=env_extra) as port:
        report = tmp_path / "schemathesis.txt"
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"http://127.0.0.1:{port}/api/schema/",
                "--checks",
                "all",
                "--header",
                f"Authorization: Token {tokens[role]}",
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                "2015",
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=1500,
        )
        report.write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]
