"""The partner's pages: who gets in, the JS-off new-order form, list, detail, villagers."""

import datetime as dt
import gzip
import html
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderStatus, Villager
from partners.models import Partner, PartnerStatus, PartnerStatusChange
from tests.support.factories import PartnerFactory, PromotionFactory, UserFactory, VillagerFactory
from tests.support.orders import move_to, pickup_code_of, place_order

pytestmark = pytest.mark.django_db

PAGES = ["partner_home", "partner_order_new", "partner_orders", "partner_villagers", "partner_villager_lookup"]


@pytest.fixture
def en(client):
    """Pages in English, so tests can read the text before the zh catalogue arrives."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def as_alice(en, alice, categories):
    en.force_login(alice.user)
    return en


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def new_order_post(client, **fields) -> dict:
    """The fields a browser posts from a freshly rendered new-order form, with `fields` typed in."""
    page = client.get(reverse("partner_order_new"), follow=True)
    request_id = re.search(r'name="client_request_id" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "client_request_id": request_id,
        "channel": "assisted_purchase",
        "villager_phone": "13912345678",
        "villager_name": "张大妈",
        "promotion": "",
        "buyer_organisation": "",
        "reference": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-product_name": "海尔冰箱",
        "lines-0-category": "appliances",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "3999.00",
        "lines-1-product_name": "",
        "lines-1-category": "",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "",
    }
    data.update(fields)
    return data


# ── Who gets in ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("who", ["carol", "admin_user", "nobody"])
def test_other_roles_are_forbidden(client, request, name, who):
    user = UserFactory(username="nobody") if who == "nobody" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("status", [PartnerStatus.SUSPENDED, PartnerStatus.EXITED])
def test_a_partner_who_is_not_active_sees_why(en, alice, status):
    # given
    Partner.objects.filter(pk=alice.pk).update(status=status)
    PartnerStatusChange.objects.create(
        partner=alice, from_status="active", to_status=status, changed_at=timezone.now(), reason="Unpaid deposit"
    )
    en.force_login(alice.user)
    # when
    response = en.get(reverse("partner_order_new"))
    # then
    assert response.status_code == 403
    assert "Unpaid deposit" in text_of(response)
    assert str(PartnerStatus(status).label).lower() in text_of(response).lower()


# ── Home ──────────────────────────────────────────────────────────────────────


def test_home_shows_today_waiting_month_and_the_promotion(as_alice, alice, django_assert_max_num_queries):
    # given
    PromotionFactory(name="双11 农货节", starts_on=timezone.localdate(), ends_on=timezone.localdate())
    paid = move_to(place_order(alice), "paid")
    place_order(
        alice,
        villager_phone="13800001111",
        lines=[{"product_name": "锅", "category": "daily-goods", "quantity": 1, "unit_price": "50"}],
    )
    # when
    # the first visit of the day also reads the month's past days; + the month's target (1)
    with django_assert_max_num_queries(14):
        as_alice.get(reverse("partner_home"))
    with django_assert_max_num_queries(12):  # 10 + the parcels arriving at the service point + the target
        response = as_alice.get(reverse("partner_home"))
    # then
    page = text_of(response)
    assert response.status_code == 200
    assert paid.order_no in page
    assert 'id="kpi-today-count">2<' in page
    assert 'id="kpi-waiting">2<' in page
    assert 'id="kpi-month-sales">¥7,998.00<' in page
    assert "双11 农货节" in page
    assert "estimate" in page


# ── New order, JavaScript off ─────────────────────────────────────────────────


def test_the_new_order_form_carries_a_request_id_and_preselects_the_promotion(as_alice, django_assert_max_num_queries):
    promotion = PromotionFactory()
    form_id = uuid.uuid4()
    with django_assert_max_num_queries(8):
        response = as_alice.get(reverse("partner_order_new"), {"form": form_id})
    page = response.content.decode()
    assert f'name="client_request_id" value="{form_id}"' in page
    assert f'<option value="{promotion.pk}" selected>' in page
    assert 'name="lines-TOTAL_FORMS" value="2"' in page
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}


def test_a_plain_form_post_places_one_order_and_shows_it(as_alice, alice):
    # given
    data = new_order_post(as_alice)
    # when
    response = as_alice.post(reverse("partner_order_new"), data)
    # then
    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("partner_order_detail", args=[order.pk])
    assert order.total_amount == Decimal("7998.00")
    assert order.lines.count() == 1
    assert order.villager.name == "张大妈"


def test_a_resubmitted_form_lands_on_the_same_order(as_alice):
    # given: a double tap with JavaScript off, or the browser's "resend"
    data = new_order_post(as_alice)
    first = as_alice.post(reverse("partner_order_new"), data)
    # when
    second = as_alice.post(reverse("partner_order_new"), data)
    # then
    assert Order.objects.count() == 1
    assert second.status_code == 302
    assert second.url == first.url
    assert "already placed" in text_of(as_alice.get(second.url))


def test_add_a_line_without_javascript_keeps_what_was_typed(as_alice):
    # given
    data = new_order_post(as_alice, **{"lines-1-product_name": "电饭煲", "add_line": "1"})
    # when
    response = as_alice.post(reverse("partner_order_new"), data)
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert not Order.objects.exists()
    assert 'name="lines-TOTAL_FORMS" value="3"' in page
    assert 'value="海尔冰箱"' in page and 'value="电饭煲"' in page and 'value="13912345678"' in page
    assert f'value="{data["client_request_id"]}"' in page
    assert 'name="lines-2-product_name"' in page


def test_two_lines_make_one_order_with_two_lines(as_alice):
    data = new_order_post(
        as_alice,
        **{
            "lines-1-product_name": "洗衣粉",
            "lines-1-category": "daily-goods",
            "lines-1-unit_price": "12.5",
            "lines-1-quantity": "4",
        },
    )
    as_alice.post(reverse("partner_order_new"), data)
    order = Order.objects.get()
    assert order.lines.count() == 2
    assert order.total_amount == Decimal("8048.00")


BAD_FORMS = {
    "no line": (
        {"lines-0-product_name": "", "lines-0-category": "", "lines-0-unit_price": ""},
        "Add at least one line",
    ),
    "quantity 0": ({"lines-0-quantity": "0"}, "The quantity is at least 1."),
    "price 0": ({"lines-0-unit_price": "0"}, "The unit price must be more than 0."),
    "price negative": ({"lines-0-unit_price": "-3"}, "The unit price must be more than 0."),
    "price absurd": ({"lines-0-unit_price": "99999999999"}, "The unit price is at most"),
    "price not a number": ({"lines-0-unit_price": "abc"}, "Enter a price in yuan"),
    "bad phone": ({"villager_phone": "1234"}, "Enter a mainland China mobile number"),
    "missing category": ({"lines-0-category": ""}, "Choose a category."),
    "category that does not exist": ({"lines-0-category": "spaceships"}, "That category does not exist."),
    "procurement without buyer": ({"channel": "government_procurement", "reference": "R1"}, "names the buying body"),
}


def _field_value(page: str, name: str) -> str | None:
    """The value of the one input named `name` on the page (None without a value)."""
    tags = re.findall(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert len(tags) == 1, (name, tags)
    value = re.search(r'\bvalue="([^"]*)"', tags[0])
    return html.unescape(value.group(1)) if value else None


@pytest.mark.parametrize(("fields", "message"), BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_bad_input_is_answered_on_the_form_keeping_what_was_typed(as_alice, fields, message):
    # given
    data = new_order_post(as_alice, villager_name="李大爷 typed", **fields)
    # when
    response = as_alice.post(reverse("partner_order_new"), data)
    # then
    page = text_of(response)
    assert response.status_code == 400
    assert message in page
    assert 'id="form-errors"' in page
    assert 'value="李大爷 typed"' in page
    assert f'value="{data["client_request_id"]}"' in page
    for name, value in fields.items():
        if value and not name.endswith("category") and name != "channel":  # those two are <select>s
            assert _field_value(page, name) == value, name
    assert not Order.objects.exists()


def test_bad_input_is_answered_in_chinese_by_default(client, alice, categories):
    client.force_login(alice.user)
    data = new_order_post(client, villager_phone="1234")
    response = client.post(reverse("partner_order_new"), data)
    assert response.status_code == 400
    assert '<html lang="zh-hans">' in response.content.decode()


def test_a_changed_form_with_a_used_request_id_is_not_a_second_order(as_alice):
    # given
    data = new_order_post(as_alice)
    as_alice.post(reverse("partner_order_new"), data)
    # when: back to the form, change the quantity, submit again
    response = as_alice.post(reverse("partner_order_new"), {**data, "lines-0-quantity": "3"})
    # then
    page = response.content.decode()
    assert response.status_code == 409
    assert 'id="order-conflict"' in page
    assert Order.objects.count() == 1
    assert f'value="{data["client_request_id"]}"' not in page
    # and submitting this answer places the changed order deliberately
    fresh = re.search(r'name="client_request_id" value="([^"]+)"', page).group(1)
    as_alice.post(reverse("partner_order_new"), {**data, "lines-0-quantity": "3", "client_request_id": fresh})
    assert Order.objects.count() == 2


def form_id_of(response) -> str:
    return re.search(r'name="client_request_id" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


def test_each_visit_gets_its_own_form_id_without_a_redirect(as_alice, django_assert_max_num_queries):
    # when: the new-order page, opened plainly (issue 19: it cost a 302 to ?form= on 3G)
    with django_assert_max_num_queries(7):
        first = as_alice.get(reverse("partner_order_new"), {"phone": "13711112222"})
    second = as_alice.get(reverse("partner_order_new"))
    # then: the form itself, each visit with a fresh id (the page script puts it in the address)
    assert first.status_code == 200 and second.status_code == 200
    assert form_id_of(first) != form_id_of(second)
    assert 'value="13711112222"' in first.content.decode()
    # and the address the script writes (?form=<that id>) brings back the same id
    again = as_alice.get(reverse("partner_order_new"), {"form": form_id_of(first)})
    assert form_id_of(again) == form_id_of(first)
    # without JavaScript the page goes to that address itself (the back button then keeps the id)
    refresh = f'<noscript><meta http-equiv="refresh" content="0; url=/partner/orders/new/?phone=13711112222&amp;form={form_id_of(first)}"></noscript>'
    assert refresh in first.content.decode()
    assert 'http-equiv="refresh"' not in again.content.decode()


def test_a_plain_visit_then_a_reload_with_the_id_in_the_address_places_one_order(as_alice):
    # given: a form opened without an id, sent, then reloaded from the address the script wrote
    page = as_alice.get(reverse("partner_order_new"))
    data = {**new_order_post(as_alice), "client_request_id": form_id_of(page)}
    form_url = f"{reverse('partner_order_new')}?form={form_id_of(page)}"
    as_alice.post(form_url, data)
    # when
    reloaded = as_alice.get(form_url)
    resent = as_alice.post(form_url, data)
    # then
    assert 'id="already-placed"' in reloaded.content.decode()
    assert resent.url == reverse("partner_order_detail", args=[Order.objects.get().pk])
    assert Order.objects.count() == 1


def test_a_form_sent_already_says_so_when_shown_again(as_alice):
    # given: the partner placed an order, then went back to the form (same URL, same id)
    data = new_order_post(as_alice)
    form_url = f"{reverse('partner_order_new')}?form={data['client_request_id']}"
    as_alice.post(form_url, data)
    # when
    page = text_of(as_alice.get(form_url))
    # then: the notice, and sending the same form again shows the same order
    assert 'id="already-placed"' in page and Order.objects.get().order_no in page
    assert as_alice.post(form_url, data).url == reverse("partner_order_detail", args=[Order.objects.get().pk])
    assert Order.objects.count() == 1


def test_a_villager_link_prefills_the_phone(as_alice, alice):
    VillagerFactory(partner=alice, phone="13711112222", name="赵叔")
    page = as_alice.get(reverse("partner_order_new") + "?phone=13711112222", follow=True).content.decode()
    assert 'value="13711112222"' in page and 'value="赵叔"' in page


# ── Order list ────────────────────────────────────────────────────────────────


def test_the_list_shows_only_the_partners_own_orders(as_alice, alice, bob, django_assert_max_num_queries):
    # given
    mine = [place_order(alice, villager_phone=f"1390000000{i}") for i in range(3)]
    theirs = place_order(bob)
    # when
    with django_assert_max_num_queries(6):
        response = as_alice.get(reverse("partner_orders"))
    # then
    page = text_of(response)
    assert all(order.order_no in page for order in mine)
    assert theirs.order_no not in page


def test_the_list_filters_by_status_channel_dates_and_phone(as_alice, alice):
    # given
    paid = move_to(place_order(alice, villager_phone="13911110000"), "paid")
    placed = place_order(alice, villager_phone="13822220000")
    procurement = place_order(
        alice,
        channel="government_procurement",
        buyer_organisation="城管局",
        reference="R",
        villager_phone="13733330000",
    )
    Order.objects.filter(pk=placed.pk).update(placed_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate().isoformat()

    def listed(**params):
        page = text_of(as_alice.get(reverse("partner_orders"), params))
        return {o.order_no for o in (paid, placed, procurement) if o.order_no in page}

    # then
    assert listed(status="paid") == {paid.order_no}
    assert listed(channel="government_procurement") == {procurement.order_no}
    assert listed(created_after=today) == {paid.order_no, procurement.order_no}
    assert listed(created_before=(timezone.localdate() - dt.timedelta(days=1)).isoformat()) == {placed.order_no}
    assert listed(villager_phone="13822220000") == {placed.order_no}
    assert listed(villager_phone="1391") == {paid.order_no}


def test_a_bad_filter_is_answered_not_crashed(as_alice):
    response = as_alice.get(reverse("partner_orders"), {"created_after": "yesterday", "status": "lost"})
    assert response.status_code == 200
    assert 'id="no-orders"' in response.content.decode()


def test_the_list_pages_without_counting(as_alice, alice, django_assert_max_num_queries):
    # given
    for i in range(27):
        place_order(alice, villager_phone=f"139000000{i:02d}")
    # when
    first = text_of(as_alice.get(reverse("partner_orders")))
    with django_assert_max_num_queries(6) as captured:
        second = text_of(as_alice.get(reverse("partner_orders"), {"page": 2}))
    # then
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert second.count('class="order-card"') == 2
    assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)


# ── Order detail and moves ────────────────────────────────────────────────────


def test_the_detail_shows_lines_total_history_and_only_legal_actions(as_alice, alice):
    order = place_order(alice)
    page = text_of(as_alice.get(reverse("partner_order_detail", args=[order.pk])))
    assert "海尔冰箱" in page and "¥7,998.00" in page and "13912345678" in page
    assert 'id="action-paid"' in page and 'id="action-cancelled"' in page
    assert 'id="action-shipped"' not in page and 'id="action-returned"' not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_read_the_same_in_every_language(client, alice, categories, language):
    # given
    order = place_order(alice)
    client.cookies["django_language"] = language
    client.force_login(alice.user)
    # when
    page = text_of(client.get(reverse("partner_order_detail", args=[order.pk])))
    # then
    assert f'<html lang="{language}">' in page
    assert 'id="order-total">¥7,998.00<' in page


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("placed", {"paid", "cancelled"}),
        ("paid", {"shipped", "cancelled"}),
        ("shipped", {"at_county_centre"}),
        ("at_county_centre", {"at_service_point"}),
        ("at_service_point", {"picked_up"}),
        ("picked_up", {"returned"}),
        ("cancelled", set()),
        ("returned", set()),
    ],
)
def test_each_status_offers_exactly_its_legal_buttons(as_alice, alice, status, buttons):
    order = move_to(place_order(alice), status)
    page = as_alice.get(reverse("partner_order_detail", args=[order.pk])).content.decode()
    assert set(re.findall(r'id="action-([a-z_]+)"', page)) == buttons


def test_moving_an_order_from_placed_to_picked_up(as_alice, alice):
    order = place_order(alice)
    url = reverse("partner_order_transition", args=[order.pk])
    for expected, to in [
        ("placed", "paid"),
        ("paid", "shipped"),
        ("shipped", "at_county_centre"),
        ("at_county_centre", "at_service_point"),
        ("at_service_point", "picked_up"),
    ]:
        data = {"to_status": to, "expected_status": expected}
        if to == "picked_up":  # the villager shows the code they were texted
            data["pickup_code"] = pickup_code_of(order)
        response = as_alice.post(url, data)
        assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP
    assert order.status_changes.count() == 6


def test_a_stale_button_is_refused_with_a_message(as_alice, alice):
    # given: paid from another phone while this page still showed "placed"
    order = move_to(place_order(alice), "paid")
    # when
    response = as_alice.post(
        reverse("partner_order_transition", args=[order.pk]),
        {"to_status": "paid", "expected_status": "placed"},
        follow=True,
    )
    # then
    assert "changed meanwhile" in text_of(response)
    assert order.status_changes.count() == 2


def test_cancel_without_a_reason_is_refused_with_a_message(as_alice, alice):
    order = place_order(alice)
    response = as_alice.post(
        reverse("partner_order_transition", args=[order.pk]),
        {"to_status": "cancelled", "expected_status": "placed", "reason": ""},
        follow=True,
    )
    assert "Give a reason" in text_of(response)
    order.refresh_from_db()
    assert order.status == "placed"


def test_an_illegal_move_is_refused_with_a_message(as_alice, alice):
    order = place_order(alice)
    response = as_alice.post(
        reverse("partner_order_transition", args=[order.pk]),
        {"to_status": "returned", "expected_status": "placed", "reason": "x"},
        follow=True,
    )
    assert "cannot go from" in text_of(response)


# ── Partner A and partner B ───────────────────────────────────────────────────


def test_partner_a_gets_404_for_partner_b_orders_by_editing_ids(as_alice, bob):
    # given
    theirs = place_order(bob)
    # when / then
    assert as_alice.get(reverse("partner_order_detail", args=[theirs.pk])).status_code == 404
    response = as_alice.post(
        reverse("partner_order_transition", args=[theirs.pk]), {"to_status": "paid", "expected_status": "placed"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "placed"


def test_partner_a_never_sees_partner_b_villagers(as_alice, alice, bob):
    # given
    VillagerFactory(partner=bob, phone="13755556666", name="外村人")
    VillagerFactory(partner=alice, phone="13755557777", name="本村人")
    # when
    villagers = text_of(as_alice.get(reverse("partner_villagers")))
    lookup = as_alice.get(reverse("partner_villager_lookup"), {"q": "137555"}).json()
    prefill = text_of(as_alice.get(reverse("partner_order_new"), {"phone": "13755556666"}, follow=True))
    # then
    assert "本村人" in villagers and "外村人" not in villagers and "13755556666" not in villagers
    assert lookup == {"results": [{"name": "本村人", "phone": "13755557777"}]}
    assert "外村人" not in prefill


def test_a_shared_phone_does_not_attach_an_order_to_another_partners_villager(as_alice, alice, bob):
    theirs = VillagerFactory(partner=bob, phone="13912345678")
    as_alice.post(reverse("partner_order_new"), new_order_post(as_alice))
    assert Order.objects.get().villager != theirs
    assert Villager.objects.filter(phone="13912345678").count() == 2


# ── Villagers ─────────────────────────────────────────────────────────────────


def test_villagers_with_order_count_and_last_order(as_alice, alice, django_assert_max_num_queries):
    # given
    place_order(alice, villager_phone="13900000001", villager_name="甲")
    last = place_order(alice, villager_phone="13900000001", villager_name="甲")
    VillagerFactory(partner=alice, phone="13900000002", name="乙")
    # when
    with django_assert_max_num_queries(5):
        page = text_of(as_alice.get(reverse("partner_villagers")))
    # then
    assert "2 orders" in page and last.order_no in page
    assert "0 orders" in page
    assert "13900000001" in page


def test_villagers_search_by_name_or_phone(as_alice, alice):
    VillagerFactory(partner=alice, phone="13900000001", name="王五")
    VillagerFactory(partner=alice, phone="13800000002", name="赵六")
    assert "赵六" not in text_of(as_alice.get(reverse("partner_villagers"), {"q": "王"}))
    assert "王五" not in text_of(as_alice.get(reverse("partner_villagers"), {"q": "138"}))


def test_the_type_ahead_needs_three_digits(as_alice, alice):
    VillagerFactory(partner=alice, phone="13900000001", name="王五")
    assert as_alice.get(reverse("partner_villager_lookup"), {"q": "13"}).json() == {"results": []}
    assert as_alice.get(reverse("partner_villager_lookup"), {"q": "王"}).json()["results"][0]["name"] == "王五"


def test_another_active_partner_is_just_another_partner(en, bob, categories):
    other = PartnerFactory(active=True)
    en.force_login(other.user)
    theirs = place_order(bob)
    assert en.get(reverse("partner_order_detail", args=[theirs.pk])).status_code == 404


# ── The partner on a phone (issue 19) ─────────────────────────────────────────


def test_the_history_names_the_partner_not_their_login(as_alice, alice):
    # given: the partner's login is a username, their name 王爱丽
    order = move_to(place_order(alice), "paid", by_user=alice.user)
    # when
    page = text_of(as_alice.get(reverse("partner_order_detail", args=[order.pk])))
    # then
    history = page.split('id="status-history"', 1)[1]
    assert '<span class="changed-by">王爱丽</span>' in history
    assert alice.user.get_username() not in history


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("placed", "标记为已付款"),
        ("paid", "标记为已发货"),
        ("shipped", "标记为已到县级服务中心"),
        ("at_county_centre", "标记为已到服务站"),
        ("at_service_point", "标记为已取货"),
    ],
)
def test_each_next_step_is_labelled_as_an_action(client, alice, status, label):
    order = move_to(place_order(alice), status)
    client.force_login(alice.user)
    page = client.get(reverse("partner_order_detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(rf'id="action-[a-z_]+">{label}</button>', page), label


def test_the_next_step_comes_before_the_orders_facts(as_alice, alice):
    order = place_order(alice)
    page = as_alice.get(reverse("partner_order_detail", args=[order.pk])).content.decode()
    assert page.index('id="order-actions"') < page.index('class="facts"') < page.index('id="order-lines"')


def test_pages_are_sent_gzipped_to_a_browser_that_accepts_it(as_alice, alice):
    # when
    page = as_alice.get(reverse("partner_order_new"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    # then: compressed (GZipMiddleware, with its BREACH padding), and never to one that does not
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    assert gzip.decompress(page.content).decode().count('name="client_request_id"') == 1
    plain = as_alice.get(reverse("partner_order_new"))
    assert not plain.has_header("Content-Encoding")
    assert len(page.content) < len(plain.content) / 3
