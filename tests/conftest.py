"""The cast every permission test is written against.

alice: a partner in 张庄村 of county A; bob: a partner in another village of county B;
carol: county staff of county A; dave: county staff of county B; admin: programme admin;
anonymous: the Django test client with nobody logged in.
"""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from partners.models import CommissionRate, IncentiveTier, ProcurementRate
from rural_taobao.access import ADMIN_GROUP, COUNTY_CENTRE_GROUP, COUNTY_STAFF_GROUP, PARTNER_GROUP
from tests.support.dates import shanghai
from tests.support.factories import (
    CategoryFactory,
    CountyFactory,
    CountyStaffAssignmentFactory,
    PartnerFactory,
    PromotionFactory,
    ProvinceFactory,
    UserFactory,
    VillageFactory,
    VillagerFactory,
)

BASE = dt.date(2025, 1, 20)


@pytest.fixture(scope="session", autouse=True)
def _views_imported_before_any_test():
    """Import every view and API module (the URLconf) before the first test runs.

    Django imports them on the first request. Several bind kernel functions by name
    (``from rural_taobao.dates import shanghai_today``); imported during a test that
    monkeypatches ``dates.shanghai_today`` (the rollup and dashboard tests do), they would
    keep the test's frozen day for the rest of the session, and which test makes the first
    request depends on the order the folders run in."""
    from django.conf import settings

    importlib.import_module(settings.ROOT_URLCONF)


@pytest.fixture(autouse=True)
def _role_groups(request):
    """The role groups come from a data migration; a transactional test's flush removes
    them, so every database test makes sure they exist."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    for name in (PARTNER_GROUP, COUNTY_STAFF_GROUP, COUNTY_CENTRE_GROUP, ADMIN_GROUP):
        Group.objects.get_or_create(name=name)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache, keyed by user or address (every test client is
    127.0.0.1): without a clean cache, the /apply/ submissions or API reads of earlier tests
    would count against later ones."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every cast member gets a password; PBKDF2's real cost would dominate the run."""
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
def erin(county_a):
    """County centre staff of county A: receives and dispatches its parcels."""
    return CountyStaffAssignmentFactory(
        county=county_a, user=UserFactory(username="erin", groups=["county_centre"])
    ).user


@pytest.fixture
def frank(county_b):
    """County centre staff of county B."""
    return CountyStaffAssignmentFactory(
        county=county_b, user=UserFactory(username="frank", groups=["county_centre"])
    ).user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", groups=["admin"], is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client_en(client, admin_user):
    """The Django test client logged in as the admin, with English as the interface language."""
    client.cookies["django_language"] = "en"
    client.force_login(admin_user)
    return client


@pytest.fixture
def world(alice, bob, county_a):
    """Three partners in two counties, four categories with rate history, tiers, promotions."""
    carl = PartnerFactory(active=True, real_name="陈卡尔", village=VillageFactory(county=county_a, name="东坝头村"))
    partners = [alice, bob, carl]
    villagers = [
        VillagerFactory(partner=p, phone=f"1390000{i}{j:03d}") for i, p in enumerate(partners) for j in range(3)
    ]
    categories = [CategoryFactory(slug=f"cat-{i}") for i in range(3)] + [
        CategoryFactory(slug="fruit", is_farm_produce=True)
    ]
    for i, category in enumerate(categories):
        CommissionRate.objects.create(
            category=category, rate=Decimal("0.0300") + i * Decimal("0.01"), effective_from=dt.date(2020, 1, 1)
        )
    ProcurementRate.objects.create(rate=Decimal("0.0050"), effective_from=dt.date(2025, 2, 1))
    IncentiveTier.objects.create(min_monthly_sales=Decimal("50000"), bonus=Decimal("500"))
    IncentiveTier.objects.create(min_monthly_sales=Decimal("200000"), bonus=Decimal("2000"))
    promotion = PromotionFactory(name="6.18", code="618-test", starts_on=BASE, ends_on=BASE + dt.timedelta(days=60))
    return {"partners": partners, "villagers": villagers, "categories": categories, "promotion": promotion}


@pytest.fixture
def clock(monkeypatch):
    """Set the wall clock (timezone.now, hence every Shanghai 'today') to a moment."""
    state = {}

    def set_to(moment):
        state["now"] = moment
        monkeypatch.setattr(timezone, "now", lambda: state["now"])

    set_to(shanghai(dt.date(2025, 3, 1), 1, 30))
    return set_to


@pytest.fixture
def phones(db):
    """The phones category at 3 % and a ¥300 tier for ¥5,000 of monthly assisted sales."""
    category = CategoryFactory(slug="phones-digital")
    CommissionRate.objects.create(category=category, rate=Decimal("0.0300"), effective_from=dt.date(2020, 1, 1))
    IncentiveTier.objects.create(min_monthly_sales=Decimal("5000"), bonus=Decimal("300"))
    return category


@pytest.fixture(scope="module")
def replica(django_db_setup):
    """A ``replica`` alias for one module's tests: its own connection to the test database
    the primary uses (what a streaming replica is, without the lag). Added by this fixture,
    never at import, so that other tests' databases stay as configured; module-scoped so
    that it exists before a test's database setup checks the aliases the test names, and
    gone again after the module. Use it with ``@pytest.mark.usefixtures("replica")``."""
    import copy

    from django.db import connections

    from rural_taobao.db_router import REPLICA_DB_ALIAS

    if REPLICA_DB_ALIAS in connections.settings:  # already there (DATABASE_REPLICA_URL)
        yield connections[REPLICA_DB_ALIAS]
        return
    connections.settings[REPLICA_DB_ALIAS] = copy.deepcopy(connections["default"].settings_dict)
    try:
        yield connections[REPLICA_DB_ALIAS]
    finally:
        connections[REPLICA_DB_ALIAS].close()
        del connections[REPLICA_DB_ALIAS]
        del connections.settings[REPLICA_DB_ALIAS]
