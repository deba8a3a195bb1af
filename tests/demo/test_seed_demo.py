"""seed_demo: deterministic, realistic demo data that respects every model rule."""

import io
import re
from collections import defaultdict
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F
from django.utils import timezone

from analytics.billion_yuan import billion_yuan_headline, billion_yuan_progress
from analytics.models import (
    CommissionEntry,
    CountyDay,
    CountyOnlineRetailMonth,
    CountySummary,
    Dispute,
    MonthlyStatement,
    RollupDirtyDay,
)
from analytics.rollups import refresh_county_summary
from counties.models import County, CountyStaffAssignment, Province, ServicePoint, Village
from orders.models import (
    Category,
    Channel,
    Order,
    OrderLine,
    OrderNumberCounter,
    OrderReconciliation,
    OrderStatus,
    PlatformOrder,
    PlatformOrderNo,
    Promotion,
    Villager,
)
from partners.commission import commission_amount, commission_rates_on
from partners.models import (
    MOBILE_PHONE_REGEX,
    PARTNER_TRANSITIONS,
    CommissionRate,
    IncentiveTier,
    Partner,
    PartnerStatus,
    PartnerStatusChange,
    PayoutAccount,
)
from payouts.models import PayoutBatch, PayoutItem

# 60 days ending 2025-11-30: the 11.11 promotion falls inside the period.
SMALL = ["--orders", "2000", "--days", "60", "--partners", "120", "--end-date", "2025-11-30"]
PASSWORD = "demo12345"


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(Order.objects.order_by("order_no").values_list("order_no", "total_amount", "status", "channel")),
        sorted(Partner.objects.values_list("phone", "real_name", "status")),
        sorted(Village.objects.values_list("county__code", "name")),
        sorted(PlatformOrder.objects.values_list("number", "status", "amount", "changed_at")),
        sorted(MonthlyStatement.objects.values_list("partner__phone", "month", "status", "total", "payout_reference")),
    )


def table_counts():
    models = [
        Province, County, Village, ServicePoint, CountyStaffAssignment, Partner, PartnerStatusChange,
        Villager, Order, OrderLine, OrderNumberCounter, Promotion, User, PlatformOrderNo, PlatformOrder,
        OrderReconciliation, CommissionEntry, MonthlyStatement, PayoutAccount, PayoutBatch, PayoutItem, Dispute,
        CountyOnlineRetailMonth,
    ]  # fmt: skip
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def seeded(db):
    return seed()


@pytest.mark.django_db
def test_demo_logins_authenticate_with_their_roles(seeded):
    admin = authenticate(username="demo_admin", password=PASSWORD)
    county_staff = authenticate(username="demo_county", password=PASSWORD)
    partner_user = authenticate(username="demo_partner", password=PASSWORD)
    assert admin is not None and county_staff is not None and partner_user is not None
    assert authenticate(username="demo_admin", password="wrong-password") is None

    assert admin.is_superuser and admin.is_staff
    assert set(admin.groups.values_list("name", flat=True)) == {"admin"}

    assert set(county_staff.groups.values_list("name", flat=True)) == {"county_staff"}
    assert not county_staff.is_superuser
    assert list(CountyStaffAssignment.objects.filter(user=county_staff).values_list("county__code", flat=True)) == [
        "410225"
    ]

    centre = authenticate(username="demo_centre", password=PASSWORD)
    assert set(centre.groups.values_list("name", flat=True)) == {"county_centre"}
    assert list(CountyStaffAssignment.objects.filter(user=centre).values_list("county__code", flat=True)) == [
        "410225"
    ]

    assert set(partner_user.groups.values_list("name", flat=True)) == {"partner"}
    partner = partner_user.partner
    assert partner.status == PartnerStatus.ACTIVE
    assert partner.village.county.code == "410225"
    assert partner.service_point is not None and partner.service_point.village == partner.village
    assert Villager.objects.filter(village=partner.village).exists()
    assert partner.orders.exists()

    for name in ("demo_admin", "demo_county", "demo_centre", "demo_partner"):
        assert name in seeded


@pytest.mark.django_db
def test_password_option_sets_the_demo_password(db):
    seed("--password", "another-secret-9")
    assert authenticate(username="demo_partner", password="another-secret-9") is not None
    assert authenticate(username="demo_partner", password=PASSWORD) is None


