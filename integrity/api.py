"""Flags in the API: ``GET /flags/?status=&rule=&county=&partner=``, ``GET /flags/{id}/``
and ``POST /flags/{id}/review/`` (409 when the flag was reviewed already). Admins see
every county's flags, county staff their counties' (another county's flag: 404),
partners none (403)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rural_taobao.access import may_use_dashboards, role_permission

from . import selectors, services
from .models import Flag, FlagStatus, Rule, Severity
from .rules import flag_detail

MayReview = role_permission(
    may_use_dashboards, message="Only programme admins and county staff may see and review flags."
)
ERRORS = serializers.ListField(child=serializers.CharField(), required=False)
Detail = inline_serializer("FlagDetailError", {"detail": serializers.CharField()})
FilterErrors = inline_serializer(
    "FlagFilterErrors", {"status": ERRORS, "rule": ERRORS, "partner": ERRORS, "severity": ERRORS}
)
ReviewErrors = inline_serializer("FlagReviewErrors", {"decision": ERRORS, "reason": ERRORS})
FlagConflict = inline_serializer(
    "FlagConflict",
    {
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "status": serializers.ChoiceField(choices=FlagStatus.choices),
    },
)


class FlagSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    rule = serializers.ChoiceField(choices=Rule.choices, read_only=True)
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    status = serializers.ChoiceField(choices=FlagStatus.choices, read_only=True)
    detail = serializers.SerializerMethodField(help_text="The evidence in words, in the request's language.")
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Flag
        fields = [
            "id",
            "order",
            "order_no",
            "county",
            "partner",
            "rule",
            "severity",
            "detail",
            "status",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "reason",
        ]
        read_only_fields = fields

    def get_detail(self, flag: Flag) -> str:
        return flag_detail(flag.rule, flag.evidence)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("confirm", "confirm"), ("clear", "clear")])
    reason = serializers.CharField(max_length=services.MAX_REASON, allow_blank=False, trim_whitespace=True)


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class FlagsView(APIView):
    permission_classes = [IsAuthenticated, MayReview]
    pagination_class = Pages

    @extend_schema(
        operation_id="flags_list",
        summary="Integrity flags on orders (admins: all; county staff: their counties)",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=FlagStatus.values),
            OpenApiParameter("rule", OpenApiTypes.STR, enum=Rule.values),
            OpenApiParameter("severity", OpenApiTypes.STR, enum=Severity.values),
            OpenApiParameter("county", OpenApiTypes.STR, description="Six-digit county code."),
            OpenApiParameter("partner", OpenApiTypes.INT, description="A partner's id."),
        ],
        responses={
            200: FlagSerializer(many=True),
            400: FilterErrors,
            403: Detail,
            404: OpenApiResponse(Detail, description="No such page."),
        },
    )
    def get(self, request):
        params = request.query_params
        errors: dict[str, list[str]] = {}
        for name, choices in (("status", FlagStatus), ("rule", Rule), ("severity", Severity)):
            value = params.get(name)
            if value and value not in choices.values:
                errors[name] = [_("One of %(values)s.") % {"values": ", ".join(choices.values)}]
        partner = params.get("partner") or None
        if partner is not None and (not partner.isdigit() or len(partner) > 12):
            errors["partner"] = [_("A partner's id (a whole number).")]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        flags = selectors.flag_list(
            request.user,
            status=params.get("status") or None,
            rule=params.get("rule") or None,
            severity=params.get("severity") or None,
            county=params.get("county") or None,
            partner=int(partner) if partner else None,
        )
        pages = self.pagination_class()
        page = pages.paginate_queryset(flags, request, view=self)
        return pages.get_paginated_response(FlagSerializer(page, many=True).data)


class FlagView(APIView):
    permission_classes = [IsAuthenticated, MayReview]

    @extend_schema(
        operation_id="flags_retrieve",
        summary="One flag",
        responses={200: FlagSerializer, 403: Detail, 404: Detail},
    )
    def get(self, request, pk: int):
        try:
            flag = selectors.flag_for(request.user, pk)
        except Flag.DoesNotExist:
            return Response({"detail": _("No flag %(id)s.") % {"id": pk}}, status=status.HTTP_404_NOT_FOUND)
        return Response(FlagSerializer(flag).data)


class FlagReviewView(APIView):
    permission_classes = [IsAuthenticated, MayReview]

    @extend_schema(
        operation_id="flags_review",
        summary="Confirm or clear an open flag, with a reason",
        request=ReviewSerializer,
        responses={
            200: FlagSerializer,
            400: ReviewErrors,
            403: Detail,
            404: Detail,
            409: OpenApiResponse(FlagConflict, description="The flag was reviewed already."),
        },
    )
    def post(self, request, pk: int):
        try:
            selectors.flag_for(request.user, pk)  # another county's flag: 404 before anything else
        except Flag.DoesNotExist:
            return Response({"detail": _("No flag %(id)s.") % {"id": pk}}, status=status.HTTP_404_NOT_FOUND)
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = services.flag_review(
            flag_id=pk,
            by_user=request.user,
            decision=body.validated_data["decision"],
            reason=body.validated_data["reason"],
        )
        return Response(FlagSerializer(selectors.flag_for(request.user, flag.pk)).data)
