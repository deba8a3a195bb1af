"""REST API of partners' figures: one partner's performance, their monthly targets, and
the national partner ranking.

- ``GET /partners/{id}/performance/``: admins and the county staff of the partner's county
  (another county's partner 404; partners and other logins 403);
- ``PUT /partners/{id}/targets/{YYYY-MM}/`` ``{"sales_target": "30000.00"}``: the same scope;
- ``GET /rankings/partners/?month=&province=&county=&ordering=``: admins.

The same selectors and forms as the pages (``partner_in_target_scope``,
``partner_performance``, ``partner_ranking``, ``RankingForm``). Amounts are strings with
two decimals.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.models import Partner
from partners.targets import partner_in_target_scope, partner_target_set
from rural_taobao.access import IsProgrammeAdmin, MayUseDashboards
from rural_taobao.money import MoneyField

from .api import ReplicaReadsMixin
from .partner_forms import MonthField, RankingForm, SalesTargetInputForm, parse_month_or_none
from .partner_performance import RANKING_ORDERINGS, PartnerPerformance, partner_performance, partner_ranking


@extend_schema_field(serializers.CharField(help_text="YYYY-MM."))
class MonthStringField(serializers.Field):
    """A calendar month (its first day) as "YYYY-MM"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Partners and logins without a dashboard role.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such partner, or not one of the caller's counties.")


def _field_errors(errors) -> dict:
    return {name: [str(e) for e in messages] for name, messages in errors.items()}


def _partner(request, pk: int) -> Partner:
    try:
        return partner_in_target_scope(request.user, pk)
    except Partner.DoesNotExist as exc:
        raise NotFound("No such partner.") from exc


# ── Performance ──────────────────────────────────────────────────────────────


class PerformancePartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="real_name")
    status = serializers.CharField()
    village = serializers.CharField(source="village.name")
    county = serializers.CharField(source="village.county.code", help_text="Six-digit county code.")


class PerformanceMonthSerializer(serializers.Serializer):
    month = MonthStringField()
    sales = MoneyField(help_text="Net: paid in the month minus returned in it.")
    orders = serializers.IntegerField(help_text="Orders paid in the month.")
    returned_orders = serializers.IntegerField(help_text="Orders returned (or cancelled after payment) in the month.")
    return_rate = serializers.FloatField(allow_null=True, help_text="returned_orders / orders; null without orders.")
    commission = MoneyField(help_text="Earned on the month's payments minus what its returns took back.")
    income = MoneyField(allow_null=True, help_text="The month's statement total; null without a statement.")
    villagers_served = serializers.IntegerField(source="villagers", help_text="Distinct villagers who bought.")
    sales_target = MoneyField(source="target", allow_null=True)
    target_progress = serializers.FloatField(source="target_share", allow_null=True, help_text="sales / target.")


class TargetProgressSerializer(serializers.Serializer):
    month = MonthStringField()
    sales_target = MoneyField(source="target")
    sales = MoneyField()
    progress = serializers.FloatField(source="share")


class PerformanceHeadlineSerializer(serializers.Serializer):
    sales = MoneyField()
    orders = serializers.IntegerField()
    returned_orders = serializers.IntegerField()
    return_rate = serializers.FloatField(allow_null=True)
    commission = MoneyField()
    income = MoneyField(help_text="Sum of the 12 months' statement totals.")
    villagers_served = serializers.IntegerField(source="villagers", help_text="Distinct over the 12 months.")
    last_order_at = serializers.DateTimeField(allow_null=True)
    days_since_last_order = serializers.IntegerField(allow_null=True)
    open_flags = serializers.IntegerField()
    confirmed_flags = serializers.IntegerField()
    target = TargetProgressSerializer(allow_null=True, help_text="This month's target, null without one.")


class PerformanceSerializer(serializers.Serializer):
    partner = PerformancePartnerSerializer()
    months = PerformanceMonthSerializer(many=True, help_text="The 12 Shanghai months to this one, oldest first.")
    headline = PerformanceHeadlineSerializer()
    as_of = serializers.DateTimeField(
        source="freshness.finished_at", allow_null=True, help_text="When the rollup behind these figures finished."
    )


