"""The Django admin shows orders read-only: they change only through orders.services."""

import pytest

from tests.support.orders import place_order

pytestmark = pytest.mark.django_db


def test_admins_read_orders_but_cannot_edit_add_or_delete_them(client, admin_user, alice, categories):
    # given
    order = place_order(alice)
    client.force_login(admin_user)
    # when / then
    assert client.get("/admin/orders/order/").status_code == 200
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    assert order.order_no in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/orders/order/add/").status_code == 403
    assert client.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/orders/villager/").status_code == 200
    assert client.get("/admin/orders/orderstatuschange/").status_code == 200
