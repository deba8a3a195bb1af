"""``GET/PUT /api/v1/partners/me/payout-account/``: the partner's payout account, masked;
changing it needs the partner's password."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .access import IsWorkingPartner, working_partner_of
from .models import PayoutAccount, PayoutAccountKind
from .payout_accounts import payout_account_of, payout_account_set

ERRORS = serializers.ListField(child=serializers.CharField(), required=False)
Detail = inline_serializer("PayoutAccountDetail", {"detail": serializers.CharField()})
PayoutAccountErrors = inline_serializer(
    "PayoutAccountErrors",
    dict.fromkeys(("holder_name", "kind", "account", "bank_name", "password", "non_field_errors"), ERRORS),
)


class MaskedPayoutAccountSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="masked_account", help_text="Masked: 138****5678, ab***@example.com.")

    class Meta:
        model = PayoutAccount
        fields = ["holder_name", "kind", "account", "bank_name", "updated_at"]
        read_only_fields = fields


class PayoutAccountWriteSerializer(serializers.Serializer):
    holder_name = serializers.CharField(max_length=50)
    kind = serializers.ChoiceField(choices=PayoutAccountKind.choices)
    account = serializers.CharField(max_length=60, help_text="Alipay: mobile number or e-mail. Bank: card number.")
    bank_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, trim_whitespace=False, help_text="The partner's password.")


class PartnerMePayoutAccountView(APIView):
    permission_classes = [IsAuthenticated, IsWorkingPartner]

    @extend_schema(
        operation_id="partners_me_payout_account",
        summary="My payout account, masked (partners)",
        responses={
            200: MaskedPayoutAccountSerializer,
            403: Detail,
            404: OpenApiResponse(Detail, description="No payout account yet."),
        },
    )
    def get(self, request):
        account = payout_account_of(working_partner_of(request.user))
        if account is None:
            return Response({"detail": "No payout account yet."}, status=404)
        return Response(MaskedPayoutAccountSerializer(account).data)

    @extend_schema(
        operation_id="partners_me_payout_account_set",
        summary="Set my payout account (partners; needs the password)",
        request=PayoutAccountWriteSerializer,
        responses={
            200: MaskedPayoutAccountSerializer,
            400: OpenApiResponse(PayoutAccountErrors, description="Field errors, or a wrong password."),
            403: Detail,
        },
    )
    def put(self, request):
        data = PayoutAccountWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = payout_account_set(
            partner=working_partner_of(request.user),
            by_user=request.user,
            **data.validated_data,
        )
        return Response(MaskedPayoutAccountSerializer(account).data)
