"""Tracking numbers arriving with the platform feed (物流公司 / 运单号): recorded on the
platform order numbers our orders hold, and an order still placed or paid moves on to
shipped with its parcel's number — once, however often the file is imported; a bad
tracking number is a row error and nothing is written."""

import pytest

from orders.models import OrderStatus, OrderStatusChange, PlatformOrderNo
from orders.platform_feed import platform_orders_import
from tests.support.import_files import csv_bytes
from tests.support.orders import move_to, place_order

pytestmark = pytest.mark.django_db

HEADER = ["订单编号", "订单状态", "实付金额", "付款时间", "物流公司", "运单号"]


def feed(rows) -> dict:
    return platform_orders_import(source=csv_bytes(HEADER, rows, bom=True), filename="feed.csv").as_dict()


def test_the_feeds_tracking_numbers_ship_placed_and_paid_orders(alice, admin_user):
    placed = place_order(alice, villager_phone="13900003331", platform_order_nos=["TB3001000000000001"])
    paid = move_to(place_order(alice, villager_phone="13900003332", platform_order_nos=["TB3001000000000002"]), "paid")
    at_centre = move_to(
        place_order(alice, villager_phone="13900003333", platform_order_nos=["TB3001000000000003"]), "at_county_centre"
    )
    rows = [
        ["TB3001000000000001", "已发货", "7998.00", "2026-11-03 14:22:05", "顺丰", "sf1000000001"],
        ["TB3001000000000002", "已发货", "7998.00", "2026-11-03 14:22:05", "中通", "ZTO1000000002"],
        ["TB3001000000000003", "已发货", "7998.00", "2026-11-03 14:22:05", "韵达", "YD1000000003"],
        ["TB3009999999999999", "已发货", "10.00", "2026-11-03 14:22:05", "韵达", "YD1000000009"],  # nobody's
    ]
    report = feed(rows)
    assert report["errors"] == [] and report["shipped"] == 2
    for order, carrier, tracking in ((placed, "顺丰", "SF1000000001"), (paid, "中通", "ZTO1000000002")):
        order.refresh_from_db()
        assert (order.status, order.carrier, order.tracking_no) == ("shipped", carrier, tracking)
        assert order.paid_at is not None and order.shipped_at is not None
    assert list(OrderStatusChange.objects.filter(order=placed).values_list("to_status", flat=True)) == [
        "placed",
        "paid",
        "shipped",
    ]
    at_centre.refresh_from_db()
    assert at_centre.status == OrderStatus.AT_COUNTY_CENTRE  # never moved back
    assert PlatformOrderNo.objects.get(number="TB3001000000000003").tracking_no == "YD1000000003"
    # the same file again: nothing moves, nothing is written twice
    assert feed(rows)["shipped"] == 0
    assert OrderStatusChange.objects.filter(order=placed, to_status="shipped").count() == 1


def test_a_bad_tracking_number_is_a_row_error_and_nothing_is_written(alice):
    order = place_order(alice, villager_phone="13900003334", platform_order_nos=["TB3001000000000004"])
    report = feed([["TB3001000000000004", "已发货", "7998.00", "2026-11-03 14:22:05", "顺丰", "坏单号!"]])
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "tracking_no")]
    order.refresh_from_db()
    assert order.status == "placed" and order.tracking_no == ""
