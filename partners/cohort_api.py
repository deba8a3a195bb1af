"""Cohort activation API (admins): ``POST /api/v1/partners/activate/`` ``{"partners":
[ids]}`` → 202 ``{"id": job id}``; ``GET /api/v1/jobs/{id}/`` → ``id``, ``status``
(queued, running, done, failed), ``progress`` (0–100), ``total``, ``done`` and
``results``: one ``{"partner", "ok", "error"}`` per partner handled so far."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from rural_taobao.access import IsProgrammeAdmin

from . import cohort
from .models import Job


class ActivateSerializer(serializers.Serializer):
    partners = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        allow_empty=False,
        max_length=cohort.MAX_COHORT,
    )


class JobResultSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    ok = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True)


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True)
    results = JobResultSerializer(many=True, read_only=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "total", "done", "results", "created_at", "finished_at"]


class CohortActivateView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]

    @extend_schema(
        operation_id="partners_activate_cohort",
        request=ActivateSerializer,
        responses={
            202: inline_serializer("JobQueued", {"id": serializers.IntegerField()}),
            400: OpenApiResponse(description="Field errors (no partners, unknown ids)."),
        },
    )
    def post(self, request):
        data = ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = cohort.cohort_activation_start(partner_ids=data.validated_data["partners"], by_user=request.user)
        return Response({"id": job.pk}, status=status.HTTP_202_ACCEPTED)


class JobView(APIView):
    permission_classes = [IsAuthenticated, IsProgrammeAdmin]

    @extend_schema(operation_id="jobs_retrieve", responses={200: JobSerializer, 404: OpenApiResponse()})
    def get(self, request, pk: int):
        return Response(JobSerializer(cohort.job_for(request.user, pk)).data)
