"""REST API of assisted orders, for mobile apps and county systems.

The same services and selectors as the pages: `order_create`, `order_transition`,
`orders_visible_to`, `OrderFilter`. Reads follow the scoping of `orders_visible_to`
(404 outside it); writes are for the order's own active partner only.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from counties.models import County
from partners.access import is_working_partner, partner_of, working_partner_of
from partners.api import DetailSerializer
from rural_taobao import dates
from rural_taobao.access import any_of, is_admin, is_county_staff, role_permission
from rural_taobao.api import StandardPagination
from rural_taobao.errors import NON_FIELD_ERRORS, field_errors
from rural_taobao.money import MoneyField
from rural_taobao.throttling import ReadRateThrottle, ScopedRateThrottle

from . import selectors
from .models import (
    MAX_LINE_QUANTITY,
    MAX_LINES_PER_ORDER,
    MAX_UNIT_PRICE,
    Category,
    Channel,
    Order,
    OrderLine,
    OrderStatus,
    PlatformOrderNo,
    Promotion,
    Reconciliation,
    Villager,
)
from .parcels import BULK_STATUSES, MAX_NUMBERS, orders_bulk_status
from .pickup import pickup_code_resend
from .reconciliation_list import reconciliation_list
from .services import (
    MAX_PLATFORM_NUMBERS_PER_ORDER,
    PLATFORM_NUMBERS_FIELD,
    order_create,
    order_platform_numbers_add,
    order_tracking_set,
    order_transition,
    partner_not_active_message,
)

# ── Permissions and throttling ───────────────────────────────────────────────


# Working partners, county staff and admins read orders; other logins (a partner who
# exited keeps only their income) have no business here.
HasOrdersRole = role_permission(
    any_of(is_admin, is_county_staff, is_working_partner), message="Your account has no role that may use orders."
)
IsPartnerOrAdmin = role_permission(
    any_of(is_admin, is_working_partner), message="Villagers are visible to their own partner and to admins only."
)


class PartnerAtWork(BasePermission):
    """A partner who is not active (exited: only their income is open) gets a 403 that says why."""

    def has_permission(self, request, view):
        partner = partner_of(request.user)
        if partner is not None and not partner.is_active:
            raise PermissionDenied(partner_not_active_message(partner))
        return True


def _ensure_partner_writes(request, order: Order | None = None):
    """Orders change only by their own partner; admins and county staff read."""
    partner = working_partner_of(request.user)
    if partner is None or (order is not None and order.partner_id != partner.pk):
        raise PermissionDenied("Only the order's own village partner may change orders.")
    return partner


class WritesThrottleMixin:
    """Writes share the project's "writes" rate, reads the per-user "reads" rate."""

    throttle_scope = "writes"
    write_actions = (
        "create",
        "change_status",
        "add_platform_order_nos",
        "bulk_status",
        "resend_pickup_code",
        "set_tracking",
    )

    def get_throttles(self):
        if getattr(self, "action", None) in self.write_actions:
            return [ScopedRateThrottle()]
        return [ReadRateThrottle()]


# ── Serializers: input ───────────────────────────────────────────────────────


