"""Replacing a partner (issue 17, item 4): the leaving partner exits, a successor who passed
training takes over the service point with the open orders and the village's villagers;
commission stays with whoever placed each order."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from analytics import rollups
from analytics.models import PartnerDailyIncome
from orders.models import Order, OrderStatusChange, Villager
from orders.replacement import partner_replace, successor_candidates
from orders.selectors import partner_month_so_far
from partners.models import Course, PartnerStatus, PartnerStatusChange, ServicePointTenure
from partners.services import PartnerTransitionError, partner_transition
from rural_taobao import dates
from tests.support.factories import VillageFactory
from tests.support.orders import move_to, place_order
from tests.support.partners import partner_in

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


def url(partner):
    return f"/api/v1/partners/{partner.pk}/replace/"


@pytest.fixture
def successor(alice):
    """A trainee of alice's village who passed training (no course is required)."""
    return partner_in(PartnerStatus.TRAINING, village=alice.village, real_name="赵继任")


@pytest.fixture
def alices_orders(alice):
    """One order in every status: five open (placed … at the service point), three done."""
    orders = {}
    for i, status in enumerate(
        ["placed", "paid", "shipped", "at_county_centre", "at_service_point", "picked_up", "cancelled", "returned"]
    ):
        order = place_order(alice, villager_phone=f"1390000100{i}", villager_name=f"村民{i}")
        orders[status] = move_to(order, status, by_user=alice.user) if status != "placed" else order
    return orders


# ── The service ──────────────────────────────────────────────────────────────


def test_replacement_moves_the_open_orders_and_keeps_the_villagers(alice, successor, alices_orders, admin_user):
    # given alice's point, villagers and orders
    point = alice.service_point
    villagers_before = set(Villager.objects.filter(village=alice.village).values_list("pk", flat=True))
    # when
    result = partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="外出务工", by_user=admin_user)
    # then alice exited, with the reason; the successor is active at the same point
    alice.refresh_from_db()
    successor.refresh_from_db()
    assert alice.status == PartnerStatus.EXITED and alice.exited_at is not None
    assert PartnerStatusChange.objects.filter(partner=alice).latest("id").reason == "外出务工"
    assert successor.status == PartnerStatus.ACTIVE and successor.service_point == point
    assert result.service_point == point and result.successor.pk == successor.pk
    # the point's history: alice's tenure closed, the successor's open
    tenures = {t.partner_id: t for t in ServicePointTenure.objects.filter(service_point=point)}
    assert tenures[alice.pk].ended is not None and tenures[successor.pk].ended is None
    # the open orders are the successor's, each with a history row; the rest stay alice's
    open_ids = {alices_orders[s].pk for s in ["placed", "paid", "shipped", "at_county_centre", "at_service_point"]}
    assert set(result.moved_orders) == open_ids
    assert set(Order.objects.filter(partner=successor).values_list("pk", flat=True)) == open_ids
    for status in ["picked_up", "cancelled", "returned"]:
        assert Order.objects.get(pk=alices_orders[status].pk).partner_id == alice.pk
    for pk in open_ids:
        order = Order.objects.get(pk=pk)
        assert order.placed_by_id == alice.pk  # who placed it does not change
        last = OrderStatusChange.objects.filter(order_id=pk).latest("id")
        assert (last.from_status, last.to_status) == (order.status, order.status)
        assert "赵继任" in last.reason and last.changed_by == admin_user
    # the villagers are the village's: the same, and now the successor's to serve
    assert set(Villager.objects.filter(village=successor.village).values_list("pk", flat=True)) == villagers_before


def test_the_successor_finds_the_villagers_on_a_new_order(alice, successor, admin_user):
    # given a villager alice served
    place_order(alice, villager_phone="13900002222", villager_name="张大妈")
    partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="退休", by_user=admin_user)
    successor.refresh_from_db()
    # when the successor logs an order for the same phone without a name
    order = place_order(successor, villager_phone="13900002222", villager_name="")
    # then it is the same villager, and the order is the successor's own
    assert order.villager.name == "张大妈"
    assert Villager.objects.filter(village=alice.village, phone="13900002222").count() == 1
    assert order.placed_by_id == order.partner_id == successor.pk


