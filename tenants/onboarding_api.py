"""Onboarding API (public host): apply anonymously, track with the token, review as a superior."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput, NotFound, RateLimited
from core.http import client_ip
from tenants import onboarding
from tenants.models import Application


class ApplicationInput(serializers.Serializer):
    """Documentation only: the service checks every field and names each problem."""

    name = serializers.CharField(max_length=100)
    code = serializers.CharField(max_length=6, help_text="six-digit GB/T 2260 code")
    level = serializers.ChoiceField(choices=["city", "county"])
    parent_code = serializers.CharField(max_length=6)
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=20)
    contact_email = serializers.EmailField(required=False)
    admin_username = serializers.CharField(max_length=150)
    admin_password = serializers.CharField(write_only=True)


ApplicationCreated = inline_serializer(
    "ApplicationCreated",
    {"id": serializers.IntegerField(), "status": serializers.CharField(), "tracking_token": serializers.CharField()},
)

StepOutput = inline_serializer(
    "ApplicationStep",
    {
        "name": serializers.CharField(),
        "label": serializers.CharField(),
        "status": serializers.CharField(),
        "seconds": serializers.FloatField(required=False),
    },
    many=True,
)

ApplicationOutput = inline_serializer(
    "ApplicationStatus",
    {
        "id": serializers.IntegerField(),
        "status": serializers.ChoiceField(choices=Application.Status.values),
        "host": serializers.CharField(),
        "name": serializers.CharField(),
        "code": serializers.CharField(),
        "level": serializers.CharField(),
        "parent_code": serializers.CharField(),
        "reason": serializers.CharField(),
        "steps": StepOutput,
        "created_at": serializers.DateTimeField(),
    },
)

ReviewOutput = inline_serializer(
    "ApplicationForReview",
    {
        "id": serializers.IntegerField(),
        "status": serializers.CharField(),
        "host": serializers.CharField(),
        "name": serializers.CharField(),
        "code": serializers.CharField(),
        "level": serializers.CharField(),
        "parent_code": serializers.CharField(),
        "reason": serializers.CharField(),
        "steps": StepOutput,
        "created_at": serializers.DateTimeField(),
        "contact_name": serializers.CharField(),
        "contact_phone": serializers.CharField(),
        "contact_email": serializers.CharField(),
        "admin_username": serializers.CharField(),
    },
    many=True,
)


def application_data(application: Application, *, for_reviewer: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": application.pk,
        "status": application.status,
        "host": application.host,
        "name": application.name,
        "code": application.code,
        "level": application.level,
        "parent_code": application.parent.code,
        "reason": application.reason,
        "steps": [
            {k: step[k] for k in ("name", "label", "status", "seconds") if k in step} for step in application.steps
        ],
        "created_at": application.created_at.isoformat(),
    }
    if for_reviewer:
        data.update(
            contact_name=application.contact_name,
            contact_phone=application.contact_phone,
            contact_email=application.contact_email,
            admin_username=application.admin_username,
        )
    return data


def _public_only(request: Request) -> None:
    if getattr(request, "tenant", None) is not None:
        raise NotFound(_("开通申请只在平台首页办理。"))


class ApplicationsApi(APIView):
    """POST: apply (anonymous, throttled per address). GET: the reviewer's queue."""

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        operation_id="onboarding_applications_list",
        parameters=[OpenApiParameter("status", str, enum=Application.Status.values)],
        responses=inline_serializer(
            "ApplicationReviewPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "results": ReviewOutput,
            },
        ),
    )
    def get(self, request: Request) -> Response:
        _public_only(request)
        status_filter = request.query_params.get("status") or None
        if status_filter is not None and status_filter not in Application.Status.values:
            raise InvalidInput(_("未知的状态。"), code="invalid_choice", field="status")
        rows = onboarding.applications_reviewable(user=request.user, status=status_filter)
        page = self.paginator.paginate_queryset(rows, request, view=self)  # type: ignore[attr-defined]
        data = [application_data(a, for_reviewer=True) for a in page]
        return self.paginator.get_paginated_response(data)  # type: ignore[attr-defined]

    @property
    def paginator(self) -> Any:
        if not hasattr(self, "_paginator"):
            from core.api import Pagination

            self._paginator = Pagination()
        return self._paginator

    @extend_schema(
        operation_id="onboarding_applications_create",
        request=ApplicationInput,
        responses={201: ApplicationCreated, 400: None, 429: None},
    )
    def post(self, request: Request) -> Response:
        _public_only(request)
        ip = client_ip(request)
        if not onboarding.application_throttle_hit(ip):
            raise RateLimited(
                _("申请过于频繁：每个地址每小时最多提交 %(n)s 次，请一小时后再试。")
                % {"n": onboarding.applications_per_hour()},
                extra={"retry_after": 3600},
            )
        raw = request.data
        if hasattr(raw, "dict"):
            data = raw.dict()
        elif isinstance(raw, dict):
            data = dict(raw)
        else:
            raise InvalidInput(_("请求体必须是 JSON 对象。"), code="invalid")
        application, token = onboarding.application_submit(data=data, client_ip=ip)
        return Response(
            {"id": application.pk, "status": application.status, "tracking_token": token},
            status=status.HTTP_201_CREATED,
        )


class ApplicationDetailApi(APIView):
    """The application's progress: with its tracking token (anonymous), or for its reviewers."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="onboarding_applications_retrieve",
        parameters=[OpenApiParameter("tracking_token", str, description="the token returned on application")],
        responses=ApplicationOutput,
    )
    def get(self, request: Request, application_id: int) -> Response:
        _public_only(request)
        token = request.query_params.get("tracking_token")
        if token:
            application = onboarding.application_tracked(application_id=application_id, token=token)
            if application is None:
                raise NotFound(_("未找到该申请。"))
            return Response(application_data(application))
        if request.user and request.user.is_authenticated:
            application = onboarding.applications_reviewable(user=request.user).filter(pk=application_id).first()
            if application is not None:
                return Response(application_data(application, for_reviewer=True))
        raise NotFound(_("未找到该申请。"))


class ApplicationApproveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="onboarding_applications_approve",
        request=None,
        responses={202: inline_serializer("ApplicationApproved", {"status": serializers.CharField()})},
    )
    def post(self, request: Request, application_id: int) -> Response:
        _public_only(request)
        application = onboarding.application_approve(actor=request.user, application_id=application_id)  # type: ignore[arg-type]
        return Response({"id": application.pk, "status": application.status}, status=status.HTTP_202_ACCEPTED)


class ApplicationRejectApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="onboarding_applications_reject",
        request=inline_serializer("ApplicationReject", {"reason": serializers.CharField()}),
        responses={200: inline_serializer("ApplicationRejected", {"status": serializers.CharField()})},
    )
    def post(self, request: Request, application_id: int) -> Response:
        _public_only(request)
        reason = request.data.get("reason") if hasattr(request.data, "get") else None
        application = onboarding.application_reject(
            actor=request.user,  # type: ignore[arg-type]
            application_id=application_id,
            reason=reason,
        )
        return Response({"id": application.pk, "status": application.status, "reason": application.reason})
