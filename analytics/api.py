"""REST API of counties and dashboards, for mobile apps and county systems.

The same selectors as the pages: ``counties_visible_to`` scopes every endpoint (a county
outside it is 404), ``county_dashboard`` computes the dashboard, ``PeriodForm`` validates
``from``/``to``, ``RankingFilter`` filters and orders the 亿元淘宝县 (¥100-million Taobao county) ranking. Admins and
county staff use these endpoints; partners get 403. Reads run on the read replica when
one is configured.

Amounts are strings with two decimals; ``sales`` is net (paid in the period minus returned
in the period) and ``returns`` the amount returned in the period.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from counties.models import County, EconomicFocus, Province, Region, Village
from counties.selectors import counties_visible_to, county_for
from orders.models import Channel
from rural_taobao.access import MayUseDashboards
from rural_taobao.db_router import reads_from_replica
from rural_taobao.money import MoneyField

from .billion_yuan import BillionYuanProgress, RankingFilter, ranking_queryset
from .dashboards import CountyDashboard, county_dashboard, county_villages
from .forms import period_form_for


class ReplicaReadsMixin:
    """The whole request's reads (not the login) on the read replica, when configured."""

    def dispatch(self, request, *args, **kwargs):
        with reads_from_replica():
            return super().dispatch(request, *args, **kwargs)


# ── Serializers ──────────────────────────────────────────────────────────────


class ProvinceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name", "name_en"]


class CountyRefSerializer(serializers.ModelSerializer):
    province = ProvinceRefSerializer(read_only=True)

    class Meta:
        model = County
        fields = ["code", "name", "name_en", "province", "region", "is_poverty_county"]


class CountySerializer(serializers.ModelSerializer):
    province = ProvinceRefSerializer(read_only=True)
    region = serializers.ChoiceField(choices=Region.choices, read_only=True)
    economic_focus = serializers.ChoiceField(choices=EconomicFocus.choices, read_only=True)
    yearly_sales_target = MoneyField(read_only=True)

    class Meta:
        model = County
        fields = [
            "code",
            "name",
            "name_en",
            "province",
            "region",
            "economic_focus",
            "characteristic_products",
            "profile",
            "is_poverty_county",
            "partnership_since",
            "partner_office",
            "yearly_sales_target",
        ]


class PartnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServicePointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()
    opened_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)


class VillageSerializer(serializers.ModelSerializer):
    service_point = serializers.SerializerMethodField()
    partner = serializers.SerializerMethodField()

    class Meta:
        model = Village
        fields = ["id", "name", "township", "service_point", "partner"]

    @extend_schema_field(ServicePointSerializer(allow_null=True))
    def get_service_point(self, village):
        point = getattr(village, "service_point", None)
        return ServicePointSerializer(point).data if point else None

    @extend_schema_field(PartnerRefSerializer(allow_null=True))
    def get_partner(self, village):
        if not village.partner_id:
            return None
        return {"id": village.partner_id, "name": village.partner_name}


class TotalsSerializer(serializers.Serializer):
    sales = MoneyField(help_text="Net: paid in the period minus returned in the period.")
    orders = serializers.IntegerField(help_text="Orders paid in the period.")
    buyers = serializers.IntegerField(help_text="Distinct villagers with a paid order in the period.")
    active_partners = serializers.IntegerField(
        help_text="Partners of the county's villages with at least one paid order in the period."
    )
    returns = MoneyField(help_text="Amount returned (or cancelled after payment) in the period.")


class PeriodSerializer(serializers.Serializer):
    """{"from", "to", "days", "previous_from", "previous_to"}."""

    def get_fields(self):
        # "from" is a Python keyword: the fields are declared by name.
        return {
            "from": serializers.DateField(source="start"),
            "to": serializers.DateField(source="end"),
            "days": serializers.IntegerField(),
            "previous_from": serializers.DateField(source="previous.start"),
            "previous_to": serializers.DateField(source="previous.end"),
        }

    def to_representation(self, instance):
        return super().to_representation(_PeriodView(instance))


class _PeriodView:
    def __init__(self, period):
        self.start, self.end, self.days = period.start, period.end, period.days
        self.previous = period.previous()


class DailySerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    sales = MoneyField()
    orders = serializers.IntegerField()


class CategorySalesSerializer(serializers.Serializer):
    category = serializers.CharField(source="slug", help_text="Category slug.")
    name = serializers.CharField()
    sales = MoneyField()
    returns = MoneyField()
    orders = serializers.IntegerField(help_text="Orders paid in the period with a line in this category.")


class ChannelSalesSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    name = serializers.CharField()
    sales = MoneyField()
    returns = MoneyField()


class VillageSalesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    township = serializers.CharField()
    partner = serializers.SerializerMethodField()
    sales = MoneyField()
    orders = serializers.IntegerField()
    last_order_day = serializers.DateField(allow_null=True, help_text="Last day with a paid order (up to a year back).")

    @extend_schema_field(PartnerRefSerializer(allow_null=True))
    def get_partner(self, row):
        return {"id": row.partner_id, "name": row.partner_name} if row.partner_id else None


class TopPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    village = serializers.CharField()
    orders = serializers.IntegerField()
    sales = MoneyField()
    commission = MoneyField(help_text="Earned on the period's payments minus reversals.")


class BillionYuanSerializer(serializers.Serializer):
    """The 亿元淘宝县 measure (the field names stay "billion_yuan"; the mark is ¥100,000,000)."""

    trailing_12m_sales = MoneyField(
        help_text="Online sales over the trailing 12 months: the farm-produce channel net of returns, or for a "
        "month with an imported official figure (网络零售额), that figure."
    )
    threshold = MoneyField(help_text="The 亿元淘宝县 mark in yuan (settings.TAOBAO_COUNTY_THRESHOLD_YUAN).")
    progress = serializers.SerializerMethodField(help_text="Share of the mark (¥100,000,000) reached, e.g. 0.4321.")
    trailing_12m_purchases = MoneyField(
        help_text="Assisted purchases, net, same 12 months: beside the measure, not in it."
    )
    trailing_12m_procurement = MoneyField(help_text="Government procurement, net, same 12 months: not in the measure.")
    official_months = serializers.IntegerField(help_text="Months of the 12 counted from official figures.")
    national_rank = serializers.IntegerField(allow_null=True)
    provincial_rank = serializers.IntegerField(allow_null=True)
    projection = serializers.ChoiceField(
        source="status",
        choices=["reached", "projected", "not_at_current_growth"],
        help_text="reached: a ¥100-million Taobao county; projected: see projected_month; not_at_current_growth: "
        "its 12-month sales do not grow (or have no prior year).",
    )
    projected_month = serializers.SerializerMethodField(
        help_text="YYYY-MM when the county reaches the mark at its current 12-month growth; null when it has "
        "reached it or does not grow."
    )

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_progress(self, progress: BillionYuanProgress) -> float:
        return round(progress.progress, 6)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_projected_month(self, progress: BillionYuanProgress):
        return progress.projected_month.strftime("%Y-%m") if progress.projected_month else None


class DashboardSerializer(serializers.Serializer):
    county = CountyRefSerializer()
    period = PeriodSerializer()
    totals = TotalsSerializer()
    previous_totals = TotalsSerializer()
    daily = DailySerializer(many=True)
    by_category = CategorySalesSerializer(many=True)
    by_channel = ChannelSalesSerializer(many=True)
    villages = VillageSalesSerializer(many=True)
    top_partners = TopPartnerSerializer(many=True, source="top_by_sales", help_text="Top 10 by net sales.")
    billion_yuan = BillionYuanSerializer()
    platform_confirmed_share = serializers.FloatField(
        allow_null=True,
        help_text="Of the sales paid in the period, the share (0–1) the platform confirmed (确认收货), from the "
        "nightly reconciliation; null without payments.",
    )
    as_of = serializers.DateTimeField(
        source="freshness.finished_at", allow_null=True, help_text="When the rollup behind these figures finished."
    )
    freshness_warning = serializers.ChoiceField(
        source="freshness.warning",
        choices=["", "failed", "stale", "never"],
        help_text="failed: the last nightly run failed; stale: older than 36 hours; never: no run yet.",
    )


class RankingSerializer(serializers.Serializer):
    county = CountyRefSerializer()
    national_rank = serializers.IntegerField(allow_null=True)
    provincial_rank = serializers.IntegerField(allow_null=True)
    trailing_12m_sales = MoneyField()
    prior_12m_sales = MoneyField()
    year_to_date_sales = MoneyField()
    growth = serializers.DecimalField(
        max_digits=24, decimal_places=4, allow_null=True, help_text="Trailing 12 months over the 12 before."
    )
    is_billion_yuan = serializers.BooleanField(
        help_text="Trailing 12-month online sales reach ¥100,000,000 (亿元淘宝县)."
    )
    trailing_12m_purchases = MoneyField(help_text="Assisted purchases, net: beside the measure, not in it.")
    trailing_12m_procurement = MoneyField(help_text="Government procurement, net: not in the measure.")
    as_of = serializers.DateField()


