"""The partner's money in the API: the month (``/partners/me/income/?month=``), their
statements (``/partners/me/statements/``) and disputes (``/partners/me/disputes/``);
the admins' side of disputes (``/disputes/``, ``/disputes/{id}/resolve/``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.access import IsIncomePartner, IsWorkingPartner, income_partner_of, working_partner_of
from rural_taobao.access import IsProgrammeAdmin
from rural_taobao.dates import parse_month
from rural_taobao.money import MoneyField

from . import disputes, income
from .models import Dispute, DisputeStatus, MonthlyStatement, StatementStatus
from .statements_api import MonthField

ERRORS = serializers.ListField(child=serializers.CharField(), required=False)
Forbidden = inline_serializer("IncomeForbidden", {"detail": serializers.CharField()})


class IncomeDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    orders = serializers.IntegerField()
    sales = MoneyField()
    commission = MoneyField()


class MonthIncomeSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    orders = serializers.IntegerField(help_text="Orders paid in the month (activity).")
    sales = MoneyField(help_text="Net activity: paid in the month minus returned in the month.")
    commission = MoneyField(help_text="Commission that became payable in the month (platform-confirmed).")
    incentive = MoneyField()
    clawbacks = MoneyField(help_text="Commission taken back for refunds the platform reported in the month.")
    reversals = MoneyField(source="clawbacks", help_text="The same as clawbacks (older name).")
    adjustments = MoneyField(help_text="Incentive corrections of closed months and accepted disputes.")
    total = MoneyField(help_text="commission − clawbacks + incentive + adjustments")
    pending = MoneyField(help_text="Commission of the month's paid orders not yet payable (awaiting the platform).")
    payable = MoneyField(help_text="What the month's statement owes: its total.")
    status = serializers.ChoiceField(choices=StatementStatus.choices)
    paid_at = serializers.DateField(source="paid_on", allow_null=True)
    payout_reference = serializers.CharField()
    days = IncomeDaySerializer(many=True)

    def get_month(self, obj) -> str:
        return obj.month.strftime("%Y-%m")


MonthError = inline_serializer("MonthError", {"month": ERRORS, "non_field_errors": ERRORS})


class PartnerMeIncomeView(APIView):
    permission_classes = [IsAuthenticated, IsIncomePartner]

    @extend_schema(
        operation_id="partners_me_income",
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                description="YYYY-MM (default: this month)",
                pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$",
            )
        ],
        responses={200: MonthIncomeSerializer, 400: MonthError, 403: Forbidden},
    )
    def get(self, request):
        partner = income_partner_of(request.user)
        try:
            month = parse_month(request.query_params.get("month"))
        except ValueError:
            return Response({"month": ["Enter a month as YYYY-MM."]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(MonthIncomeSerializer(income.partner_month_income(partner, month)).data)


class StatementSerializer(serializers.ModelSerializer):
    month = MonthField()
    commission = MoneyField()
    incentive = MoneyField()
    clawbacks = MoneyField()
    adjustments = MoneyField()
    total = MoneyField()
    paid_at = serializers.DateField(source="paid_on", allow_null=True)
    reference = serializers.CharField(read_only=True, help_text="The memo of its transfer.")

    class Meta:
        model = MonthlyStatement
        fields = [
            "id",
            "month",
            "status",
            "commission",
            "incentive",
            "clawbacks",
            "adjustments",
            "total",
            "paid_at",
            "payout_reference",
            "payout_failure",
            "reference",
        ]


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PartnerMeStatementsView(APIView):
    permission_classes = [IsAuthenticated, IsIncomePartner]
    pagination_class = Pages  # the schema shows the paginated answer

    @extend_schema(
        operation_id="partners_me_statements",
        responses={
            200: StatementSerializer(many=True),
            403: Forbidden,
            404: OpenApiResponse(Forbidden, description="No such page."),
        },
    )
    def get(self, request):
        partner = income_partner_of(request.user)
        pages = self.pagination_class()
        page = pages.paginate_queryset(income.partner_statements(partner), request, view=self)
        return pages.get_paginated_response(StatementSerializer(page, many=True).data)


class DisputeSerializer(serializers.ModelSerializer):
    statement_month = MonthField(source="statement.month", read_only=True)
    order_no = serializers.CharField(source="order.order_no", read_only=True, allow_null=True, default=None)
    amount = MoneyField(allow_null=True, read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "partner",
            "statement",
            "statement_month",
            "order",
            "order_no",
            "message",
            "status",
            "created_at",
            "resolved_at",
            "amount",
            "reason",
        ]
        read_only_fields = ["partner", "status", "created_at", "resolved_at", "reason"]


class DisputeCreateSerializer(serializers.Serializer):
    statement = serializers.IntegerField()
    order = serializers.IntegerField(required=False, allow_null=True)
    message = serializers.CharField(max_length=disputes.MAX_MESSAGE)


DisputeErrors = inline_serializer("DisputeErrors", {"statement": ERRORS, "order": ERRORS, "message": ERRORS})


class PartnerMeDisputesView(APIView):
    """A partner's disputes: list (also after exit, read-only) and open one (working partners)."""

    def get_permissions(self):
        needed = IsWorkingPartner if self.request.method == "POST" else IsIncomePartner
        return [IsAuthenticated(), needed()]

    @extend_schema(
        operation_id="partners_me_disputes_list", responses={200: DisputeSerializer(many=True), 403: Forbidden}
    )
    def get(self, request):
        partner = income_partner_of(request.user)
        return Response(DisputeSerializer(income.partner_disputes(partner), many=True).data)

    @extend_schema(
        operation_id="partners_me_disputes_create",
        request=DisputeCreateSerializer,
        responses={201: DisputeSerializer, 400: DisputeErrors, 403: Forbidden},
    )
    def post(self, request):
        partner = working_partner_of(request.user)
        data = DisputeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = disputes.dispute_open(
            partner=partner,
            statement_id=data.validated_data["statement"],
            order_id=data.validated_data.get("order"),
            message=data.validated_data["message"],
        )
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