@pytest.mark.django_db
def test_real_counties_cover_all_regions_and_the_poverty_counties(seeded):
    poverty = dict(
        County.objects.filter(code__in=["510124", "610431", "410225"]).values_list("code", "is_poverty_county")
    )
    assert poverty == {"510124": True, "610431": True, "410225": True}
    lankao = County.objects.get(code="410225")
    assert lankao.name == "兰考县"
    assert lankao.province.code == "41" and lankao.region == "central"
    assert "泡桐木民族乐器" in lankao.characteristic_products
    assert lankao.partner_office == "兰考县商务局"
    assert lankao.partnership_since is not None and lankao.profile
    assert lankao.yearly_sales_target > 0

    assert County.objects.count() >= 28
    assert set(County.objects.values_list("region", flat=True)) == {"east", "central", "west", "northeast"}
    regions = {
        "11": "east",
        "33": "east",
        "41": "central",
        "34": "central",
        "51": "west",
        "61": "west",
        "23": "northeast",
    }
    for county in County.objects.select_related("province"):
        assert re.fullmatch(r"\d{6}", county.code)
        assert county.code[:2] == county.province.code
        assert county.region == county.province.region
        if county.province.code in regions:
            assert county.region == regions[county.province.code]
    for code in ["330782", "321322", "371721", "350524", "230184", "621221", "231283"]:
        assert County.objects.filter(code=code).exists()


@pytest.mark.django_db
def test_villages_have_service_points_and_townships(seeded):
    assert Village.objects.exists()
    assert not Village.objects.filter(service_point__isnull=True).exists()
    assert not Village.objects.filter(township="").exists()
    assert Village.objects.filter(county__code="410225", name="张庄村", township="东坝头乡").exists()
    for sp in ServicePoint.objects.all():
        assert sp.address and sp.opened_on is not None
        assert sp.closed_on is None or sp.closed_on >= sp.opened_on


@pytest.mark.django_db
def test_partners_in_every_status_with_a_legal_history(seeded):
    assert set(Partner.objects.values_list("status", flat=True)) == set(PartnerStatus.values)
    history = defaultdict(list)
    for change in PartnerStatusChange.objects.order_by("changed_at", "id"):
        history[change.partner_id].append(change)
    phones = set()
    for partner in Partner.objects.select_related("user", "service_point"):
        assert re.fullmatch(MOBILE_PHONE_REGEX, partner.phone)
        phones.add(partner.phone)
        changes = history[partner.id]
        assert changes, partner
        assert changes[0].from_status == "" and changes[0].to_status == PartnerStatus.APPLIED
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in PARTNER_TRANSITIONS[before.to_status], (before, after)
        assert changes[-1].to_status == partner.status
        assert changes[0].changed_at == partner.applied_at
        assert changes[-1].changed_at == partner.status_changed_at
        if partner.status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXITED):
            assert partner.activated_at is not None and partner.user is not None
            assert partner.service_point is not None
            assert partner.user.groups.filter(name="partner").exists()
            if partner.user.username != "demo_partner":
                assert partner.user.username == partner.phone
        else:
            assert partner.activated_at is None and partner.user is None
        assert (partner.status == PartnerStatus.EXITED) == (partner.exited_at is not None)
    assert len(phones) == Partner.objects.count()

    busy = Partner.objects.filter(status=PartnerStatus.ACTIVE).values("village").annotate(n=Count("id")).filter(n__gt=1)
    assert not busy.exists()


@pytest.mark.django_db
def test_villagers_belong_to_their_village(seeded):
    assert Villager.objects.exists()
    for villager in Villager.objects.all():
        assert re.fullmatch(MOBILE_PHONE_REGEX, villager.phone)
    # every order's villager is of the order's village
    assert not Order.objects.exclude(villager__village=F("village")).exists()


