"""GET /api/v1/partners/me/income/?month=YYYY-MM — the partner's month, as on the income page."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.access import IsWorkingPartner, working_partner_of
from rural_taobao.dates import parse_month
from rural_taobao.money import MoneyField

from . import income
from .models import StatementStatus


class IncomeDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    orders = serializers.IntegerField()
    sales = MoneyField()
    commission = MoneyField()


class MonthIncomeSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    orders = serializers.IntegerField()
    sales = MoneyField(help_text="Net: paid in the month minus returned in the month.")
    commission = MoneyField(help_text="Earned on the month's payments.")
    incentive = MoneyField()
    reversals = MoneyField(help_text="Commission taken back by the month's returns.")
    total = MoneyField(help_text="commission − reversals + incentive")
    status = serializers.ChoiceField(choices=StatementStatus.choices)
    days = IncomeDaySerializer(many=True)

    def get_month(self, obj) -> str:
        return obj.month.strftime("%Y-%m")


class PartnerMeIncomeView(APIView):
    permission_classes = [IsAuthenticated, IsWorkingPartner]

    @extend_schema(
        operation_id="partners_me_income",
        parameters=[
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                description="YYYY-MM (default: this month)",
                pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$",
            )
        ],
        responses={
            200: MonthIncomeSerializer,
            400: inline_serializer(
                "MonthError",
                {
                    "month": serializers.ListField(child=serializers.CharField(), required=False),
                    "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
                },
            ),
            403: inline_serializer("IncomeForbidden", {"detail": serializers.CharField()}),
        },
    )
    def get(self, request):
        partner = working_partner_of(request.user)
        try:
            month = parse_month(request.query_params.get("month"))
        except ValueError:
            return Response({"month": ["Enter a month as YYYY-MM."]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(MonthIncomeSerializer(income.partner_month_income(partner, month)).data)
