"""Changes to villagers, categories and promotions are kept with who, when and what;
orders change only through the services, whose status history is shown on the order."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from orders.models import Promotion
from tests.support.factories import CategoryFactory, OrderFactory, VillagerFactory

pytestmark = pytest.mark.django_db


def test_villager_promotion_and_category_edits_are_audited(client, admin_user, alice):
    villager = VillagerFactory(partner=alice, name="张三", phone="13900001234")
    category = CategoryFactory(slug="appliances", name_zh="家电")
    promotion = Promotion.objects.create(
        name="6.18", code="618-audit", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 18)
    )
    client.force_login(admin_user)
    # when: an admin renames the villager through the admin
    response = client.post(
        f"/admin/orders/villager/{villager.pk}/change/",
        {"partner": alice.pk, "village": alice.village_id, "name": "张三丰", "phone": "13900001234"},
    )
    category.name_en = "Home appliances"
    category.save()
    promotion.ends_on = dt.date(2026, 6, 20)
    promotion.save()
    # then: each keeps its versions, the request's user is recorded, the admin shows history
    assert response.status_code == 302
    latest = villager.history.latest("history_date")
    assert (latest.name, latest.history_user) == ("张三丰", admin_user)
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["name"]
    assert category.history.count() == 2 and promotion.history.count() == 2
    assert client.get(f"/admin/orders/villager/{villager.pk}/history/").status_code == 200


def test_order_admin_shows_the_status_history_and_allows_no_edits(client, admin_user, alice):
    order = OrderFactory(partner=alice, status="paid", paid_at=timezone.now())
    order.status_changes.create(from_status="", to_status="placed", changed_by=alice.user, changed_at=order.placed_at)
    order.status_changes.create(
        from_status="placed",
        to_status="paid",
        changed_by=admin_user,
        changed_at=order.placed_at + dt.timedelta(hours=2),
        reason="付款核对-审计行",
    )
    client.force_login(admin_user)
    page = client.get(f"/admin/orders/order/{order.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # the status history inline, with each change: who, from, to and why
    assert 'id="status_changes-group"' in page
    history = page[page.index('id="status_changes-group"') :]
    rows = re.findall(r'<tr class="form-row[^"]*".*?</tr>', history, flags=re.DOTALL)
    cells = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)] for row in rows
    ]
    changes = [[c for c in row if c] for row in cells]
    assert any({"Placed", "Paid", admin_user.username, "付款核对-审计行"} <= set(row) for row in changes), changes
    assert any({"Placed", alice.user.username} <= set(row) and "Paid" not in row for row in changes), changes
    # and no way to change or delete it
    assert 'name="_save"' not in page
    assert client.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"}).status_code == 403
