"""Fixtures of the analytics tests (the cast and ``world`` are in tests/conftest.py)."""

import pytest

from tests.support.sales_world import build_sales_world


@pytest.fixture
def sales_world(world, county_a, monkeypatch):
    """A month and a half of orders in counties A and B, rolled up (tests/support/sales_world.py)."""
    return build_sales_world(world, county_a, monkeypatch)
