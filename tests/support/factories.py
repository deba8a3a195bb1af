"""factory_boy factories for every model the tests need."""

import uuid
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from counties.models import County, CountyStaffAssignment, Province, Region, ServicePoint, Village
from orders.models import Category, Order, OrderLine, Promotion, Villager
from partners.models import Partner, PartnerStatus, ServicePointTenure


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "41"
    name = "河南省"
    name_en = "Henan"
    region = Region.CENTRAL


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{410300 + n:06d}")
    name = factory.Sequence(lambda n: f"测试县{n}")
    province = factory.SubFactory(ProvinceFactory)
    region = factory.SelfAttribute("province.region")
    yearly_sales_target = Decimal("100000000.00")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"张庄{n}村")


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    village = factory.SubFactory(VillageFactory)
    code = factory.LazyAttributeSequence(lambda sp, n: f"{sp.village.county.code}-{n % 9999 + 1:04d}")
    address = factory.LazyAttribute(lambda sp: f"{sp.village.name}村委会旁")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    real_name = factory.Sequence(lambda n: f"合伙人{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    village = factory.SubFactory(VillageFactory)
    status = PartnerStatus.APPLIED
    applied_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyFunction(timezone.now)

    class Params:
        active = factory.Trait(
            status=PartnerStatus.ACTIVE,
            user=factory.SubFactory(UserFactory, username=factory.SelfAttribute("..phone"), groups=["partner"]),
            service_point=factory.SubFactory(ServicePointFactory, village=factory.SelfAttribute("..village")),
            activated_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def tenure(obj, create, extracted, **kwargs):
        """An active or suspended partner holds their service point: an open tenure, as
        activation opens one (unless the point already has one)."""
        if not create or extracted is False or obj.service_point_id is None:
            return
        if obj.status not in (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED):
            return
        if not ServicePointTenure.objects.filter(service_point_id=obj.service_point_id, ended__isnull=True).exists():
            ServicePointTenure.objects.create(
                service_point_id=obj.service_point_id, partner=obj, started=obj.activated_at or timezone.now()
            )


class CountyStaffAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountyStaffAssignment

    user = factory.SubFactory(UserFactory, groups=["county_staff"])
    county = factory.SubFactory(CountyFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_zh = factory.Sequence(lambda n: f"品类{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion
        django_get_or_create = ("code",)

    name = "11.11"
    code = factory.Sequence(lambda n: f"1111-{2000 + n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyFunction(lambda: timezone.localdate())


class VillagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Villager
        exclude = ["partner"]

    # Villagers belong to a village; ``partner=`` is a shorthand for "of their village".
    partner = None
    village = factory.LazyAttribute(lambda v: v.partner.village if v.partner is not None else VillageFactory())
    name = factory.Sequence(lambda n: f"村民{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class OrderFactory(factory.django.DjangoModelFactory):
    """A placed order with no lines; add OrderLineFactory rows and set the total as needed."""

    class Meta:
        model = Order

    order_no = factory.Sequence(lambda n: f"410225-20261101-{n:05d}")
    client_request_id = factory.LazyFunction(uuid.uuid4)
    partner = factory.SubFactory(PartnerFactory, active=True)
    placed_by = factory.SelfAttribute("partner")
    villager = factory.SubFactory(VillagerFactory, partner=factory.SelfAttribute("..partner"))
    village = factory.SelfAttribute("partner.village")
    county = factory.SelfAttribute("partner.village.county")
    total_amount = Decimal("100.00")
    placed_at = factory.LazyFunction(timezone.now)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product_name = "电饭煲"
    category = factory.SubFactory(CategoryFactory)
    quantity = 1
    unit_price = Decimal("100.00")
    line_total = factory.LazyAttribute(lambda line: line.unit_price * line.quantity)
