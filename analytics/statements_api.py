"""The admins' statements in the API: ``GET /statements/?month=&status=&county=&province=``
and ``POST /statements/{id}/approve/`` (409 unless the statement is closed)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rural_taobao.access import IsProgrammeAdmin
from rural_taobao.dates import parse_month
from rural_taobao.money import MoneyField

from . import statements
from .models import MonthlyStatement, StatementStatus

MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
ERRORS = serializers.ListField(child=serializers.CharField(), required=False)
Detail = inline_serializer("StatementDetailError", {"detail": serializers.CharField()})
StatementConflict = inline_serializer(
    "StatementConflict",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "status": serializers.ChoiceField(choices=StatementStatus.choices),
    },
)
FilterErrors = inline_serializer("StatementFilterErrors", {"month": ERRORS, "status": ERRORS})


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}$", "example": "2025-01"})
class MonthField(serializers.DateField):
    """A statement month in the API: "YYYY-MM" (a string, not a date)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m")
        super().__init__(**kwargs)


class AdminStatementSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.real_name", read_only=True)
    county = serializers.CharField(source="partner.village.county.code", read_only=True)
    month = MonthField()
    commission = MoneyField()
    incentive = MoneyField()
    clawbacks = MoneyField(help_text="Positive; taken off the total.")
    adjustments = MoneyField()
    total = MoneyField()
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, allow_null=True, default=None)
    reference = serializers.CharField(read_only=True, help_text="The memo of its transfer.")

    class Meta:
        model = MonthlyStatement
        fields = [
            "id",
            "partner",
            "partner_name",
            "county",
            "month",
            "status",
            "commission",
            "incentive",
            "clawbacks",
            "adjustments",
            "total",
            "approved_at",
            "approved_by",
            "paid_on",
            "payout_reference",
            "payout_failure",
            "reference",
        ]
        read_only_fields = fields


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class AdminStatementsView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    pagination_class = Pages  # the schema shows the paginated answer

    @extend_schema(
        operation_id="statements_list",
        summary="Partners' monthly statements (admin)",
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM", pattern=MONTH_PATTERN),
            OpenApiParameter("status", OpenApiTypes.STR, enum=StatementStatus.values),
            OpenApiParameter("county", OpenApiTypes.STR, description="Six-digit county code."),
            OpenApiParameter("province", OpenApiTypes.STR, description="Two-digit province code."),
        ],
        responses={
            200: AdminStatementSerializer(many=True),
            400: FilterErrors,
            403: Detail,
            404: OpenApiResponse(Detail, description="No such page."),
        },
    )
    def get(self, request):
        params = request.query_params
        errors = {}
        month = None
        if params.get("month"):
            try:
                month = parse_month(params["month"])
            except ValueError:
                errors["month"] = ["Enter a month as YYYY-MM."]
        wanted = params.get("status") or None
        if wanted and wanted not in StatementStatus.values:
            errors["status"] = [f"One of {', '.join(StatementStatus.values)}."]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        rows = statements.statements_for_admin(
            month=month, status=wanted, county=params.get("county") or None, province=params.get("province") or None
        )
        pages = self.pagination_class()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(AdminStatementSerializer(page, many=True).data)


class StatementApproveView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]

    @extend_schema(
        operation_id="statements_approve",
        summary="Approve a closed statement (admin)",
        request=None,
        responses={
            200: AdminStatementSerializer,
            403: Detail,
            404: Detail,
            409: OpenApiResponse(StatementConflict, description="The statement is not closed."),
        },
    )
    def post(self, request, pk: int):
        statements.statement_approve(statement_id=pk, by_user=request.user)
        statement = statements.statements_for_admin().get(pk=pk)
        return Response(AdminStatementSerializer(statement).data)