def test_commission_stays_with_the_partner_who_placed_the_order(alice, successor, admin_user, categories):
    # given alice's paid order (3 % on appliances), then alice is replaced
    order = move_to(place_order(alice, lines=[{"category": "appliances", "product_name": "冰箱", "quantity": 1,
                                                 "unit_price": "1000.00"}]), "paid", by_user=alice.user)  # fmt: skip
    partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="搬家", by_user=admin_user)
    successor.refresh_from_db()
    order.refresh_from_db()
    assert order.partner_id == successor.pk and order.placed_by_id == alice.pk
    commission = sum(line.commission_amount or Decimal("0") for line in order.lines.all())
    # when the nightly rollup runs for the paid day
    day = timezone.localdate(order.paid_at)
    rollups.rollup_day(day)
    # then the day's income is alice's, none the successor's
    assert PartnerDailyIncome.objects.get(partner=alice, day=day).commission == commission
    assert not PartnerDailyIncome.objects.filter(partner=successor).exists()
    # and the month so far on the partners' homes says the same
    today = dates.shanghai_today()
    assert partner_month_so_far(alice, today).commission == commission
    assert partner_month_so_far(successor, today).commission == Decimal("0.00")


@pytest.fixture
def categories(db):
    from tests.support.orders import appliances

    category = appliances()
    from partners.models import CommissionRate

    CommissionRate.objects.get_or_create(category=category, effective_from=dates.shanghai_today(),
                                         defaults={"rate": Decimal("0.0300")})  # fmt: skip
    return category


def test_a_successor_who_has_not_passed_training_is_refused_and_nothing_changes(alice, successor, admin_user):
    # given a required course the successor has not passed
    Course.objects.create(name="合伙人基础", hours=Decimal("8"), required=True)
    # when / then
    with pytest.raises(PartnerTransitionError) as refused:
        partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="搬家", by_user=admin_user)
    assert refused.value.code == "training_incomplete"
    assert [c.name for c in refused.value.missing_courses] == ["合伙人基础"]
    alice.refresh_from_db()
    successor.refresh_from_db()
    assert (alice.status, successor.status) == (PartnerStatus.ACTIVE, PartnerStatus.TRAINING)
    assert ServicePointTenure.objects.get(service_point=alice.service_point, ended__isnull=True).partner == alice


@pytest.mark.parametrize("status", [PartnerStatus.APPROVED, PartnerStatus.ACTIVE, PartnerStatus.EXITED])
def test_only_a_trainee_can_succeed(alice, admin_user, status):
    other = partner_in(status, village=VillageFactory(county=alice.village.county))
    with pytest.raises(PartnerTransitionError) as refused:
        partner_replace(partner_id=alice.pk, successor_id=other.pk, reason="搬家", by_user=admin_user)
    assert refused.value.code == "not_eligible"
    alice.refresh_from_db()
    assert alice.status == PartnerStatus.ACTIVE


def test_a_trainee_of_another_county_cannot_succeed(alice, bob, admin_user):
    elsewhere = partner_in(PartnerStatus.TRAINING, village=bob.village)
    with pytest.raises(PartnerTransitionError) as refused:
        partner_replace(partner_id=alice.pk, successor_id=elsewhere.pk, reason="搬家", by_user=admin_user)
    assert refused.value.code == "not_eligible"


def test_a_trainee_of_another_village_of_the_county_moves_to_the_point(alice, admin_user):
    other = partner_in(PartnerStatus.TRAINING, village=VillageFactory(county=alice.village.county))
    partner_replace(partner_id=alice.pk, successor_id=other.pk, reason="搬家", by_user=admin_user)
    other.refresh_from_db()
    assert other.village == alice.village and other.service_point == alice.service_point


def test_the_candidates_are_the_countys_trainees_who_passed(alice, bob, successor):
    Course.objects.create(name="网店操作", hours=Decimal("4"), required=False)
    partner_in(PartnerStatus.TRAINING, village=bob.village)  # another county
    partner_in(PartnerStatus.APPROVED, village=alice.village)  # not in training
    assert list(successor_candidates(alice)) == [successor]


def test_an_exited_partner_cannot_be_replaced(alice, successor, admin_user):
    partner_transition(partner_id=alice.pk, to_status=PartnerStatus.EXITED, by_user=admin_user, reason="走了")
    with pytest.raises(PartnerTransitionError) as refused:
        partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="搬家", by_user=admin_user)
    assert refused.value.code == "not_replaceable"


