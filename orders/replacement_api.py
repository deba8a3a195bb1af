"""``POST /api/v1/partners/{id}/replace/`` ``{"successor": id, "reason": "…"}``: replace a
partner at their service point (``orders.replacement.partner_replace``).

Admins and the county staff of the partner's county (``partner_in_target_scope``, as the
partner's page): another county's partner is a 404, partners and other logins 403. Bad
input is a 400 with field errors; a partner who cannot be replaced now or a successor who
is not eligible (not in training, another county, training not passed) a 409.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.models import Partner
from partners.targets import partner_in_target_scope
from rural_taobao.access import MayUseDashboards

from .replacement import MAX_REASON, partner_replace


class ReplaceRequestSerializer(serializers.Serializer):
    successor = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The successor partner's id.")
    reason = serializers.CharField(max_length=MAX_REASON, help_text="Why the partner leaves (kept in the history).")


class ReplacePartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="real_name")
    status = serializers.CharField()


class ReplaceServicePointSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    village = serializers.CharField(source="village.name")


class ReplaceResultSerializer(serializers.Serializer):
    leaving = ReplacePartnerSerializer()
    successor = ReplacePartnerSerializer()
    service_point = ReplaceServicePointSerializer()
    moved_orders = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of the orders moved.")


class ReplaceConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(
        choices=["not_replaceable", "not_eligible", "training_incomplete", "village_taken", "illegal_transition"]
    )
    missing_courses = serializers.ListField(child=serializers.DictField(), required=False)


class ReplaceErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class PartnerReplaceView(APIView):
    permission_classes = [IsAuthenticated, MayUseDashboards]

    @extend_schema(
        summary="Replace a partner at their service point by a successor who passed training",
        request=ReplaceRequestSerializer,
        responses={
            200: ReplaceResultSerializer,
            400: OpenApiResponse(description="Field errors (successor, reason)."),
            403: OpenApiResponse(ReplaceErrorSerializer, description="Partners and logins without a dashboard role."),
            404: OpenApiResponse(ReplaceErrorSerializer, description="No such partner, or not one of the caller's counties."),
            409: OpenApiResponse(
                ReplaceConflictSerializer,
                description="The partner cannot be replaced now, or the successor is not eligible.",
            ),
        },
        examples=[OpenApiExample("replace", value={"successor": 42, "reason": "搬去县城"}, request_only=True)],
    )
    def post(self, request, pk: int):
        try:
            partner = partner_in_target_scope(request.user, pk)
        except Partner.DoesNotExist as exc:
            raise NotFound("No such partner.") from exc
        serializer = ReplaceRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = partner_replace(
                partner_id=partner.pk,
                successor_id=serializer.validated_data["successor"],
                reason=serializer.validated_data["reason"],
                by_user=request.user,
            )
        except Partner.DoesNotExist as exc:
            raise NotFound("No such partner.") from exc
        return Response(ReplaceResultSerializer(result).data)
