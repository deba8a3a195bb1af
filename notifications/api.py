"""The outbox in the API: ``GET /notifications/?to=&template=&status=`` (programme admins
only; anyone else 403: the texts carry villagers' pickup codes)."""

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rural_taobao.access import IsProgrammeAdmin
from rural_taobao.api import StandardPagination
from rural_taobao.phones import MOBILE_PHONE_MESSAGE, MOBILE_PHONE_REGEX, is_mobile_phone, normalize_phone

from . import selectors
from .models import TEMPLATE_REGEX, Message, MessageStatus

ERRORS = serializers.ListField(child=serializers.CharField(), required=False)
Detail = inline_serializer("NotificationDetailError", {"detail": serializers.CharField()})
FilterErrors = inline_serializer("NotificationFilterErrors", {"to": ERRORS, "template": ERRORS, "status": ERRORS})


def _or_empty(regex: str) -> str:
    """``regex`` (anchored) or the empty string: an empty filter filters nothing."""
    return f"^({regex.removeprefix('^').removesuffix('$')})?$"


class MessageSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=MessageStatus.choices, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "to", "template", "text", "status", "attempts", "created_at", "sent_at"]
        read_only_fields = fields


class MessageFilterSerializer(serializers.Serializer):
    to = serializers.CharField(required=False, allow_blank=True, max_length=20)
    template = serializers.CharField(required=False, allow_blank=True, max_length=32)
    status = serializers.ChoiceField(choices=MessageStatus.choices, required=False, allow_blank=True)

    def validate_to(self, value: str) -> str:
        phone = normalize_phone(value)
        if phone and not is_mobile_phone(phone):
            raise serializers.ValidationError(str(MOBILE_PHONE_MESSAGE))
        return phone

    def validate_template(self, value: str) -> str:
        if value and not re.fullmatch(TEMPLATE_REGEX, value):
            raise serializers.ValidationError(_("A template code: lowercase letters, digits and underscores."))
        return value


class MessagesView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]
    pagination_class = StandardPagination  # the schema shows the paginated answer

    @extend_schema(
        operation_id="notifications_list",
        summary="The SMS outbox, newest first (admin)",
        parameters=[
            OpenApiParameter(
                "to", OpenApiTypes.STR, description="A mobile number.", pattern=_or_empty(MOBILE_PHONE_REGEX)
            ),
            OpenApiParameter(
                "template", OpenApiTypes.STR, description="A template code.", pattern=_or_empty(TEMPLATE_REGEX)
            ),
            OpenApiParameter("status", OpenApiTypes.STR, enum=MessageStatus.values),
        ],
        responses={
            200: MessageSerializer(many=True),
            400: FilterErrors,
            403: Detail,
            404: OpenApiResponse(Detail, description="No such page."),
        },
    )
    def get(self, request):
        filters = MessageFilterSerializer(data=request.query_params)
        if not filters.is_valid():
            return Response(filters.errors, status=status.HTTP_400_BAD_REQUEST)
        wanted = filters.validated_data
        messages = selectors.message_list(
            request.user,
            to=wanted.get("to") or None,
            template=wanted.get("template") or None,
            status=wanted.get("status") or None,
        )
        pages = self.pagination_class()
        page = pages.paginate_queryset(messages, request, view=self)
        return pages.get_paginated_response(MessageSerializer(page, many=True).data)