DisputeFilterErrors = inline_serializer("DisputeFilterErrors", {"status": ERRORS})


class AdminDisputesView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    pagination_class = Pages  # the schema shows the paginated answer

    @extend_schema(
        operation_id="disputes_list",
        parameters=[OpenApiParameter("status", str, enum=DisputeStatus.values)],
        responses={
            200: DisputeSerializer(many=True),
            400: DisputeFilterErrors,
            403: Forbidden,
            404: OpenApiResponse(Forbidden, description="No such page."),
        },
    )
    def get(self, request):
        disputes_qs = Dispute.objects.select_related("statement", "order").order_by("-created_at")
        wanted = request.query_params.get("status")
        if wanted and wanted not in DisputeStatus.values:
            return Response(
                {"status": [f"One of {', '.join(DisputeStatus.values)}."]}, status=status.HTTP_400_BAD_REQUEST
            )
        if wanted:
            disputes_qs = disputes_qs.filter(status=wanted)
        pages = self.pagination_class()
        page = pages.paginate_queryset(disputes_qs, request, view=self)
        return pages.get_paginated_response(DisputeSerializer(page, many=True).data)


class ResolveSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])
    amount = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reason = serializers.CharField()


ResolveErrors = inline_serializer(
    "ResolveErrors", {"decision": ERRORS, "amount": ERRORS, "reason": ERRORS, "detail": serializers.CharField()}
)


class DisputeResolveView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]

    @extend_schema(
        operation_id="disputes_resolve",
        request=ResolveSerializer,
        responses={200: DisputeSerializer, 400: ResolveErrors, 403: Forbidden, 404: Forbidden, 409: Forbidden},
    )
    def post(self, request, pk: int):
        get_object_or_404(Dispute, pk=pk)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = disputes.dispute_resolve(
            dispute_id=pk,
            decision=data.validated_data["decision"],
            amount=data.validated_data.get("amount"),
            reason=data.validated_data["reason"],
            by_user=request.user,
        )
        return Response(DisputeSerializer(dispute).data)