@pytest.mark.django_db(transaction=True)
def test_two_replacements_at_once_one_wins_the_other_is_refused(alice, admin_user, role_groups_tx):
    # given two successors, and two admins replacing alice at the same moment
    first = partner_in(PartnerStatus.TRAINING, village=alice.village)
    second = partner_in(PartnerStatus.TRAINING, village=alice.village)
    barrier = threading.Barrier(2)
    outcomes = {}

    def replace(successor):
        try:
            barrier.wait()
            partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="同时", by_user=admin_user)
            outcomes[successor.pk] = "ok"
        except PartnerTransitionError as exc:
            outcomes[successor.pk] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=replace, args=(s,)) for s in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then exactly one took over; the other was refused, and the point has one open tenure
    assert sorted(outcomes.values()) == ["not_replaceable", "ok"]
    winner = first if outcomes[first.pk] == "ok" else second
    loser = second if winner is first else first
    winner.refresh_from_db()
    loser.refresh_from_db()
    assert (winner.status, loser.status) == (PartnerStatus.ACTIVE, PartnerStatus.TRAINING)
    assert list(ServicePointTenure.objects.filter(service_point=alice.service_point, ended__isnull=True)
                .values_list("partner_id", flat=True)) == [winner.pk]  # fmt: skip


@pytest.fixture
def role_groups_tx(transactional_db):
    from django.contrib.auth.models import Group

    for name in ("partner", "county_staff", "admin", "county_centre"):
        Group.objects.get_or_create(name=name)


# ── The API ──────────────────────────────────────────────────────────────────


