"""API plumbing shared by every app: pagination, the error mapping, and small base classes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, InvalidInput, RuleViolation


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def domain_error_body(exc: DomainError) -> dict[str, Any]:
    if isinstance(exc, RuleViolation):
        return {"detail": str(exc.message), "errors": exc.errors}
    if isinstance(exc, InvalidInput) and exc.field:
        return {exc.field: [str(exc.message)]}
    body: dict[str, Any] = {"detail": str(exc.message), "code": exc.code}
    body.update(exc.extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler plus the domain errors; database outages answer 503, never a 500."""
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data: Any = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            data = {"detail": " ".join(str(m) for m in exc.messages)}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (OperationalError, InterfaceError)):
        return Response(
            {"detail": _("服务暂时不可用，请稍后重试。")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError) and "invalid input" in str(exc).lower():
        return Response({"detail": _("输入无效。")}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