@pytest.mark.django_db
def test_orders_in_every_channel_with_consistent_lines_numbers_and_timestamps(seeded):
    assert Order.objects.count() == 2000
    assert set(Order.objects.values_list("channel", flat=True)) == set(Channel.values)
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {OrderStatus.PICKED_UP, OrderStatus.CANCELLED, OrderStatus.RETURNED} <= statuses

    start, end = date(2025, 10, 2), date(2025, 11, 30)
    lines = defaultdict(list)
    for line in OrderLine.objects.all():
        lines[line.order_id].append(line)
    max_seq = {}
    steps = ["placed_at", "paid_at", "shipped_at", "at_county_centre_at", "at_service_point_at", "picked_up_at"]
    reached = {"placed": 1, "paid": 2, "shipped": 3, "at_county_centre": 4, "at_service_point": 5, "picked_up": 6}
    reached["returned"] = 6
    for order in Order.objects.select_related("partner", "county"):
        assert order.partner.status in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED, PartnerStatus.EXITED)
        assert order.village_id == order.partner.village_id
        assert order.county_id == order.county_id == order.partner.village.county_id
        own = lines[order.id]
        assert 1 <= len(own) <= 3
        for line in own:
            assert line.line_total == line.quantity * line.unit_price
            assert line.unit_price.as_tuple().exponent == -2
        assert order.total_amount == sum(line.line_total for line in own)

        placed_day = timezone.localtime(order.placed_at).date()
        assert start <= placed_day <= end
        code, day, seq = order.order_no.split("-")
        assert code == order.county.code and day == f"{placed_day:%Y%m%d}" and len(seq) == 5
        key = (order.county_id, placed_day)
        max_seq[key] = max(max_seq.get(key, 0), int(seq))

        stamps = [getattr(order, f) for f in steps]
        if order.status == OrderStatus.CANCELLED:
            assert order.cancelled_at is not None and order.shipped_at is None and order.returned_at is None
        else:
            n = reached[order.status]
            assert all(s is not None for s in stamps[:n]) and all(s is None for s in stamps[n:])
            assert stamps[:n] == sorted(stamps[:n])
            assert order.cancelled_at is None
            assert (order.returned_at is not None) == (order.status == OrderStatus.RETURNED)
        if order.status not in (OrderStatus.PLACED, OrderStatus.CANCELLED):
            assert order.paid_at is not None
        if order.channel == Channel.GOVERNMENT_PROCUREMENT:
            assert order.buyer_organisation and order.reference
    counters = {(c.county_id, c.day): c.last_value for c in OrderNumberCounter.objects.all()}
    assert counters == max_seq

    trash_cans = OrderLine.objects.filter(product_name__contains="垃圾桶", quantity=5000).select_related("order")
    assert trash_cans.exists()
    assert trash_cans[0].order.channel == Channel.GOVERNMENT_PROCUREMENT
    assert "城市管理局" in trash_cans[0].order.buyer_organisation


