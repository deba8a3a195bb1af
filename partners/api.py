"""REST API of onboarding: the admins' partner list and workflow, and a partner's own profile.

Same services and selectors as the pages: ``partner_apply``, ``partner_update``,
``partner_transition``, ``import_partners``, ``partners_visible_to``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response

from counties.models import County, Province, ServicePoint, Village
from rural_taobao.access import IsProgrammeAdmin
from rural_taobao.accounts import set_password_path
from rural_taobao.phones import MOBILE_PHONE_MESSAGE, MOBILE_PHONE_REGEX, normalize_phone
from rural_taobao.throttling import ReadRateThrottle, SimpleRateThrottle

from .access import IsWorkingPartner, partner_of
from .forms import MAX_IMPORT_FILE_BYTES
from .importing import IMPORT_STATUSES, import_partners
from .models import Partner, PartnerStatus
from .selectors import PartnerFilter, partner_list
from .services import (
    partner_apply,
    partner_transition,
    partner_update,
)

# ── Throttling and error shapes ───────────────────────────────────────────────


class WriteRateThrottle(SimpleRateThrottle):
    """Writes (POST/PUT/PATCH/DELETE) per user, at the project's "writes" rate; reads have
    their own rate (``ReadRateThrottle``)."""

    scope = "writes"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["illegal_transition", "stale", "village_taken", "login_conflict"])


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# ── Serializers ──────────────────────────────────────────────────────────────


class ProvinceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name"]


class CountyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "name"]


class VillageBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "name", "township"]


class ServicePointBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePoint
        fields = ["id", "code", "address"]


class PhoneField(serializers.RegexField):
    """A mainland mobile number; spaces, dashes and +86 are forgiven."""

    def __init__(self, **kwargs):
        super().__init__(
            MOBILE_PHONE_REGEX,
            error_messages={"invalid": MOBILE_PHONE_MESSAGE},
            **kwargs,
        )

    def to_internal_value(self, data):
        return super().to_internal_value(normalize_phone(data))


class PartnerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="real_name", max_length=50)
    phone = PhoneField()
    village = serializers.PrimaryKeyRelatedField(queryset=Village.objects.all(), help_text="Village id.")
    village_name = serializers.CharField(source="village.name", read_only=True)
    county = CountyBriefSerializer(source="village.county", read_only=True)
    province = ProvinceBriefSerializer(source="village.county.province", read_only=True)
    service_point = ServicePointBriefSerializer(read_only=True, allow_null=True)
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "phone",
            "status",
            "village",
            "village_name",
            "county",
            "province",
            "service_point",
            "service_point_address",
            "previous_occupation",
            "motivation",
            "has_login",
            "applied_at",
            "status_changed_at",
            "activated_at",
            "exited_at",
            "reapplied_at",
        ]
        read_only_fields = ["status", "applied_at", "status_changed_at", "activated_at", "exited_at", "reapplied_at"]

    def get_has_login(self, partner) -> bool:
        return partner.user_id is not None

    def validate(self, attrs):
        if "status" in self.initial_data:
            raise ValidationError(
                {"status": [_("The status changes only through POST /api/v1/partners/{id}/status/.")]}
            )
        return attrs


class PartnerStatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PartnerStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    # A plain string in the schema (its values are those of ``status``): one enum, one name.
    expected_status = serializers.CharField(
        required=False,
        help_text="The status the client last saw (one of the status values); if the partner has moved on "
        "meanwhile, 409 with code stale.",
    )

    def validate_expected_status(self, value):
        if value not in PartnerStatus.values:
            raise ValidationError(_("Not a status: %(value)s.") % {"value": value})
        return value


class PartnerStatusResultSerializer(PartnerSerializer):
    set_password_url = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text="After activation: the one-time link at which the partner sets their password; null otherwise.",
    )

    class Meta(PartnerSerializer.Meta):
        fields = [*PartnerSerializer.Meta.fields, "set_password_url"]


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8, with or without BOM) or XLSX.")
    dry_run = serializers.BooleanField(default=False, help_text="Validate and report only.")
    status = serializers.ChoiceField(
        choices=PartnerStatus.choices,
        default=PartnerStatus.APPLIED,
        help_text="Status the rows enter: applied, reviewing, approved or training.",
    )
    create_villages = serializers.BooleanField(default=False, help_text="Create villages missing from a known county.")

    def validate_file(self, upload):
        if upload.size > MAX_IMPORT_FILE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        return upload

    def validate_status(self, value):
        if value == PartnerStatus.ACTIVE:
            raise ValidationError(
                _(
                    "Partners cannot be imported as active: activation creates a login and is done one partner at a time."
                )
            )
        if value not in IMPORT_STATUSES:
            raise ValidationError(
                _("Partners can be imported as %(statuses)s only.") % {"statuses": ", ".join(IMPORT_STATUSES)}
            )
        return value


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Spreadsheet row number; the header is row 1.")
    column = serializers.CharField(help_text="The column's canonical name (phone, county_code, …).")
    heading = serializers.CharField(help_text="The column as the file's header row names it (手机号, …).")
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    status = serializers.CharField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Created, or in a dry run: would be created.")
    unchanged = serializers.IntegerField(help_text="Rows whose phone is a partner already.")
    villages_created = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True)


class MyPartnerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="real_name")
    village = VillageBriefSerializer()
    county = CountyBriefSerializer(source="village.county")
    service_point = ServicePointBriefSerializer(allow_null=True)

    class Meta:
        model = Partner
        fields = ["id", "name", "phone", "status", "village", "county", "service_point", "activated_at"]


# ── Views ────────────────────────────────────────────────────────────────────


class PartnerOrderingFilter(OrderingFilter):
    """``?ordering=`` with the API's field names (``name`` is the model's ``real_name``)."""

    aliases = {"name": "real_name"}

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = []
            for term in params.split(","):
                term = term.strip()
                descending = term.startswith("-")
                bare = term.lstrip("-")
                fields.append(("-" if descending else "") + self.aliases.get(bare, bare))
            ordering = self.remove_invalid_fields(queryset, fields, view, request)
            if ordering:
                return ordering
        return self.get_default_ordering(view)


_not_found = OpenApiResponse(DetailSerializer, description="No such partner.")
_forbidden = OpenApiResponse(DetailSerializer, description="Not a programme admin.")


@extend_schema_view(
    list=extend_schema(
        summary="Partners (admin)",
        parameters=[
            OpenApiParameter("county", str, description="Six-digit county code, e.g. 410225."),
            OpenApiParameter("province", str, description="Two-digit province code, e.g. 41."),
            OpenApiParameter(
                "ordering",
                str,
                description="applied_at, name, status, status_changed_at, activated_at or id; "
                "prefix - for descending; comma-separate several.",
            ),
        ],
        responses={200: PartnerSerializer(many=True), 403: _forbidden},
    ),
    create=extend_schema(
        summary="Enter an application (admin): a partner in status applied",
        responses={201: PartnerSerializer, 400: OpenApiResponse(description="Field errors."), 403: _forbidden},
    ),
    retrieve=extend_schema(
        summary="One partner (admin)", responses={200: PartnerSerializer, 403: _forbidden, 404: _not_found}
    ),
    update=extend_schema(
        summary="Edit a partner's descriptive fields (admin); never the status",
        responses={
            200: PartnerSerializer,
            400: OpenApiResponse(description="Field errors."),
            403: _forbidden,
            404: _not_found,
        },
    ),
    partial_update=extend_schema(
        summary="Edit some descriptive fields (admin); never the status",
        responses={
            200: PartnerSerializer,
            400: OpenApiResponse(description="Field errors."),
            403: _forbidden,
            404: _not_found,
        },
    ),
)
class PartnerViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Programme admins' partner register. No DELETE: partners leave through the ``exited`` status."""

    serializer_class = PartnerSerializer
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    throttle_classes = [WriteRateThrottle, ReadRateThrottle]
    filter_backends = [DjangoFilterBackend, PartnerOrderingFilter]
    filterset_class = PartnerFilter
    ordering_fields = ["applied_at", "real_name", "status", "status_changed_at", "activated_at", "id"]
    ordering = ["-applied_at", "-id"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return partner_list(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        # A ValidationError of the service answers 400 through rural_taobao.errors.api_exception_handler.
        serializer.instance = partner_apply(
            real_name=data["real_name"],
            phone=data["phone"],
            village=data["village"],
            previous_occupation=data.get("previous_occupation", ""),
            motivation=data.get("motivation", ""),
            service_point_address=data.get("service_point_address", ""),
            by_user=self.request.user,
        )

    def perform_update(self, serializer):
        partner_update(partner_id=serializer.instance.pk, by_user=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(
        summary="Move a partner along the onboarding workflow (admin)",
        request=PartnerStatusChangeSerializer,
        responses={
            200: PartnerStatusResultSerializer,
            400: OpenApiResponse(description="Field errors, e.g. a missing reason for reject/suspend/exit."),
            403: _forbidden,
            404: _not_found,
            409: OpenApiResponse(
                ConflictSerializer,
                description="Illegal or stale transition, or the village already has an active partner.",
            ),
        },
        examples=[
            OpenApiExample("approve", value={"status": "approved", "reason": "interview passed"}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        partner = self.get_object()
        serializer = PartnerStatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to_status = serializer.validated_data["status"]
        partner = partner_transition(
            partner_id=partner.pk,
            to_status=to_status,
            by_user=request.user,
            reason=serializer.validated_data["reason"],
            expected_status=serializer.validated_data.get("expected_status"),
        )
        partner = self.get_queryset().select_related("user").get(pk=partner.pk)
        partner.set_password_url = None
        if to_status == PartnerStatus.ACTIVE:
            partner.set_password_url = request.build_absolute_uri(set_password_path(partner.user))
        return Response(PartnerStatusResultSerializer(partner, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Bulk import from CSV or XLSX (admin)",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ImportRefusal",
                    serializers=[
                        ImportReportSerializer,
                        inline_serializer(
                            "ImportFieldErrors",
                            {
                                name: serializers.ListField(child=serializers.CharField(), required=False)
                                for name in ("file", "status", "dry_run", "create_villages", "non_field_errors")
                            },
                        ),
                    ],
                    resource_type_field_name=None,
                ),
                description="Bad rows (the report lists them; nothing was imported) — or field errors "
                '({"file": [...]}, {"status": [...]}) when the file cannot be read.',
            ),
            403: _forbidden,
        },
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        # A file that cannot be read (ImportFileError) answers 400 {"file": [...]}.
        report = import_partners(
            source=upload,
            filename=upload.name,
            status=serializer.validated_data["status"],
            dry_run=serializer.validated_data["dry_run"],
            create_villages=serializer.validated_data["create_villages"],
            by_user=request.user,
        )
        return Response(
            ImportReportSerializer(report.as_dict()).data,
            status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST,
        )

    @extend_schema(
        summary="My partner profile (partners)",
        responses={200: MyPartnerSerializer, 403: OpenApiResponse(DetailSerializer, description="Not a partner.")},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="me",
        permission_classes=[IsAuthenticated, IsWorkingPartner],
        filter_backends=[],
        pagination_class=None,
    )
    def me(self, request):
        partner = partner_list(request.user).get(pk=partner_of(request.user).pk)
        return Response(MyPartnerSerializer(partner).data)
