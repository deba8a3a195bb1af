"""Helpers for onboarding tests: partners in any status, and clients speaking English."""

import pytest
from django.utils import timezone

from partners.models import PartnerStatus
from tests.factories import PartnerFactory, UserFactory, VillageFactory


def partner_in(status: str, **kwargs):
    """A partner in ``status`` with what that status implies (a login and a station once activated)."""
    if status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXITED):
        partner = PartnerFactory(active=True, **kwargs)
        if status != PartnerStatus.ACTIVE:
            partner.status = status
            partner.user.is_active = False
            partner.user.save(update_fields=["is_active"])
            if status == PartnerStatus.EXITED:
                partner.exited_at = timezone.now()
            partner.save()
        return partner
    return PartnerFactory(status=status, **kwargs)


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
def admin_client_en(client, admin_user):
    client.cookies["django_language"] = "en"
    client.force_login(admin_user)
    return client


@pytest.fixture
def plain_admin(db):
    """An admin by group membership only (not a superuser)."""
    return UserFactory(username="ops", groups=["admin"])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The cast's logins are hashed with PBKDF2 otherwise: a second per user on this machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def role_groups(db):
    """The role groups a data migration creates; a transactional test's flush (and --reuse-db after one)
    removes them, so make sure they exist."""
    from django.contrib.auth.models import Group

    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)