@pytest.mark.django_db
def test_promotions_and_the_promotion_spike(seeded):
    assert Promotion.objects.filter(code="1111-2025", starts_on=date(2025, 11, 1), ends_on=date(2025, 11, 11)).exists()
    assert Promotion.objects.filter(code="618-2025", starts_on=date(2025, 6, 1), ends_on=date(2025, 6, 18)).exists()
    promo_orders = Order.objects.filter(promotion__code="1111-2025")
    assert promo_orders.exists()
    for order in promo_orders:
        assert date(2025, 11, 1) <= timezone.localtime(order.placed_at).date() <= date(2025, 11, 11)
        assert order.channel != Channel.GOVERNMENT_PROCUREMENT
    per_day = defaultdict(int)
    for placed in Order.objects.values_list("placed_at", flat=True):
        per_day[timezone.localtime(placed).date()] += 1
    ordinary = sorted(per_day.values())[len(per_day) // 2]
    assert per_day[date(2025, 11, 11)] > 4 * ordinary
    assert max(per_day, key=per_day.get) == date(2025, 11, 11)


@pytest.mark.django_db
def test_paid_lines_carry_the_commission_in_force_on_the_paid_day(seeded):
    appliances = Category.objects.get(slug="appliances")
    rates = list(CommissionRate.objects.filter(category=appliances).order_by("effective_from"))
    assert len(rates) == 2 and rates[1].rate > rates[0].rate  # a raise during the period
    assert IncentiveTier.objects.exists()
    checked = 0
    for line in OrderLine.objects.select_related("order"):
        order = line.order
        if order.paid_at is None:
            assert line.commission_rate is None and line.commission_amount is None
            continue
        paid_day = timezone.localtime(order.paid_at).date()
        expected = commission_rates_on(day=paid_day, category_ids={line.category_id}, channel=order.channel)
        assert line.commission_rate == expected[line.category_id]
        assert line.commission_amount == commission_amount(line.line_total, line.commission_rate)
        checked += 1
    assert checked > 1000


@pytest.mark.django_db
def test_seeded_days_wait_for_the_rollups_and_reset_clears_rolled_up_figures(seeded):
    days = set(RollupDirtyDay.objects.values_list("day", flat=True))
    assert {date(2025, 10, 2), date(2025, 11, 11), date(2025, 11, 30)} <= days
    call_command("run_rollups", "--from", "2025-11-01", "--to", "2025-11-12", stdout=io.StringIO())
    assert CountyDay.objects.exists()
    seed("--reset", "--seed", "5")
    assert not CountyDay.objects.exists()
    assert Order.objects.count() == 2000


@pytest.mark.django_db
def test_same_seed_same_data_and_another_seed_other_data(db):
    seed("--seed", "7")
    first = snapshot()
    seed("--seed", "7", "--reset")
    assert snapshot() == first
    seed("--seed", "8", "--reset")
    other = snapshot()
    assert other[0] != first[0]
    assert other[1] != first[1]


@pytest.mark.django_db
def test_second_run_without_reset_changes_nothing(seeded):
    before = table_counts()
    orders_before = snapshot()
    out = seed("--seed", "99", "--orders", "50")
    assert "already" in out
    assert table_counts() == before
    assert snapshot() == orders_before


@pytest.mark.django_db
def test_reset_replaces_the_demo_data_without_leftovers(seeded):
    before = table_counts()
    seed("--reset")
    assert table_counts() == before
    assert User.objects.filter(username="demo_partner").count() == 1


@pytest.mark.django_db
def test_synthetic_counties_beyond_the_real_ones(db):
    seed("--counties", "45", "--villages-per-county", "3")
    codes = list(County.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 45
    for county in County.objects.select_related("province"):
        assert re.fullmatch(r"\d{6}", county.code) and county.code[:2] == county.province.code
        assert county.name and county.profile and county.characteristic_products
    assert Village.objects.count() >= 45 * 3
    assert (
        not Partner.objects.filter(status=PartnerStatus.ACTIVE)
        .values("village")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )


@pytest.mark.django_db
def test_too_few_partners_is_a_clear_error(db):
    with pytest.raises(CommandError):
        seed("--partners", "5")
    assert not County.objects.exists()


@pytest.mark.django_db
def test_official_figures_put_about_ten_counties_above_one_hundred_million(seeded):
    # given the seeded official figures, every complete month from a year before the period
    months = set(CountyOnlineRetailMonth.objects.values_list("month", flat=True))
    assert min(months) == date(2024, 10, 1) and max(months) == date(2025, 11, 1)
    # when the county summary is computed as of the period's last day
    refresh_county_summary(date(2025, 11, 30))
    # then about ten counties are 亿元淘宝县, national poverty counties among them
    above = CountySummary.objects.filter(is_billion_yuan=True).select_related("county")
    assert 9 <= above.count() <= 11
    assert above.filter(county__is_poverty_county=True).count() >= 3
    assert all(s.trailing_12m_sales >= 100_000_000 for s in above)
    headline = billion_yuan_headline()
    assert headline.billion_yuan_counties == above.count() and headline.poverty >= 3 and headline.midwest >= 3
    # and Lankao, below the mark, is projected to reach it at its growth
    lankao = billion_yuan_progress(CountySummary.objects.get(county__code="410225"))
    assert lankao.status == "projected" and 0.5 < lankao.progress < 1


@pytest.mark.django_db
def test_official_figures_are_deterministic_and_a_second_run_keeps_them(seeded):
    first = sorted(CountyOnlineRetailMonth.objects.values_list("county__code", "month", "online_retail_sales"))
    seed("--seed", "99")
    assert sorted(CountyOnlineRetailMonth.objects.values_list("county__code", "month", "online_retail_sales")) == first
    seed("--reset")
    assert sorted(CountyOnlineRetailMonth.objects.values_list("county__code", "month", "online_retail_sales")) == first
