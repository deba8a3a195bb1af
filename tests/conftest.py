"""The cast every permission test is written against.

alice: a partner in 张庄村 of county A; bob: a partner in another village of county B;
carol: county staff of county A; dave: county staff of county B; admin: programme admin;
anonymous: the Django test client with nobody logged in.
"""

import pytest
from django.contrib.auth.models import Group

from rural_taobao.roles import ADMIN_GROUP, COUNTY_STAFF_GROUP, PARTNER_GROUP
from tests.factories import (
    CountyFactory,
    CountyStaffAssignmentFactory,
    PartnerFactory,
    ProvinceFactory,
    UserFactory,
    VillageFactory,
)


@pytest.fixture(autouse=True)
def _role_groups(request):
    """The role groups come from a data migration; a transactional test's flush removes
    them, so every database test makes sure they exist."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    for name in (PARTNER_GROUP, COUNTY_STAFF_GROUP, ADMIN_GROUP):
        Group.objects.get_or_create(name=name)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county_a(db):
    return CountyFactory(code="410225", name="兰考县", province=ProvinceFactory(code="41", name="河南省"))


@pytest.fixture
def county_b(db):
    return CountyFactory(
        code="610431",
        name="武功县",
        province=ProvinceFactory(code="61", name="陕西省", name_en="Shaanxi", region="west"),
    )


@pytest.fixture
def alice(county_a):
    """An active partner in county A."""
    return PartnerFactory(active=True, real_name="王爱丽", village=VillageFactory(county=county_a, name="张庄村"))


@pytest.fixture
def bob(county_b):
    """An active partner in county B."""
    return PartnerFactory(active=True, real_name="李博", village=VillageFactory(county=county_b, name="南仁村"))


@pytest.fixture
def carol(county_a):
    """County staff of county A."""
    return CountyStaffAssignmentFactory(
        county=county_a, user=UserFactory(username="carol", groups=["county_staff"])
    ).user


@pytest.fixture
def dave(county_b):
    """County staff of county B."""
    return CountyStaffAssignmentFactory(
        county=county_b, user=UserFactory(username="dave", groups=["county_staff"])
    ).user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", groups=["admin"], is_staff=True, is_superuser=True)
