"""Schemathesis against the live OpenAPI schema of a running server (gunicorn, DEBUG off),
logged in as a partner and as an admin, with all checks: no 500s, no response that
violates the schema."""

import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.support.factories import CategoryFactory, PromotionFactory, VillagerFactory
from tests.support.live_database import test_database_url as _database_url
from tests.support.servers import ROOT, gunicorn, request

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
# Every check schemathesis has except positive_data_acceptance (ST201) and
# negative_data_rejection (ST202): they judge acceptance of generated data against the schema
# alone, while business rules (existing slugs and codes, running promotions, unused phones)
# answer 400 with field errors, as documented. Everything else must be clean: exit code 0.
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
        junit = ROOT / "test-artifacts" / f"schemathesis-{role}.xml"
        junit.unlink(missing_ok=True)
        result = _schemathesis(f"http://127.0.0.1:{port}/api/schema/", tokens[role], junit)
        report.write_text(result.stdout + result.stderr)
    output = result.stdout + result.stderr
    assert "Server error" not in output, f"a 500 — see {report}"
    # The tool's own verdict: 0 only when every check passed on every operation and the
    # schema loaded (a schema that fails to load, a timeout or a runtime error is not 0).
    assert result.returncode == 0, f"schemathesis exited {result.returncode} — see {report}"
    tested, failed = _operations_tested(junit)
    assert tested > 0, f"schemathesis tested no operation — see {report}"
    assert failed == 0, f"{failed} operations failed — see {junit}"


def _schemathesis(url: str, token: str, junit: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            url,
            "--checks",
            CHECKS,
            "--header",
            f"Authorization: Token {token}",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "2015",
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
            # Signing out the other devices replaces the caller's own token: every later
            # request would be a 401 (tests/kernel/test_api_tokens.py covers it).
            "--exclude-path",
            "/api/v1/auth/logout-others/",
        ],
        capture_output=True,
        text=True,
        timeout=1500,
    )


def _operations_tested(junit: Path) -> tuple[int, int]:
    """(operations tested, operations failed or errored) from schemathesis' JUnit report:
    one test case per operation; a skipped one was not tested."""
    assert junit.exists(), "schemathesis wrote no JUnit report (it did not run)"
    cases = ElementTree.parse(junit).getroot().iter("testcase")  # noqa: S314 (our own run's report)
    tested = failed = 0
    for case in cases:
        if case.find("skipped") is not None:
            continue
        tested += 1
        failed += case.find("failure") is not None or case.find("error") is not None
    return tested, failed


def test_a_schema_that_cannot_be_loaded_fails_the_run(tmp_path):
    """The assertions above against a run with nothing to test: a server answering no schema."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    junit = tmp_path / "junit.xml"
    result = _schemathesis(f"http://127.0.0.1:{port}/api/schema/", "no-token", junit)
    assert result.returncode != 0
    assert not junit.exists() or _operations_tested(junit)[0] == 0
