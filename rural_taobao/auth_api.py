"""POST /api/v1/auth/token/ {"username", "password"} → {"token"}."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .login_protection import USERNAME_MAX_LENGTH, TokenRateThrottle


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(min_length=1, max_length=USERNAME_MAX_LENGTH)
    password = serializers.CharField(
        min_length=1, max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenView(APIView):
    """Exchange a username and password for the caller's API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]

    @extend_schema(
        operation_id="auth_token",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: inline_serializer(
                "TokenError",
                {
                    "username": serializers.ListField(child=serializers.CharField(), required=False),
                    "password": serializers.ListField(child=serializers.CharField(), required=False),
                    "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
                },
            ),
            429: inline_serializer("LockedOut", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request, so the lockout backend sees the caller's address.
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            from .login_protection import lockout_response

            return lockout_response(request._request)
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": ["Unable to log in with the given username and password."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
