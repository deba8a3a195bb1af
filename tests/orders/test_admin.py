"""The Django admin shows orders read-only: they change only through orders.services."""

import pytest

from orders.models import Order, OrderReconciliation, Reconciliation
from tests.support.orders import place_order

pytestmark = pytest.mark.django_db


def test_admins_read_orders_but_cannot_edit_add_or_delete_them(client, admin_user, alice, categories):
    # given
    order = place_order(alice, platform_order_nos=["2388001122334455"])
    OrderReconciliation.objects.create(order=order, state=Reconciliation.AMOUNT_MISMATCH, amount="7123.00")
    client.force_login(admin_user)
    # when / then
    assert client.get("/admin/orders/order/").status_code == 200
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert page.status_code == 200
    assert order.order_no in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    # with its platform numbers and what the platform says of it
    assert "2388001122334455" in page.content.decode()
    assert "金额不符" in page.content.decode() and "7123.00" in page.content.decode()
    assert client.get("/admin/orders/order/add/").status_code == 403
    # an edit posted anyway (every field the order has, changed) is refused and changes nothing
    before = Order.objects.values().get(pk=order.pk)
    edit = {
        "status": "cancelled",
        "total_amount": "1.00",
        "channel": "procurement",
        "reference": "改过",
        "buyer_organisation": "改过",
        "_save": "Save",
    }
    assert client.post(f"/admin/orders/order/{order.pk}/change/", edit).status_code == 403
    assert Order.objects.values().get(pk=order.pk) == before
    assert not order.status_changes.filter(to_status="cancelled").exists()
    assert client.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/orders/villager/").status_code == 200
    assert client.get("/admin/orders/orderstatuschange/").status_code == 200
