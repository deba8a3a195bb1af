"""Fixtures shared by the rollup tests."""

import datetime as dt
from decimal import Decimal

import pytest

from partners.models import CommissionRate, IncentiveTier, ProcurementRate
from tests.factories import CategoryFactory, PartnerFactory, PromotionFactory, VillageFactory, VillagerFactory

BASE = dt.date(2025, 1, 20)


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