class FieldErrorsSerializer(serializers.Serializer):
    """400: {"field": ["message", …]}."""

    def get_fields(self):
        return {
            name: serializers.ListField(child=serializers.CharField(), required=False)
            for name in ("from", "to", "period", "province", "region", "poverty", "billion_yuan", "ordering")
        }


class CountyApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# ── Views ────────────────────────────────────────────────────────────────────


class CountyFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(
        field_name="province__code", label=_("Province"), help_text="Two-digit province code."
    )
    region = django_filters.ChoiceFilter(choices=Region.choices)
    is_poverty_county = django_filters.BooleanFilter()

    class Meta:
        model = County
        fields = ["province", "region", "is_poverty_county"]


PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day, YYYY-MM-DD (with `to`)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, YYYY-MM-DD; at most two years after `from`."),
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        enum=["7d", "30d", "month", "year", "custom"],
        description="A preset ending yesterday instead of from/to (default: the last 30 days).",
    ),
]
NOT_FOUND = OpenApiResponse(CountyApiErrorSerializer, description="No such county, or not one of the caller's.")
FORBIDDEN = OpenApiResponse(CountyApiErrorSerializer, description="Partners and logins without a role.")


@extend_schema_view(
    list=extend_schema(
        summary="Counties the caller may see",
        description="Admins: every county; county staff: their assigned counties. Filters: province (code), "
        "region, is_poverty_county; ordering by code or name.",
        responses={200: CountySerializer, 403: FORBIDDEN},
    ),
)
class CountyViewSet(ReplicaReadsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CountySerializer
    permission_classes = [IsAuthenticated, MayUseDashboards]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = CountyFilter
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{6}"

    def get_queryset(self):
        return counties_visible_to(self.request.user).select_related("province")

    def _county(self) -> County:
        try:
            return county_for(self.request.user, self.kwargs["code"], "summary")
        except County.DoesNotExist as exc:
            raise NotFound("No such county.") from exc

    @extend_schema(
        summary="The county's villages, service points and current partners",
        responses={200: VillageSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], ordering=None)
    def villages(self, request, code=None):
        county = self._county()
        page = self.paginate_queryset(county_villages(county))
        return self.get_paginated_response(VillageSerializer(page, many=True).data)

    @extend_schema(
        summary="The county dashboard",
        description="Totals of the period and of the previous period of the same length, daily figures, "
        "sales by category and channel, villages, the top 10 partners by net sales, 亿元淘宝县 (¥100-million) progress "
        "and when the figures were computed. Reads the nightly rollups only.",
        parameters=PERIOD_PARAMETERS,
        filters=False,
        responses={
            200: DashboardSerializer,
            400: OpenApiResponse(FieldErrorsSerializer, description="A bad period, field by field."),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def dashboard(self, request, code=None):
        county = self._county()
        form = period_form_for(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
        dashboard: CountyDashboard = county_dashboard(county, form.chosen_period)
        return Response(DashboardSerializer(dashboard).data)


@extend_schema_view(
    get=extend_schema(
        summary="The ¥100-million Taobao county (亿元淘宝县) ranking",
        description="Counties by online sales in the last 12 months: farm produce, or the official monthly figure where imported (from the nightly county summary). Admins see "
        "every county, county staff their own counties with their national ranks. Filters: province (code), "
        "region, poverty=true|false, billion_yuan=true|false; ordering: rank, trailing_12m_sales, "
        "year_to_date_sales, growth, code, province (prefix - for descending).",
        responses={
            200: RankingSerializer(many=True),
            400: OpenApiResponse(FieldErrorsSerializer, description="A bad filter value."),
            403: FORBIDDEN,
        },
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, enum=["true", "false"], description=description)
            for name, description in (
                ("poverty", "true: only national poverty counties; false: only the others."),
                ("billion_yuan", "true: only ¥100-million Taobao counties; false: only the others."),
            )
        ],
    )
)
class BillionYuanRankingView(ReplicaReadsMixin, generics.ListAPIView):
    serializer_class = RankingSerializer
    permission_classes = [IsAuthenticated, MayUseDashboards]
    filter_backends = [DjangoFilterBackend]
    filterset_class = RankingFilter

    def get_queryset(self):
        return ranking_queryset(self.request.user)