class StrictUUIDField(serializers.UUIDField):
    """A UUID given as a string. DRF's own field also takes integers (and so `false` as
    UUID 0), which would let a buggy client collide with another submission."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class VillagerInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", help_text="Needed for a new villager."
    )
    phone = serializers.CharField(
        min_length=1, max_length=20, help_text="Mainland China mobile number, 11 digits (spaces and +86 allowed)."
    )


class LineInputSerializer(serializers.Serializer):
    product_name = serializers.CharField(min_length=1, max_length=200)
    category = serializers.CharField(min_length=1, max_length=50, help_text="Category slug (GET /api/v1/categories/).")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    unit_price = MoneyField(
        min_value=Decimal("0.01"),
        max_value=MAX_UNIT_PRICE,
        help_text="Yuan, as a string with at most two decimals.",
    )


def _platform_numbers_field(**kwargs):
    # Each string may hold several numbers (a pasted list): the service splits, strips and
    # dedupes them and checks each against the format; 400 keyed by platform_order_nos.
    return serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        max_length=MAX_PLATFORM_NUMBERS_PER_ORDER,
        **kwargs,
    )


class OrderCreateSerializer(serializers.Serializer):
    client_request_id = StrictUUIDField(
        help_text="Generated by the client once per order; a retry with the same id returns the same order."
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    villager = VillagerInputSerializer()
    promotion = serializers.IntegerField(
        allow_null=True, required=False, default=None, help_text="Id of a promotion running today, or null."
    )
    buyer_organisation = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Required for government procurement."
    )
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Required for government procurement."
    )
    lines = LineInputSerializer(many=True, min_length=1, max_length=MAX_LINES_PER_ORDER)
    platform_order_nos = _platform_numbers_field(
        required=False,
        default=list,
        help_text="The Taobao order numbers the partner placed this order under (6 to 40 letters, digits or "
        "dashes each); optional, and addable later. A number belongs to one order only.",
    )


class OrderStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text="Required to cancel or return."
    )
    # A plain string in the schema (its values are those of `status`): one enum, one name.
    expected_status = serializers.CharField(
        required=False,
        help_text="The status the client last saw (one of the status values); 409 if the order has moved on meanwhile.",
    )

    platform_order_nos = _platform_numbers_field(
        required=False,
        default=list,
        help_text="With `paid` only: the order's Taobao order numbers, recorded with the payment.",
    )
    carrier = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="With `shipped`: the carrier."
    )
    tracking_no = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="With `shipped`: the parcel's waybill number (6 to 40 letters, digits or dashes).",
    )
    pickup_code = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="With `picked_up`: the 6-digit code the villager received by SMS (400 when wrong; "
        "5 wrong codes in a row lock the pickup for 15 minutes: 429).",
    )

    def validate_expected_status(self, value):
        if value not in OrderStatus.values:
            raise serializers.ValidationError(f"Not a status: {value}.")
        return value


class TrackingInputSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    tracking_no = serializers.CharField(max_length=200, allow_blank=True)


class BulkStatusInputSerializer(serializers.Serializer):
    orders = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_NUMBERS)
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in BULK_STATUSES])


class BulkResultSerializer(serializers.Serializer):
    order = serializers.IntegerField(allow_null=True, help_text="The order id (null when not found).")
    number = serializers.CharField(help_text="What was given: an order id, a tracking or order number.")
    ok = serializers.BooleanField(help_text="Moved, or already there.")
    result = serializers.ChoiceField(choices=["moved", "already", "not_found", "illegal"])
    order_no = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True, help_text="The order's status now.")
    error = serializers.CharField(allow_blank=True)


class BulkStatusAnswerSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True)
    moved = serializers.IntegerField()
    already = serializers.IntegerField()
    not_found = serializers.IntegerField()
    illegal = serializers.IntegerField()


def flat_errors(errors: dict) -> dict:
    """Field errors as lists of messages, also for a list field whose items failed (DRF
    answers those as {index: [messages]})."""
    flat = {}
    for name, value in errors.items():
        if isinstance(value, dict):
            flat[name] = [
                str(m) for messages in value.values() for m in (messages if isinstance(messages, list) else [messages])
            ]
        else:
            flat[name] = value
    return flat


def bulk_answer(results, *, key: str = "order") -> dict:
    """The per-number answer of a bulk move, with the counts of each result."""
    counts = {"moved": 0, "already": 0, "not_found": 0, "illegal": 0}
    rows = []
    for r in results:
        counts[r.result] += 1
        rows.append(
            {
                "order": r.order.pk if r.order is not None else None,
                "number": r.number,
                "ok": r.ok,
                "result": r.result,
                "order_no": r.order.order_no if r.order is not None else None,
                "status": r.order.status if r.order is not None else None,
                "error": "" if r.result == "moved" else r.message,
            }
        )
    return {"results": rows, **counts}


class PlatformOrderNosInputSerializer(serializers.Serializer):
    platform_order_nos = _platform_numbers_field(
        min_length=1,
        help_text="Taobao order numbers to record on the order; one already on it is skipped.",
    )


# ── Serializers: output ──────────────────────────────────────────────────────


class VillagerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField(help_text="In full for the villager's own partner and admins, masked otherwise.")


class OrderLineSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "product_name",
            "category",
            "quantity",
            "unit_price",
            "line_total",
            "commission_rate",
            "commission_amount",
        ]


class OrderSerializer(serializers.ModelSerializer):
    villager = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True, read_only=True)
    platform_order_nos = serializers.SerializerMethodField(
        help_text="The Taobao order numbers recorded on the order, in the order they were added."
    )
    reconciliation = serializers.ChoiceField(
        choices=Reconciliation.choices,
        read_only=True,
        help_text="What the platform's records say of the order (set by the nightly reconciliation).",
    )
    created_at = serializers.DateTimeField(source="placed_at", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    partner = serializers.IntegerField(source="partner_id", read_only=True, help_text="Who holds the order now.")
    placed_by = serializers.IntegerField(
        source="placed_by_id", read_only=True, help_text="Who placed it, and earns its commission."
    )
    promotion = serializers.IntegerField(source="promotion_id", read_only=True, allow_null=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "order_no",
            "client_request_id",
            "status",
            "channel",
            "total_amount",
            "villager",
            "lines",
            "promotion",
            "buyer_organisation",
            "reference",
            "partner",
            "placed_by",
            "county",
            "created_at",
            "paid_at",
            "shipped_at",
            "at_county_centre_at",
            "at_service_point_at",
            "picked_up_at",
            "cancelled_at",
            "returned_at",
            "updated_at",
            "platform_order_nos",
            "reconciliation",
            "carrier",
            "tracking_no",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_platform_order_nos(self, order: Order) -> list[str]:
        # Prefetched by the view (orders_with_platform_numbers): no query per order.
        return [number.number for number in order.platform_numbers.all()]

    @extend_schema_field(VillagerBriefSerializer)
    def get_villager(self, order: Order) -> dict:
        villager = order.villager
        user = self.context["request"].user
        return {"id": villager.pk, "name": villager.name, "phone": selectors.villager_phone_for(user, villager)}


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="In the request's language.")

    class Meta:
        model = Category
        fields = ["id", "slug", "name", "name_zh", "name_en", "is_farm_produce"]

    def get_name(self, category: Category) -> str:
        return category.localized_name(get_language())


class PromotionSerializer(serializers.ModelSerializer):
    is_running = serializers.SerializerMethodField(help_text="Running today (Shanghai).")

    class Meta:
        model = Promotion
        fields = ["id", "name", "code", "starts_on", "ends_on", "description", "is_running"]

    def get_is_running(self, promotion: Promotion) -> bool:
        return promotion.starts_on <= dates.shanghai_today() <= promotion.ends_on


class VillagerSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text="In full for the villager's own partner and admins.")
    order_count = serializers.IntegerField(read_only=True)
    last_order_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Villager
        fields = ["id", "name", "phone", "village", "order_count", "last_order_at", "created_at"]

    def get_phone(self, villager: Villager) -> str:
        return selectors.villager_phone_for(self.context["request"].user, villager)


# ── Serializers: errors (for the schema) ─────────────────────────────────────


class OrderRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()


class OrderConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    order = serializers.IntegerField(required=False, help_text="For an idempotency conflict: the order already placed.")


def _messages():
    return serializers.ListField(child=serializers.CharField(), required=False)


class VillagerErrorSerializer(serializers.Serializer):
    name = _messages()
    phone = _messages()
    non_field_errors = _messages()


_MESSAGES_SCHEMA = {"type": "array", "items": {"type": "string"}}
_LINE_ERROR_SCHEMA = {
    "type": "object",
    "properties": dict.fromkeys(
        ("product_name", "category", "quantity", "unit_price", "non_field_errors"), _MESSAGES_SCHEMA
    ),
}


@extend_schema_field(
    {
        "anyOf": [
            {**_MESSAGES_SCHEMA, "description": "About the lines as a whole."},
            {
                "type": "array",
                "items": _LINE_ERROR_SCHEMA,
                "description": "One object per line, in the order sent; {} for a line without errors.",
            },
        ]
    }
)
class LinesErrorField(serializers.JSONField):
    pass


class OrderCreateErrorSerializer(serializers.Serializer):
    non_field_errors = _messages()
    client_request_id = _messages()
    channel = _messages()
    villager = VillagerErrorSerializer(required=False)
    promotion = _messages()
    buyer_organisation = _messages()
    reference = _messages()
    lines = LinesErrorField(required=False)
    platform_order_nos = _messages()


class OrderStatusErrorSerializer(serializers.Serializer):
    non_field_errors = _messages()
    status = _messages()
    reason = _messages()
    expected_status = _messages()
    platform_order_nos = _messages()
    carrier = _messages()
    tracking_no = _messages()
    pickup_code = _messages()


class BulkStatusErrorSerializer(serializers.Serializer):
    non_field_errors = _messages()
    orders = _messages()
    status = _messages()


class PlatformOrderNosErrorSerializer(serializers.Serializer):
    non_field_errors = _messages()
    platform_order_nos = _messages()


# ── Error shapes ─────────────────────────────────────────────────────────────


def _list_errors(value) -> list[str]:
    """DRF puts list-level errors of a nested list under {"non_field_errors": [...]}: flatten."""
    if isinstance(value, dict):
        return [str(m) for messages in value.values() for m in (messages if isinstance(messages, list) else [messages])]
    return [str(m) for m in value]


def _normalise_serializer_errors(errors: dict) -> dict:
    errors = dict(errors)
    if "lines" in errors and not (
        isinstance(errors["lines"], list) and all(isinstance(item, dict) for item in errors["lines"])
    ):
        errors["lines"] = _list_errors(errors["lines"])
    if "villager" in errors and not isinstance(errors["villager"], dict):
        errors["villager"] = {"non_field_errors": _list_errors(errors["villager"])}
    if PLATFORM_NUMBERS_FIELD in errors:  # a list's item errors come as {index: [...]}: one list
        errors[PLATFORM_NUMBERS_FIELD] = _list_errors(errors[PLATFORM_NUMBERS_FIELD])
    return errors


def _service_errors_for_api(error: DjangoValidationError, *, line_count: int) -> dict:
    """The service's field-keyed errors in the API's nested shape."""
    result: dict = {}
    per_line: list[dict] = [{} for _ in range(line_count)]
    has_line_errors = False
    for key, messages in field_errors(error).items():
        if key.startswith("lines."):
            _lines, index, field = key.split(".", 2)
            per_line[int(index)].setdefault(field, []).extend(messages)
            has_line_errors = True
        elif key in ("villager_name", "villager_phone"):
            result.setdefault("villager", {}).setdefault(key.removeprefix("villager_"), []).extend(messages)
        elif key == "__all__":
            result.setdefault(NON_FIELD_ERRORS, []).extend(messages)
        else:
            result.setdefault(key, []).extend(messages)
    if has_line_errors:
        if "lines" in result:  # errors about the list as a whole move out of the way
            result.setdefault(NON_FIELD_ERRORS, []).extend(result.pop("lines"))
        result["lines"] = per_line
    return result


# ── Orders ───────────────────────────────────────────────────────────────────

ORDER_ERRORS = {
    403: OpenApiResponse(OrderRefusalSerializer, description="Not a partner, or a partner who is not active."),
    429: OpenApiResponse(OrderRefusalSerializer, description="Too many writes."),
}

CREATE_EXAMPLE = OpenApiExample(
    "Assisted purchase",
    request_only=True,
    value={
        "client_request_id": "7d7a3c84-3a0e-4c37-9d6a-1f2f3e0a9b11",
        "channel": "assisted_purchase",
        "villager": {"name": "张大妈", "phone": "13812345678"},
        "promotion": None,
        "buyer_organisation": "",
        "reference": "",
        "lines": [
            {"product_name": "海尔冰箱 BCD-216", "category": "appliances", "quantity": 2, "unit_price": "3999.00"}
        ],
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="Orders visible to the caller",
        description="A partner sees their own orders, county staff those of their counties (phones masked), "
        "admins all. Filters: status, channel, created_after/created_before (a day or an ISO 8601 moment), "
        "villager_phone; ordering by created_at (placed_at), paid_at, total_amount.",
    ),
    retrieve=extend_schema(summary="One order", responses={200: OrderSerializer, 404: OrderRefusalSerializer}),
)
class OrderViewSet(WritesThrottleMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated, PartnerAtWork, HasOrdersRole]
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = selectors.OrderFilter  # the order list page's filter, as query parameters
    ordering_fields = ["placed_at", "paid_at", "total_amount", "id"]
    ordering = ["-placed_at", "-id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            selectors.orders_visible_to(self.request.user)
            .select_related("villager", "county", "reconciliation_row")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("category").order_by("id")),
                Prefetch("platform_numbers", queryset=PlatformOrderNo.objects.order_by("id")),
            )
        )

    def _order_answer(self, order_id: int, **kwargs) -> Response:
        order = self.get_queryset().get(pk=order_id)
        return Response(OrderSerializer(order, context=self.get_serializer_context()).data, **kwargs)

    @extend_schema(
        summary="Place an order (idempotent)",
        request=OrderCreateSerializer,
        examples=[CREATE_EXAMPLE],
        responses={
            201: OpenApiResponse(OrderSerializer, description="Placed."),
            200: OpenApiResponse(OrderSerializer, description="Already placed with this client_request_id."),
            400: OpenApiResponse(OrderCreateErrorSerializer, description="Bad input, field by field."),
            409: OpenApiResponse(
                OrderConflictSerializer, description="This client_request_id was used with another content."
            ),
            **ORDER_ERRORS,
        },
    )
    def create(self, request):
        partner = _ensure_partner_writes(request)
        serializer = OrderCreateSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(_normalise_serializer_errors(serializer.errors), status=status.HTTP_400_BAD_REQUEST)
        data = serializer.validated_data
        try:
            result = order_create(
                partner=partner,
                client_request_id=data["client_request_id"],
                channel=data["channel"],
                villager_name=data["villager"]["name"],
                villager_phone=data["villager"]["phone"],
                lines=[dict(line) for line in data["lines"]],
                promotion=data["promotion"],
                buyer_organisation=data["buyer_organisation"],
                reference=data["reference"],
                platform_order_nos=data["platform_order_nos"],
                by_user=request.user,
            )
        except DjangoValidationError as error:
            # The input's errors in the request's nested shape; other refusals
            # (IdempotencyConflict 409, PartnerNotActive 403) answer through rural_taobao.errors.api_exception_handler.
            return Response(
                _service_errors_for_api(error, line_count=len(data["lines"])), status=status.HTTP_400_BAD_REQUEST
            )
        return self._order_answer(
            result.order.pk, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )

    @extend_schema(
        summary="Move an order to its next status",
        description="With `paid`, the order's Taobao order numbers may be given (`platform_order_nos`): they are "
        "recorded with the payment, and a bad or taken number refuses the move (400).",
        request=OrderStatusInputSerializer,
        responses={
            200: OrderSerializer,
            400: OpenApiResponse(
                OrderStatusErrorSerializer, description="A reason is missing, a bad value, or a bad or taken number."
            ),
            404: OrderRefusalSerializer,
            409: OpenApiResponse(OrderConflictSerializer, description="Not allowed from the order's current status."),
            **ORDER_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="status", filter_backends=[])
    def change_status(self, request, pk=None):
        order = self.get_object()
        partner = _ensure_partner_writes(request, order)
        serializer = OrderStatusInputSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(_normalise_serializer_errors(serializer.errors), status=status.HTTP_400_BAD_REQUEST)
        data = serializer.validated_data
        # Refusals (IllegalTransition 409, PartnerNotActive 403, a missing reason or a bad
        # number 400) answer through rural_taobao.errors.api_exception_handler.
        order_transition(
            order_id=order.pk,
            partner=partner,
            to_status=data["status"],
            reason=data["reason"],
            expected_status=data.get("expected_status"),
            platform_order_nos=data["platform_order_nos"],
            carrier=data["carrier"],
            tracking_no=data["tracking_no"],
            pickup_code=data["pickup_code"],
            by_user=request.user,
        )
        return self._order_answer(order.pk)

    @extend_schema(
        summary="Record Taobao order numbers on an order",
        description="The order's own partner (or an admin) records the platform order numbers it was placed "
        "under; each may hold several separated by commas, spaces or newlines. A number already on this order "
        "is skipped; one on another order, or not in the format (6 to 40 letters, digits or dashes), is a 400. "
        "A cancelled order takes none (409).",
        request=PlatformOrderNosInputSerializer,
        responses={
            200: OpenApiResponse(OrderSerializer, description="The order with its numbers."),
            400: OpenApiResponse(PlatformOrderNosErrorSerializer, description="A bad or taken number."),
            403: OpenApiResponse(
                OrderRefusalSerializer,
                description="Not the order's partner or an admin, or a partner who is not active.",
            ),
            404: OpenApiResponse(OrderRefusalSerializer, description="No such order for the caller."),
            409: OpenApiResponse(OrderConflictSerializer, description="The order was cancelled."),
            429: ORDER_ERRORS[429],
        },
    )
    @action(detail=True, methods=["post"], url_path="platform-order-nos", filter_backends=[])
    def add_platform_order_nos(self, request, pk=None):
        order = self.get_object()
        if not is_admin(request.user):
            _ensure_partner_writes(request, order)
        serializer = PlatformOrderNosInputSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(_normalise_serializer_errors(serializer.errors), status=status.HTTP_400_BAD_REQUEST)
        # Refusals (a bad or taken number 400, not the order's partner 403, a cancelled
        # order 409) answer through rural_taobao.errors.api_exception_handler.
        order_platform_numbers_add(
            order=order, numbers=serializer.validated_data["platform_order_nos"], by_user=request.user
        )
        return self._order_answer(order.pk)

    @extend_schema(
        summary="Record the parcel's carrier and tracking number",
        description="While the parcel is on its way (paid, shipped, at the county centre or the service point); "
        "the county centre receives it by either its tracking or its order number.",
        request=TrackingInputSerializer,
        responses={
            200: OrderSerializer,
            400: OpenApiResponse(OrderStatusErrorSerializer, description="A bad carrier or tracking number."),
            404: OrderRefusalSerializer,
            409: OpenApiResponse(OrderConflictSerializer, description="Not on its way (not paid, or picked up)."),
            **ORDER_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="tracking", filter_backends=[])
    def set_tracking(self, request, pk=None):
        order = self.get_object()
        partner = _ensure_partner_writes(request, order)
        serializer = TrackingInputSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(_normalise_serializer_errors(serializer.errors), status=status.HTTP_400_BAD_REQUEST)
        order_tracking_set(order_id=order.pk, partner=partner, by_user=request.user, **serializer.validated_data)
        return self._order_answer(order.pk)

    @extend_schema(
        summary="Send the villager a new pickup code",
        description="For a parcel waiting at the service point: a new 6-digit code is texted to the villager "
        "(the old one stops working). The code itself is never shown. At most 5 sends per parcel (409 after).",
        request=None,
        responses={
            202: OpenApiResponse(DetailSerializer, description="Sent (queued in the outbox)."),
            404: OrderRefusalSerializer,
            409: OpenApiResponse(OrderConflictSerializer, description="Not at the service point, or sent too often."),
            **ORDER_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="pickup-code/resend", filter_backends=[])
    def resend_pickup_code(self, request, pk=None):
        order = self.get_object()
        _ensure_partner_writes(request, order)
        pickup_code_resend(order)
        return Response({"detail": _("A new pickup code was sent to the villager.")}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Move several of the partner's parcels on at once",
        description='`{"orders": [ids], "status": "at_service_point"}` (or `shipped`, `at_county_centre`): '
        "one result per order, in the order given — moved, already there, not found (not the partner's), or "
        "illegal (not in a state it can move from). Villagers of parcels reaching the service point get their "
        "pickup codes by SMS.",
        request=BulkStatusInputSerializer,
        responses={
            200: BulkStatusAnswerSerializer,
            400: OpenApiResponse(BulkStatusErrorSerializer, description="A bad status or list."),
            **ORDER_ERRORS,
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk-status", filter_backends=[], pagination_class=None)
    def bulk_status(self, request):
        partner = _ensure_partner_writes(request)
        serializer = BulkStatusInputSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(
                flat_errors(_normalise_serializer_errors(serializer.errors)), status=status.HTTP_400_BAD_REQUEST
            )
        data = serializer.validated_data
        results = orders_bulk_status(
            partner=partner, order_ids=data["orders"], to_status=data["status"], by_user=request.user
        )
        return Response(bulk_answer(results, key="order"))


# ── Reference data and villagers ─────────────────────────────────────────────


@extend_schema_view(list=extend_schema(summary="Product categories"))
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CategorySerializer
    permission_classes = [IsAuthenticated, PartnerAtWork, HasOrdersRole]
    queryset = Category.objects.order_by("sort_order", "slug")
    filter_backends = [filters.DjangoFilterBackend]
    filterset_fields = ["is_farm_produce"]


class PromotionFilter(filters.FilterSet):
    active = filters.BooleanFilter(method="filter_active", help_text="true: running today; false: not running today.")

    class Meta:
        model = Promotion
        fields = ["active"]

    def filter_active(self, queryset, name, value):
        today = dates.shanghai_today()
        running = queryset.filter(starts_on__lte=today, ends_on__gte=today)
        return running if value else queryset.exclude(pk__in=running.values("pk"))


@extend_schema_view(list=extend_schema(summary="Promotions (6.18, 11.11 …)"))
class PromotionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PromotionSerializer
    permission_classes = [IsAuthenticated, PartnerAtWork, HasOrdersRole]
    queryset = Promotion.objects.order_by("-starts_on", "pk")
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = PromotionFilter
    ordering_fields = ["starts_on", "ends_on"]


class VillagerFilter(filters.FilterSet):
    phone = filters.CharFilter(
        field_name="phone", lookup_expr="startswith", help_text="Phone number or its first digits."
    )
    search = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Part of the name.")

    class Meta:
        model = Villager
        fields = ["phone", "search"]


@extend_schema_view(
    list=extend_schema(summary="The partner's villagers, with order count and last order"),
    retrieve=extend_schema(summary="One villager", responses={200: VillagerSerializer, 404: OrderRefusalSerializer}),
)
class VillagerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VillagerSerializer
    permission_classes = [IsAuthenticated, PartnerAtWork, IsPartnerOrAdmin]
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    filterset_class = VillagerFilter
    ordering_fields = ["name", "created_at", "last_order_at"]
    ordering = ["name", "id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        orders = Order.objects.filter(villager=OuterRef("pk")).order_by()
        return selectors.villagers_visible_to(self.request.user).annotate(
            order_count=Coalesce(Subquery(orders.values("villager").annotate(n=Count("id")).values("n")[:1]), 0),
            last_order_at=Subquery(orders.order_by("-placed_at").values("placed_at")[:1]),
        )


# ── Reconciliation list ──────────────────────────────────────────────────────

MayReconcile = role_permission(
    any_of(is_admin, is_county_staff),
    message="Only programme admins and county staff may see the reconciliation list.",
)


class ReconciliationRowSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    partner_name = serializers.CharField(source="partner.real_name", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    village = serializers.CharField(source="village.name", read_only=True)
    platform_amount = MoneyField(read_only=True, allow_null=True, help_text="The platform's amount (yuan).")
    reconciliation = serializers.ChoiceField(choices=Reconciliation.choices, read_only=True)
    platform_confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    platform_order_nos = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "order_no",
            "partner",
            "partner_name",
            "county",
            "village",
            "status",
            "total_amount",
            "platform_amount",
            "reconciliation",
            "platform_order_nos",
            "paid_at",
            "platform_confirmed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_platform_order_nos(self, order: Order) -> list[str]:
        return [number.number for number in order.platform_numbers.all()]


class ReconciliationPagination(StandardPagination):
    """The page of rows, with how many of the filtered orders are in each state."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["counts"] = self.counts
        return response

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["counts"] = {
            "type": "object",
            "description": "Orders per reconciliation state under every filter but `state`.",
            "properties": dict.fromkeys(Reconciliation.values, {"type": "integer"}),
        }
        return result


