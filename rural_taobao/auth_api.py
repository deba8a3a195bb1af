"""POST /api/v1/auth/token/ {"username", "password"} → {"token"}; POST
/api/v1/auth/logout-others/ signs the caller out everywhere else."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_tokens import api_token_issue, user_sign_out_other_devices
from .login_protection import USERNAME_MAX_LENGTH, TokenRateThrottle
from .throttling import UserRateThrottle


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
        return Response({"token": api_token_issue(user=user).key})


class SignOutOtherDevicesThrottle(UserRateThrottle):
    scope = "writes"


class SignOutOtherDevicesView(APIView):
    """End the caller's other sessions and replace their API token: every other phone or
    script signed in as this login must log in again. The calling device stays signed in:
    a caller using the token gets the new one in the answer."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [SignOutOtherDevicesThrottle]

    @extend_schema(
        operation_id="auth_logout_others",
        request=None,
        responses={
            200: inline_serializer(
                "SignedOutOthers",
                {"detail": serializers.CharField(), "token": serializers.CharField(allow_null=True)},
            )
        },
    )
    def post(self, request):
        via_token = isinstance(request.auth, Token)
        session_key = request._request.session.session_key if not via_token else None
        token = user_sign_out_other_devices(user=request.user, keep_session_key=session_key, keep_token=via_token)
        return Response(
            {
                "detail": _("Your other devices are signed out."),
                "token": token.key if token is not None else None,
            }
        )
