"""The test database as a DATABASE_URL, for processes a test starts (gunicorn, Celery
workers) that must see what the test committed."""

from django.db import connection


def test_database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
