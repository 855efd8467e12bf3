"""Sign-in API on every host: login with throttling, logout that revokes the token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout as django_logout
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.http import client_ip
from core.services import LoginThrottled, login_attempt, sessions_end_everywhere, token_issue


class LoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


LoginOutput = inline_serializer(
    "LoginResult",
    {
        "token": serializers.CharField(),
        "expiry": serializers.DateTimeField(allow_null=True),
        "user": inline_serializer(
            "LoginUser", {"username": serializers.CharField(), "display_name": serializers.CharField()}
        ),
    },
)


class LoginApi(APIView):
    """Exchange a username and password for a knox token (valid on every host)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(operation_id="auth_login", request=LoginInput, responses={200: LoginOutput})
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = login_attempt(
                username=data.validated_data["username"],
                password=data.validated_data["password"],
                ip=client_ip(request),
            )
        except LoginThrottled as exc:
            return Response(
                {"detail": str(exc.message), "code": exc.code},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        instance, token = token_issue(user=user)
        return Response(
            {
                "token": token,
                "expiry": instance.expiry,
                "user": {"username": user.username, "display_name": user.label},
            }
        )


class LogoutApi(APIView):
    """Revoke the token used for this request (and end a web session if that was used)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="auth_logout", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        else:
            sessions_end_everywhere(user=request.user)  # type: ignore[arg-type]
            django_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
