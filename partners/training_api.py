"""Training API (admins everywhere, county staff in their counties):

``GET/POST /api/v1/training/sessions/`` and ``POST /api/v1/training/sessions/{id}/results/``
with ``[{"partner", "attended", "score"}]`` (or ``{"results": [...]}``). Another county's
session answers 404; partners and other logins 403.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rural_taobao.access import may_use_dashboards, role_permission

from . import training
from .models import TrainingResult, TrainingSession

MayRunTraining = role_permission(may_use_dashboards, message=_("Only programme admins and county staff run training."))


class SessionSerializer(serializers.ModelSerializer):
    course = serializers.IntegerField(source="course_id")
    course_name = serializers.CharField(source="course.name")
    county = serializers.CharField(source="county.code")
    attended = serializers.IntegerField(read_only=True)
    passed = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = ["id", "course", "course_name", "county", "date", "trainer", "attended", "passed", "created_at"]


class SessionCreateSerializer(serializers.Serializer):
    course = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    county = serializers.CharField(max_length=6)
    date = serializers.DateField()
    trainer = serializers.CharField(max_length=50)


class ResultInSerializer(serializers.Serializer):
    partner = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    attended = serializers.BooleanField()
    score = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)


class ResultSerializer(serializers.ModelSerializer):
    passed = serializers.SerializerMethodField()

    class Meta:
        model = TrainingResult
        fields = ["partner", "attended", "score", "passed", "recorded_at"]

    def get_passed(self, result) -> bool:
        return result.passed


class SessionPage(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


ResultErrors = inline_serializer(
    "TrainingResultErrors",
    {"results": serializers.DictField(required=False), "detail": serializers.CharField(required=False)},
)


class TrainingSessionsView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, MayRunTraining]
    serializer_class = SessionSerializer
    pagination_class = SessionPage

    def get_queryset(self):
        return training.sessions_visible_to(self.request.user)

    @extend_schema(operation_id="training_sessions_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="training_sessions_create",
        request=SessionCreateSerializer,
        responses={201: SessionSerializer, 400: OpenApiResponse(description="Field errors.")},
    )
    def post(self, request):
        data = SessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = training.session_create(
            user=request.user,
            course_id=data.validated_data["course"],
            county_code=data.validated_data["county"],
            date=data.validated_data["date"],
            trainer=data.validated_data["trainer"],
        )
        session = training.sessions_visible_to(request.user).get(pk=session.pk)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class TrainingResultsView(APIView):
    permission_classes = [IsAuthenticated, MayRunTraining]

    @extend_schema(
        operation_id="training_session_results",
        request=ResultInSerializer(many=True),
        responses={
            200: ResultSerializer(many=True),
            400: OpenApiResponse(ResultErrors, description="Errors by row position; nothing was recorded."),
            404: OpenApiResponse(description="No such session in your counties."),
        },
    )
    def post(self, request, pk: int):
        training.session_for(request.user, pk)  # 404 before any validation
        rows = request.data.get("results") if isinstance(request.data, dict) else request.data
        if not isinstance(rows, list) or not rows:
            return Response({"results": [str(_("Give a list of results."))]}, status=status.HTTP_400_BAD_REQUEST)
        data = ResultInSerializer(data=rows, many=True)
        if not data.is_valid():
            errors = {str(i): e for i, e in enumerate(data.errors) if e}
            return Response({"results": errors}, status=status.HTTP_400_BAD_REQUEST)
        results = training.session_results_record(user=request.user, session_id=pk, results=data.validated_data)
        return Response(ResultSerializer(results, many=True).data)
