"""Schemathesis against the live OpenAPI schema of a running server (gunicorn, DEBUG off),
logged in as a partner and as an admin, with all checks: no 500s, no response that
violates the schema."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.support.factories import CategoryFactory, PromotionFactory, VillagerFactory
from tests.support.live_database import test_database_url as _database_url
from tests.support.servers import ROOT, gunicorn, request

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
# Every check schemathesis has except positive_data_acceptance and negative_data_rejection.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "missing_required_header",
        "unsupported_method",
        "allow_header_conformance",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
    ]
)


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
    env_extra = {
        "WRITE_THROTTLE_RATE": "100000/min",
        "READ_THROTTLE_RATE": "100000/min",
        "TOKEN_THROTTLE_RATE": "100000/min",
        "AXES_ENABLED": "0",
    }
    with gunicorn(_database_url(), workers=2, extra_env=env_extra) as port:
        # The server runs with DEBUG off: the schema needs a login (issue 18, item 9), and
        # schemathesis loads it with the same Authorization header as its requests.
        assert request(port, "GET", "/api/schema/?format=json")[0] == 401
        status, schema = request(port, "GET", "/api/schema/?format=json", token=tokens[role])
        body = schema.decode() if isinstance(schema, bytes) else schema  # openapi+json: not parsed
        assert status == 200 and "paths" in body, "the schema must load for schemathesis"
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        report = ROOT / "test-artifacts" / f"schemathesis-{role}.txt"
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
                # Signing out the other devices replaces the caller's own token: every later
                # request would be a 401 (tests/kernel/test_api_tokens.py covers it).
                "--exclude-path",
                "/api/v1/auth/logout-others/",
            ],
            capture_output=True,
            text=True,
            timeout=1500,
        )
        report.write_text(result.stdout + result.stderr)
    output = result.stdout + result.stderr
    failures = set(re.findall(r"❌ (ST\d+) ", output))
    assert "Server error" not in output, f"a 500 — see {report}"
    # ST201/ST202 judge acceptance of generated data against the schema alone; business
    # rules (existing slugs and codes, running promotions, unused phones) answer 400 with
    # field errors, as documented. Everything else must be clean.
    assert failures <= {"ST201", "ST202"}, f"{sorted(failures)} — see {report}"
    # A CPython 3.11 ast bug inside hypothesis' lambda descriptions ("AST constructor
    # recursion depth mismatch") sometimes aborts one generation phase: a tool error, not
    # an answer of ours. Any other runtime error fails.
    runtime_errors = re.findall(r"^Runtime Error\s*\n\s*(\S.*)$", output, flags=re.MULTILINE)
    assert all("AST constructor recursion depth mismatch" in e for e in runtime_errors), (
        f"{runtime_errors} — see {report}"
    )
