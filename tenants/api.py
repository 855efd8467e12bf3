"""Directory and identity API: the anonymous directory, this jurisdiction, and me."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput
from tenants import selectors, services
from tenants.models import ALL_ROLES, Role, division_code_validator
from tenants.permissions import JurisdictionMemberPermission, JurisdictionPermission


class JurisdictionOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    parent_code = serializers.CharField(allow_null=True)
    host = serializers.CharField()
    status = serializers.CharField()


def _code_param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        division_code_validator(value)
    except Exception as exc:
        raise InvalidInput(_("辖区代码必须是六位数字。"), field=name, code="invalid_code") from exc
    return value


class JurisdictionDirectoryApi(APIView):
    """The public directory of jurisdictions (anonymous)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="jurisdictions_list",
        parameters=[
            OpenApiParameter("code", str, description="six-digit division code"),
            OpenApiParameter("parent", str, description="the parent's code: its direct children"),
        ],
        responses=JurisdictionOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        code = _code_param(request, "code")
        parent = _code_param(request, "parent")
        rows = selectors.jurisdiction_directory(code=code, parent=parent)
        data = [
            {
                "code": j.code,
                "name": j.name,
                "level": j.level,
                "parent_code": j.parent.code if j.parent else None,
                "host": j.host,
                "status": j.status,
            }
            for j in rows
        ]
        return Response(data)


class JurisdictionDetailApi(APIView):
    """This host's jurisdiction, for its members and its ancestors' overseers."""

    permission_classes = [JurisdictionPermission]
    roles = ALL_ROLES

    @extend_schema(
        operation_id="jurisdiction_retrieve",
        responses=inline_serializer(
            "JurisdictionDetail",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "level": serializers.CharField(),
                "parent_code": serializers.CharField(allow_null=True),
                "children": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        j = request.tenant  # type: ignore[attr-defined]
        return Response(
            {
                "code": j.code,
                "name": j.name,
                "level": j.level,
                "parent_code": j.parent_code,
                "children": selectors.jurisdiction_children_codes(jurisdiction=j),
            }
        )


class MemberPasswordResetApi(APIView):
    """The jurisdiction's admin e-mails a member a password reset link (through the outbox)."""

    permission_classes = [JurisdictionMemberPermission]
    roles = {Role.ADMIN}

    @extend_schema(
        operation_id="members_password_reset",
        request=None,
        responses={202: inline_serializer("PasswordResetSent", {"queued": serializers.IntegerField()})},
    )
    def post(self, request: Request, user_id: int) -> Response:
        queued = services.member_password_reset(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=request.tenant,  # type: ignore[attr-defined]
            user_id=user_id,
        )
        return Response({"queued": queued}, status=202)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_retrieve",
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "display_name": serializers.CharField(),
                "memberships": inline_serializer(
                    "MeMembership",
                    {
                        "code": serializers.CharField(),
                        "name": serializers.CharField(),
                        "host": serializers.CharField(),
                        "role": serializers.CharField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        user = request.user
        memberships = selectors.user_memberships(user=user)  # type: ignore[arg-type]
        return Response(
            {
                "username": user.username,
                "display_name": user.label,  # type: ignore[union-attr]
                "memberships": [
                    {
                        "code": m.jurisdiction.code,
                        "name": m.jurisdiction.name,
                        "host": m.jurisdiction.host,
                        "role": m.role,
                    }
                    for m in memberships
                ],
            }
        )