class PartnerPerformanceView(ReplicaReadsMixin, APIView):
    permission_classes = [IsAuthenticated, MayUseDashboards]

    @extend_schema(
        summary="A partner's last 12 months",
        description="Net sales, orders, return rate, commission, income, villagers served and targets by "
        "month, and a headline (days since the last order, open and confirmed flags, this month's target). "
        "From the nightly rollups and statements.",
        responses={200: PerformanceSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        performance: PartnerPerformance = partner_performance(_partner(request, pk))
        return Response(PerformanceSerializer(performance).data)


# ── Targets ──────────────────────────────────────────────────────────────────


class TargetInputSerializer(serializers.Serializer):
    sales_target = MoneyField(help_text='More than zero, e.g. "30000.00".')


class TargetSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id")
    month = MonthStringField()
    sales_target = MoneyField()
    set_by = serializers.CharField(source="set_by.username", allow_null=True)
    set_at = serializers.DateTimeField()


class TargetFieldErrorsSerializer(serializers.Serializer):
    month = serializers.ListField(child=serializers.CharField(), required=False)
    sales_target = serializers.ListField(child=serializers.CharField(), required=False)


class PartnerTargetView(APIView):
    permission_classes = [IsAuthenticated, MayUseDashboards]

    @extend_schema(
        summary="Set a partner's sales target for a month",
        request=TargetInputSerializer,
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, OpenApiParameter.PATH, description="YYYY-MM.", pattern=r"^[0-9]{4}-[0-9]{2}$"
            )
        ],
        responses={
            200: TargetSerializer,
            400: OpenApiResponse(TargetFieldErrorsSerializer, description="A bad month or target."),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def put(self, request, pk: int, month: str):
        partner = _partner(request, pk)
        first_day = parse_month_or_none(month)
        if first_day is None:
            raise ValidationError({"month": [str(MonthField.default_error_messages["invalid"])]})
        value = request.data.get("sales_target") if isinstance(request.data, dict) else None
        form = SalesTargetInputForm({"sales_target": value if isinstance(value, str | int | float) else ""})
        if not form.is_valid():
            raise ValidationError(_field_errors(form.errors))
        try:
            target = partner_target_set(
                partner=partner, month=first_day, sales_target=form.cleaned_data["sales_target"], by_user=request.user
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(TargetSerializer(target).data)


# ── Ranking ──────────────────────────────────────────────────────────────────


class RankingRowSerializer(serializers.Serializer):
    partner = serializers.IntegerField(source="partner_id")
    name = serializers.CharField(source="partner__real_name")
    status = serializers.CharField(source="partner__status")
    village = serializers.CharField(source="partner__village__name")
    county = serializers.CharField(source="partner__village__county__code")
    county_name = serializers.CharField(source="partner__village__county__name")
    orders = serializers.IntegerField()
    sales = MoneyField(help_text="Net sales of the month.")
    previous_sales = MoneyField(help_text="Net sales of the month before.")
    growth = serializers.DecimalField(
        max_digits=24, decimal_places=4, allow_null=True, help_text="sales / previous_sales − 1; null without them."
    )
    commission = MoneyField()
    income = MoneyField(allow_null=True, help_text="The month's statement total; null without a statement.")


class RankingErrorsSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            name: serializers.ListField(child=serializers.CharField(), required=False)
            for name in ("month", "province", "county", "ordering")
        }


class PartnerRankingView(ReplicaReadsMixin, generics.ListAPIView):
    serializer_class = RankingRowSerializer
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    filter_backends: list = []

    @extend_schema(
        summary="The national partner ranking of a month",
        description="Partners with sales in the month (default: last month), best first by `ordering`: "
        "sales (default), commission, income or growth on the month before. Filters: province (2-digit "
        "code), county (6-digit code).",
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: last month)."),
            OpenApiParameter("province", OpenApiTypes.STR, description="Two-digit province code."),
            OpenApiParameter("county", OpenApiTypes.STR, description="Six-digit county code."),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(RANKING_ORDERINGS)),
        ],
        responses={
            200: RankingRowSerializer(many=True),
            400: OpenApiResponse(RankingErrorsSerializer, description="A bad filter value."),
            403: OpenApiResponse(ErrorSerializer, description="Anyone but programme admins."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        form = RankingForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(_field_errors(form.errors))
        data = form.cleaned_data
        return partner_ranking(
            data["month"], province=data["province"], county=data["county"], ordering=data["ordering"]
        )
