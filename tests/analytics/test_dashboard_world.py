"""The sales world the dashboard tests read (tests/support/sales_world.py, offered as the
``sales_world`` fixture by tests/analytics/conftest.py) is what they assume."""

import pytest

from analytics.models import CountyDay


@pytest.mark.django_db
def test_the_world_has_sales_returns_and_cancellations_in_both_counties(sales_world, county_a, county_b):
    # given the world
    orders = sales_world["orders"]
    # then it exercises every kind of money event the dashboards must count
    assert any(o.returned_at for o in orders)
    assert any(o.cancelled_at and o.paid_at for o in orders)
    assert any(o.paid_at is None for o in orders)
    assert {o.channel for o in orders} == {"assisted_purchase", "farm_produce", "government_procurement"}
    assert CountyDay.objects.filter(county=county_a).exists()
    assert CountyDay.objects.filter(county=county_b).exists()
