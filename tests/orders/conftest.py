"""Fixtures of the orders tests: categories, and role groups for transactional tests."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from tests.support.orders import appliances, daily_goods, fruit


@pytest.fixture(autouse=True)
def role_groups(db):
    """The role groups a data migration creates; a transactional test's flush removes them
    (and with --reuse-db the next run starts without them)."""
    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def categories(db):
    return {"appliances": appliances(), "daily-goods": daily_goods(), "fruit": fruit()}


@pytest.fixture(autouse=True)
def english():
    """Service messages in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """The partner home keeps the figures of past days in the cache: start every test without."""
    cache.clear()