class ReconciliationFilterErrorSerializer(serializers.Serializer):
    state = _messages()
    county = _messages()
    partner = _messages()
    month = _messages()


@extend_schema(
    summary="Reconciliation list: paid orders and what the platform says of them",
    description="Admins see every county, county staff their own (another county: 404); partners 403. "
    "Newest payment first.",
    parameters=[
        OpenApiParameter("state", str, enum=Reconciliation.values, description="One reconciliation state."),
        OpenApiParameter("county", str, description="County code (one of the caller's counties)."),
        OpenApiParameter("partner", int, description="Partner id."),
        OpenApiParameter("month", str, description="Month paid (Shanghai), YYYY-MM.", pattern=r"^\d{4}-\d{2}$"),
    ],
    responses={
        200: ReconciliationRowSerializer(many=True),
        400: OpenApiResponse(ReconciliationFilterErrorSerializer, description="A filter is not valid."),
        403: OpenApiResponse(OrderRefusalSerializer, description="Not an admin or county staff."),
        404: OpenApiResponse(OrderRefusalSerializer, description="A county the caller may not see."),
    },
)
class ReconciliationListView(generics.ListAPIView):
    serializer_class = ReconciliationRowSerializer
    permission_classes = [IsAuthenticated, MayReconcile]
    pagination_class = ReconciliationPagination
    filter_backends: list = []

    def list(self, request, *args, **kwargs):
        try:
            found = reconciliation_list(request.user, request.query_params)
        except County.DoesNotExist:
            raise NotFound("No such county.") from None
        if not found.form.is_valid():
            errors = {name: [str(m) for m in messages] for name, messages in found.form.errors.items()}
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        paginator = self.paginator
        paginator.counts = found.counts
        page = paginator.paginate_queryset(found.orders.prefetch_related("platform_numbers"), request, view=self)
        return paginator.get_paginated_response(self.get_serializer(page, many=True).data)
