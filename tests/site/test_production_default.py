"""Production by default (issue 18, item 2): without a DEBUG variable the settings are
production's, and without a secret key they refuse to start, saying why."""

import os
import subprocess
import sys

from tests.support.servers import ROOT

PROBE = (
    "import django.conf as c, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'rural_taobao.settings'; s = c.settings;"
    " print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECRET_KEY == 'k' * 50)"
)


def _settings_in_a_clean_process(**env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}  # noqa: S108
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_without_a_debug_variable_the_settings_are_production():
    result = _settings_in_a_clean_process(SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000", "True"]


def test_without_a_debug_variable_or_a_secret_key_the_app_refuses_to_start():
    result = _settings_in_a_clean_process()
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set: DEBUG is off" in result.stderr
    assert "dev-only-insecure-key" not in result.stdout


def test_debug_is_on_only_when_asked_for():
    result = _settings_in_a_clean_process(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["True", "False"]
