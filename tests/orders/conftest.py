"""Fixtures of the orders tests: categories, and role groups for transactional tests."""

import pytest
from django.contrib.auth.models import Group

from tests.orders.factories import appliances, daily_goods, fruit


@pytest.fixture
def role_groups(db):
    """The role groups a data migration creates; a transactional test's flush removes them."""
    for name in ("partner", "county_staff", "admin"):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def categories(db):
    return {"appliances": appliances(), "daily-goods": daily_goods(), "fruit": fruit()}