def test_the_api_replaces_and_answers_the_result(alice, successor, alices_orders, carol):
    # when alice's county staff replaces her
    response = api(carol).post(url(alice), {"successor": successor.pk, "reason": "外出务工"}, format="json")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["leaving"] == {"id": alice.pk, "name": alice.real_name, "status": "exited"}
    assert body["successor"] == {"id": successor.pk, "name": "赵继任", "status": "active"}
    assert body["service_point"] == {"id": alice.service_point_id, "code": alice.service_point.code,
                                     "village": alice.village.name}  # fmt: skip
    assert sorted(body["moved_orders"]) == sorted(
        alices_orders[s].pk for s in ["placed", "paid", "shipped", "at_county_centre", "at_service_point"]
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "x"}, "successor"),
        ({"successor": "abc", "reason": "x"}, "successor"),
        ({"successor": -1, "reason": "x"}, "successor"),
        ({"successor": 99999999, "reason": "x"}, "successor"),
        ({"successor": "SELF", "reason": "x"}, "successor"),
        ({"successor": "SUCC"}, "reason"),
        ({"successor": "SUCC", "reason": "   "}, "reason"),
        ({"successor": "SUCC", "reason": "长" * 501}, "reason"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(alice, successor, admin_user, payload, field):
    payload = {k: {"SELF": alice.pk, "SUCC": successor.pk}.get(v, v) for k, v in payload.items()}
    response = api(admin_user).post(url(alice), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    alice.refresh_from_db()
    assert alice.status == PartnerStatus.ACTIVE


def test_a_successor_who_has_not_passed_is_a_409_naming_the_courses(alice, successor, admin_user):
    course = Course.objects.create(name="合伙人基础", hours=Decimal("8"), required=True)
    response = api(admin_user).post(url(alice), {"successor": successor.pk, "reason": "搬家"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "training_incomplete"
    assert body["missing_courses"] == [{"id": course.pk, "name": "合伙人基础"}]


def test_an_ineligible_successor_is_a_409(alice, admin_user):
    active_elsewhere = partner_in(PartnerStatus.ACTIVE, village=VillageFactory(county=alice.village.county))
    response = api(admin_user).post(url(alice), {"successor": active_elsewhere.pk, "reason": "搬家"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_eligible"


def test_scope_another_countys_staff_404_partners_403(alice, bob, successor, dave, admin_user):
    body = {"successor": successor.pk, "reason": "搬家"}
    assert api(dave).post(url(alice), body, format="json").status_code == 404
    assert api(bob.user).post(url(alice), body, format="json").status_code == 403
    assert api(alice.user).post(url(alice), body, format="json").status_code == 403
    assert APIClient().post(url(alice), body, format="json").status_code in (401, 403)
    assert api(admin_user).post("/api/v1/partners/99999999/replace/", body, format="json").status_code == 404
    alice.refresh_from_db()
    assert alice.status == PartnerStatus.ACTIVE


def test_the_status_endpoint_closes_and_opens_tenures(alice, successor, admin_user):
    client = api(admin_user)
    assert client.post(f"/api/v1/partners/{alice.pk}/status/", {"status": "exited", "reason": "走了"},
                       format="json").status_code == 200  # fmt: skip
    assert client.post(f"/api/v1/partners/{successor.pk}/status/", {"status": "active"},
                       format="json").status_code == 200  # fmt: skip
    open_tenure = ServicePointTenure.objects.get(service_point=alice.service_point, ended__isnull=True)
    assert open_tenure.partner_id == successor.pk


# ── The page ─────────────────────────────────────────────────────────────────


def test_the_page_offers_the_candidates_and_replaces(client, alice, successor, alices_orders, carol):
    client.force_login(carol)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("partner_performance", args=[alice.pk])).content.decode()
    assert "Replace partner" in page and "赵继任" in page and alice.service_point.code in page
    response = client.post(reverse("partner_replace", args=[alice.pk]), {"successor": successor.pk, "reason": "搬家"})
    assert response.status_code == 302
    assert response["Location"] == reverse("partner_performance", args=[successor.pk])
    page = client.get(response["Location"]).content.decode()
    assert "5 open orders moved" in page
    assert alice.real_name in page and "赵继任" in page  # the point's history lists both
    successor.refresh_from_db()
    assert successor.status == PartnerStatus.ACTIVE


def test_the_page_says_what_is_wrong_in_the_page_language(client, alice, successor, admin_user):
    client.force_login(admin_user)
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("partner_replace", args=[alice.pk]), {"successor": successor.pk, "reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "此项为必填项" in page and "替换合伙人" in page
    alice.refresh_from_db()
    assert alice.status == PartnerStatus.ACTIVE


def test_the_page_is_404_for_another_county_and_403_for_partners(client, alice, successor, dave, bob):
    client.force_login(dave)
    assert (
        client.post(reverse("partner_replace", args=[alice.pk]), {"successor": successor.pk, "reason": "x"}).status_code
        == 404
    )
    client.force_login(bob.user)
    assert (
        client.post(reverse("partner_replace", args=[alice.pk]), {"successor": successor.pk, "reason": "x"}).status_code
        == 404
    )
    alice.refresh_from_db()
    assert alice.status == PartnerStatus.ACTIVE


def test_the_successor_reads_the_moved_order_and_who_placed_it(alice, successor, admin_user):
    order = place_order(alice, villager_phone="13900003333", villager_name="王婶")
    partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="搬家", by_user=admin_user)
    successor.refresh_from_db()
    body = api(successor.user).get(f"/api/v1/orders/{order.pk}/").json()
    assert (body["partner"], body["placed_by"]) == (successor.pk, alice.pk)
    assert body["villager"]["phone"] == "13900003333"  # their village's villager: in full
    villagers = api(successor.user).get("/api/v1/villagers/").json()["results"]
    assert [(v["name"], v["phone"]) for v in villagers] == [("王婶", "13900003333")]


def test_the_successors_villager_list_links_only_to_orders_they_hold(alice, successor, admin_user, client):
    # given a villager whose last order alice delivered (it stays alice's) and one with an open order
    done = move_to(place_order(alice, villager_phone="13900003333", villager_name="李大爷"), "picked_up",
                   by_user=alice.user)  # fmt: skip
    still_open = place_order(alice, villager_phone="13900004444", villager_name="王婶")
    partner_replace(partner_id=alice.pk, successor_id=successor.pk, reason="退休", by_user=admin_user)
    successor.refresh_from_db()
    # when the successor opens the village's villagers
    client.force_login(successor.user)
    page = client.get(reverse("partner_villagers")).content.decode()
    # then both villagers are there; the moved open order is linked, alice's finished one only named
    assert "李大爷" in page and "王婶" in page
    assert done.order_no in page
    assert reverse("partner_order_detail", args=[done.pk]) not in page
    assert reverse("partner_order_detail", args=[still_open.pk]) in page
    # and the link the page does give opens for the successor
    assert client.get(reverse("partner_order_detail", args=[still_open.pk])).status_code == 200
