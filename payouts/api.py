"""Payout batches in the API (admins only): ``/payouts/`` (list, create),
``/payouts/{id}/`` (with its lines), ``/payouts/{id}/transfer-file/`` (CSV),
``/payouts/{id}/paid/`` and ``/payouts/{id}/results/`` (the bank's per-row results)."""

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.statements_api import MonthField
from rural_taobao.access import IsProgrammeAdmin
from rural_taobao.dates import parse_month
from rural_taobao.money import MoneyField

from . import selectors, services
from .models import ItemStatus, PayoutBatch

MAX_RESULTS_FILE_BYTES = 20 * 1024 * 1024
ERRORS = serializers.ListField(child=serializers.CharField(), required=False)
Detail = inline_serializer("PayoutDetailError", {"detail": serializers.CharField()})
BatchProblem = inline_serializer(
    "PayoutBatchProblem",
    {
        "statement": serializers.IntegerField(allow_null=True),
        "reference": serializers.CharField(),
        "message": serializers.CharField(),
    },
    many=True,
    required=False,
)
BatchErrors = inline_serializer(
    "PayoutBatchErrors",
    {
        "statements": serializers.JSONField(required=False, help_text="Messages, or {index: messages}."),
        "month": ERRORS,
        "county": ERRORS,
        "province": ERRORS,
        "non_field_errors": ERRORS,
        "problems": BatchProblem,
    },
)
PaidErrors = inline_serializer("PayoutPaidErrors", {"reference": ERRORS, "paid_on": ERRORS})


class PayoutItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement = serializers.IntegerField(source="statement_id")
    reference = serializers.CharField(source="statement.reference", help_text="The transfer memo.")
    partner = serializers.IntegerField(source="statement.partner_id")
    partner_name = serializers.CharField(source="statement.partner.real_name")
    month = MonthField(source="statement.month")
    amount = MoneyField()
    holder_name = serializers.CharField()
    account_kind = serializers.CharField()
    account = serializers.SerializerMethodField(help_text="In full for admins, masked for anyone else.")
    bank_name = serializers.CharField()
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    failure_reason = serializers.CharField()

    def get_account(self, item) -> str:
        return selectors.account_shown_to(self.context["request"].user, item.account)


class PayoutBatchSerializer(serializers.ModelSerializer):
    total = MoneyField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    paid_by = serializers.CharField(source="paid_by.username", allow_null=True, default=None)

    class Meta:
        model = PayoutBatch
        fields = ["id", "created_at", "created_by", "description", "status", "total", "reference", "paid_on", "paid_by"]
        read_only_fields = fields


class PayoutBatchDetailSerializer(PayoutBatchSerializer):
    """The schema of ``_detail``'s answer: the batch and its lines."""

    items = PayoutItemSerializer(many=True, read_only=True)

    class Meta(PayoutBatchSerializer.Meta):
        fields = [*PayoutBatchSerializer.Meta.fields, "items"]
        read_only_fields = fields


class BatchCreateSerializer(serializers.Serializer):
    statements = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        allow_empty=False,
        max_length=10_000,
    )
    month = serializers.CharField(required=False, help_text="YYYY-MM")
    county = serializers.CharField(required=False, allow_blank=True, max_length=6)
    province = serializers.CharField(required=False, allow_blank=True, max_length=2)

    def validate_month(self, value):
        try:
            return parse_month(value)
        except ValueError as exc:
            raise serializers.ValidationError("Enter a month as YYYY-MM.") from exc

    def validate(self, attrs):
        if "statements" not in attrs and "month" not in attrs:
            raise serializers.ValidationError({"statements": ["Give statements, or a month (with county/province)."]})
        return attrs


class PaidSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)
    paid_on = serializers.DateField()


class ResultsRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8/BOM/GB18030) or XLSX: memo, status, reason.")

    def validate_file(self, upload):
        if upload.size > MAX_RESULTS_FILE_BYTES:
            raise serializers.ValidationError("The file is larger than 20 MB.")
        return upload


class ResultRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ResultsReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    paid = serializers.IntegerField()
    failed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = ResultRowErrorSerializer(many=True)


