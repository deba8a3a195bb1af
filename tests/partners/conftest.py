"""Fixtures of the onboarding tests: partners in any status, and clients speaking English
(``admin_client_en`` is in tests/conftest.py: the county staff pages use it too)."""

import pytest

from tests.support.factories import UserFactory, VillageFactory
from tests.support.partners import partner_in


@pytest.fixture
def make_partner(db):
    return partner_in


@pytest.fixture
def village_a(county_a):
    return VillageFactory(county=county_a, name="东坝头村")


@pytest.fixture
def english(client):
    """The Django test client with English as the interface language."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def plain_admin(db):
    """An admin by group membership only (not a superuser)."""
    return UserFactory(username="ops", groups=["admin"])


@pytest.fixture(autouse=True)
def role_groups(db):
    """The role groups a data migration creates; a transactional test's flush (and --reuse-db after one)
    removes them, so make sure they exist."""
    from django.contrib.auth.models import Group

    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)
