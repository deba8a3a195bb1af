"""REST API of the county centre (centre staff of the parcels' counties, and admins):
``POST /api/v1/centre/receive/``, ``POST /api/v1/centre/dispatch/`` and
``POST /api/v1/centre/orders/{id}/hand-over/`` (a pickup without the code, with a reason).
Partners and county staff get 403. The same services as the workspace (``orders.parcels``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.api import DetailSerializer, WriteRateThrottle
from rural_taobao.access import MayUseCentre
from rural_taobao.throttling import ReadRateThrottle

from .api import BulkStatusAnswerSerializer, OrderSerializer, _normalise_serializer_errors, bulk_answer, flat_errors
from .models import Order, OrderStatus
from .parcels import MAX_NUMBERS, centre_orders, parcels_dispatch, parcels_receive
from .services import order_transition

ERRORS = {
    401: OpenApiResponse(DetailSerializer, description="Not logged in."),
    403: OpenApiResponse(DetailSerializer, description="Not county centre staff or an admin."),
    429: OpenApiResponse(DetailSerializer, description="Too many writes."),
}


def _messages():
    return serializers.ListField(child=serializers.CharField(), required=False)


class ReceiveInputSerializer(serializers.Serializer):
    numbers = serializers.ListField(
        child=serializers.CharField(max_length=64, allow_blank=True),
        min_length=1,
        max_length=MAX_NUMBERS,
        help_text="Tracking numbers or order numbers, one parcel each.",
    )


class ReceiveErrorSerializer(serializers.Serializer):
    non_field_errors = _messages()
    numbers = _messages()


class DispatchInputSerializer(serializers.Serializer):
    service_points = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=1000,
        help_text="Every parcel at the centre for these service points goes out on the run.",
    )
    orders = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_NUMBERS,
        help_text="Or these orders' parcels.",
    )

    def validate(self, attrs):
        if bool(attrs["service_points"]) == bool(attrs["orders"]):
            raise serializers.ValidationError(_("Give either service_points or orders."))
        return attrs


class DispatchErrorSerializer(serializers.Serializer):
    non_field_errors = _messages()
    service_points = _messages()
    orders = _messages()


class HandOverInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the parcel is handed over without its code.")


class HandOverErrorSerializer(serializers.Serializer):
    non_field_errors = _messages()
    reason = _messages()


class CentreView(APIView):
    permission_classes = [IsAuthenticated, MayUseCentre]
    throttle_classes = [WriteRateThrottle, ReadRateThrottle]

    def bad(self, serializer) -> Response:
        return Response(
            flat_errors(_normalise_serializer_errors(serializer.errors)), status=status.HTTP_400_BAD_REQUEST
        )


class CentreReceiveView(CentreView):
    @extend_schema(
        summary="Receive parcels at the county centre",
        description="Each number (a tracking or an order number) of a shipped parcel of the caller's counties "
        "moves its order to `at_county_centre`. One result per distinct number, in the order given: moved, "
        "already (at the centre), not_found (unknown here), illegal (not shipped, or past the centre).",
        request=ReceiveInputSerializer,
        responses={
            200: BulkStatusAnswerSerializer,
            400: OpenApiResponse(ReceiveErrorSerializer, description="No list, or too long a list."),
            **ERRORS,
        },
    )
    def post(self, request):
        serializer = ReceiveInputSerializer(data=request.data)
        if not serializer.is_valid():
            return self.bad(serializer)
        results = parcels_receive(numbers=serializer.validated_data["numbers"], by_user=request.user)
        return Response(bulk_answer(results))


class CentreDispatchView(CentreView):
    @extend_schema(
        summary="Dispatch a delivery run to service points",
        description="The parcels at the centre for `service_points` (or the `orders` given) move to "
        "`at_service_point`; each villager gets a pickup code by SMS. One result per order.",
        request=DispatchInputSerializer,
        responses={
            200: BulkStatusAnswerSerializer,
            400: OpenApiResponse(DispatchErrorSerializer, description="Neither or both lists, or bad ids."),
            **ERRORS,
        },
    )
    def post(self, request):
        serializer = DispatchInputSerializer(data=request.data)
        if not serializer.is_valid():
            return self.bad(serializer)
        data = serializer.validated_data
        results = parcels_dispatch(
            by_user=request.user, service_point_ids=data["service_points"], order_ids=data["orders"]
        )
        return Response(bulk_answer(results))


class CentreHandOverView(CentreView):
    @extend_schema(
        summary="Hand a parcel over without its pickup code",
        description="County centre staff of the order's county, or an admin, record that the villager got the "
        "parcel without the code (a lost phone, say), with a reason: the order moves to `picked_up`.",
        request=HandOverInputSerializer,
        responses={
            200: OrderSerializer,
            400: OpenApiResponse(HandOverErrorSerializer, description="No reason."),
            404: OpenApiResponse(DetailSerializer, description="No such order in the caller's counties."),
            409: OpenApiResponse(DetailSerializer, description="Not waiting at the service point."),
            **ERRORS,
        },
    )
    def post(self, request, order_id: int):
        if not centre_orders(request.user).filter(pk=order_id).exists():
            raise NotFound(_("No such order."))
        serializer = HandOverInputSerializer(data=request.data)
        if not serializer.is_valid():
            return self.bad(serializer)
        order_transition(
            order_id=order_id,
            to_status=OrderStatus.PICKED_UP,
            by_user=request.user,
            override_reason=serializer.validated_data["reason"],
        )
        order = Order.objects.select_related("villager", "county", "reconciliation_row").get(pk=order_id)
        return Response(OrderSerializer(order, context={"request": request}).data)