ResultsRefusal = inline_serializer(
    "PayoutResultsRefusal",
    {
        "rows": serializers.IntegerField(required=False),
        "paid": serializers.IntegerField(required=False),
        "failed": serializers.IntegerField(required=False),
        "unchanged": serializers.IntegerField(required=False),
        "errors": ResultRowErrorSerializer(many=True, required=False),
        "file": ERRORS,
        "non_field_errors": ERRORS,
    },
)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _detail(request, batch_id: int):
    batch = get_object_or_404(selectors.batches_list(), pk=batch_id)
    data = PayoutBatchSerializer(batch).data
    data["items"] = PayoutItemSerializer(selectors.batch_items(batch), many=True, context={"request": request}).data
    return data


class PayoutBatchesView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    pagination_class = Pages  # the schema shows the paginated answer

    @extend_schema(
        operation_id="payouts_list",
        summary="Payout batches (admin)",
        responses={
            200: PayoutBatchSerializer(many=True),
            403: Detail,
            404: OpenApiResponse(Detail, description="No such page."),
        },
    )
    def get(self, request):
        pages = self.pagination_class()
        page = pages.paginate_queryset(selectors.batches_list(), request, view=self)
        return pages.get_paginated_response(PayoutBatchSerializer(page, many=True).data)

    @extend_schema(
        operation_id="payouts_create",
        summary="Make a payout batch of approved statements (admin)",
        request=BatchCreateSerializer,
        responses={
            201: PayoutBatchDetailSerializer,
            400: OpenApiResponse(
                BatchErrors,
                description="A statement that is not approved, owes nothing, "
                "has no payout account or is in another pending batch; or bad input.",
            ),  # fmt: skip
            403: Detail,
            409: OpenApiResponse(Detail, description="A statement was put in another batch at the same moment."),
        },
    )
    def post(self, request):
        data = BatchCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        batch = services.payout_batch_create(
            statement_ids=values.get("statements"),
            month=values.get("month"),
            county_code=values.get("county") or None,
            province_code=values.get("province") or None,
            by_user=request.user,
        )
        return Response(_detail(request, batch.pk), status=status.HTTP_201_CREATED)


class PayoutBatchView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]

    @extend_schema(
        operation_id="payouts_retrieve",
        summary="A payout batch and its lines (admin)",
        responses={200: PayoutBatchDetailSerializer, 403: Detail, 404: Detail},
    )
    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class CSVRenderer(BaseRenderer):
    """Lets a client ask for text/csv; the file itself is an HttpResponse, errors are JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode("utf-8")


class PayoutTransferFileView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="payouts_transfer_file",
        summary="The batch's transfer file: CSV, UTF-8 with BOM (admin)",
        responses={(200, "text/csv"): OpenApiTypes.BINARY, 403: Detail, 404: Detail},
    )
    def get(self, request, pk: int):
        batch = get_object_or_404(PayoutBatch, pk=pk)
        response = HttpResponse(services.payout_transfer_file(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payout-{batch.pk}.csv"'
        return response


class PayoutPaidView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]

    @extend_schema(
        operation_id="payouts_paid",
        summary="Mark the batch paid: every pending line and its statement (admin)",
        request=PaidSerializer,
        responses={
            200: PayoutBatchDetailSerializer,
            400: PaidErrors,
            403: Detail,
            404: Detail,
            409: OpenApiResponse(Detail, description="The batch is paid already, or nothing in it is pending."),
        },
    )
    def post(self, request, pk: int):
        get_object_or_404(PayoutBatch, pk=pk)
        data = PaidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.payout_batch_mark_paid(batch_id=pk, by_user=request.user, **data.validated_data)
        return Response(_detail(request, pk))


class PayoutResultsView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="payouts_results",
        summary="Import the bank's per-row results of the batch (admin)",
        request={"multipart/form-data": ResultsRequestSerializer},
        responses={
            200: ResultsReportSerializer,
            400: OpenApiResponse(
                ResultsRefusal,
                description='Bad rows (nothing was written) — or {"file": [...]} when the file cannot be read.',
            ),
            403: Detail,
            404: Detail,
        },
    )
    def post(self, request, pk: int):
        get_object_or_404(PayoutBatch, pk=pk)
        data = ResultsRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        report = services.payout_results_import(batch_id=pk, source=upload, filename=upload.name)
        return Response(
            ResultsReportSerializer(report.as_dict()).data,
            status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST,
        )
