"""REST API of the platform feed: ``POST /api/v1/platform-orders/import/`` (admins), the same
service as the command and the upload page (``orders.platform_feed.platform_orders_import``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.api import DetailSerializer, ImportRowErrorSerializer, WriteRateThrottle
from rural_taobao.access import IsProgrammeAdmin
from rural_taobao.throttling import ReadRateThrottle

from .platform_feed import platform_orders_import
from .platform_views import MAX_PLATFORM_FILE_BYTES


class PlatformImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The seller centre's export: CSV (UTF-8 with or without BOM, GB18030) or XLSX."
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check and report only.")

    def validate_file(self, upload):
        if upload.size > MAX_PLATFORM_FILE_BYTES:
            raise ValidationError(_("The file is larger than 200 MB: split it into smaller files."))
        return upload


class PlatformImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField(help_text="Data rows in the file.")
    created = serializers.IntegerField(help_text="New records (in a dry run: would be created).")
    updated = serializers.IntegerField(help_text="Records moved on: a newer status, or the same with changed figures.")
    unchanged = serializers.IntegerField(help_text="Rows saying what the record already says.")
    skipped = serializers.IntegerField(help_text="Rows with an older status than the record (never moved back).")
    shipped = serializers.IntegerField(
        help_text="Our orders moved on to shipped by the file's tracking numbers (tracking_no/运单号, carrier/物流公司)."
    )
    errors = ImportRowErrorSerializer(many=True)


class PlatformOrderImportView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    throttle_classes = [WriteRateThrottle, ReadRateThrottle]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import the platform's order export, CSV or XLSX (admin)",
        request={"multipart/form-data": PlatformImportRequestSerializer},
        responses={
            200: PlatformImportReportSerializer,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="PlatformImportRefusal",
                    serializers=[
                        PlatformImportReportSerializer,
                        inline_serializer(
                            "PlatformImportFieldErrors",
                            {
                                name: serializers.ListField(child=serializers.CharField(), required=False)
                                for name in ("file", "dry_run", "non_field_errors")
                            },
                        ),
                    ],
                    resource_type_field_name=None,
                ),
                description="Bad rows (the report lists them; nothing was imported) — or field errors "
                '({"file": [...]}) when the file cannot be read.',
            ),
            401: OpenApiResponse(DetailSerializer, description="Not logged in."),
            403: OpenApiResponse(DetailSerializer, description="Not a programme admin."),
        },
    )
    def post(self, request):
        serializer = PlatformImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        # A file that cannot be read (ImportFileError) answers 400 {"file": [...]}.
        report = platform_orders_import(
            source=upload, filename=upload.name, dry_run=serializer.validated_data["dry_run"], by_user=request.user
        )
        return Response(
            PlatformImportReportSerializer(report.as_dict()).data,
            status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST,
        )
