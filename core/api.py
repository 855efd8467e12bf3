"""API plumbing shared by every app: pagination, the error mapping, and small base classes."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, InvalidInput, RuleViolation

#: The column that carries the total count along with a page's rows (`Pagination`).
WINDOW_TOTAL = "_pagination_total"
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


class Pagination(PageNumberPagination):
    """Page-number pagination (`count`, `next`, `previous`, `results`), one query per page.

    DRF counts the rows (one query), then reads the page (another). Here a queryset's page is read
    with the same count beside each row, `(SELECT COUNT(pk) FROM <the same query>)`, which
    PostgreSQL runs once for the statement: one round trip fewer on every list. (A window,
    `COUNT(*) OVER ()`, would be simpler SQL but keeps every row of the list to count them: 7x a
    plain count at 20,000 rows.) Whatever cannot be answered that way goes through DRF's own path
    unchanged: an empty page (out of range: DRF's 404, or an empty list), a page number that is
    not plain digits (`last`, garbage: DRF's handling), a DISTINCT, grouped or combined queryset,
    anything that is not a queryset."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        page_size = self.get_page_size(request)
        number = request.query_params.get(self.page_query_param) or "1"
        if page_size and _PAGE_NUMBER.fullmatch(number) and int(number) >= 1 and _windowable(queryset):
            page = int(number)
            bottom = (page - 1) * page_size
            count = Func(F("pk"), function="COUNT", output_field=IntegerField())
            total = queryset.order_by().annotate(**{WINDOW_TOTAL: count}).values(WINDOW_TOTAL)
            rows = list(queryset.annotate(**{WINDOW_TOTAL: Subquery(total)})[bottom : bottom + page_size])
            if rows:
                total = _pop_total(rows)
                self.request = request
                paginator = self.django_paginator_class(queryset, page_size)
                paginator.__dict__["count"] = total  # the cached property, from the same statement
                self.page = paginator._get_page(rows, page, paginator)  # type: ignore[attr-defined]
                if paginator.num_pages > 1 and self.template is not None:
                    self.display_page_controls = True
                return rows
        return super().paginate_queryset(queryset, request, view)


def _windowable(queryset: Any) -> bool:
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    return not (
        query.distinct
        or query.combinator
        or query.is_sliced
        or query.group_by is not None
        or WINDOW_TOTAL in query.annotations
    )


def _pop_total(rows: list[Any]) -> int:
    total = 0
    for row in rows:
        if isinstance(row, dict):
            total = row.pop(WINDOW_TOTAL)
        else:
            total = getattr(row, WINDOW_TOTAL)
            delattr(row, WINDOW_TOTAL)
    return int(total)


#: Query parameters that belong to the pagination, never to a filter.
PAGINATION_PARAMS = frozenset({"page", "page_size"})


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, minus the FilterSet of a request that filters nothing.

    Building a FilterSet (a deep copy of its filters, a bound form, its validation) cost about
    0.5 ms of CPU on every list request, most of which send no filter at all. A FilterSet bound
    to no filter value changes nothing unless one of its filters is required, so a request whose
    only parameters are the pagination's skips it; any other parameter goes through django-filter."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        if PAGINATION_PARAMS.issuperset(request.query_params.keys()):
            filterset_class = self.get_filterset_class(view, queryset)
            filters = filterset_class.base_filters if filterset_class is not None else {}
            if not PAGINATION_PARAMS & set(filters) and not any(f.extra.get("required") for f in filters.values()):
                return queryset
        return super().filter_queryset(request, queryset, view)


def _is_leaf(details: Any) -> bool:
    return not isinstance(details, (dict, list)) or (isinstance(details, dict) and set(details) == {"message", "code"})


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def coded_errors(details: Any, path: str = "") -> list[dict[str, str]]:
    """`[{field, code, message}]` from DRF's full details; nested fields and list rows are
    joined by dots (`guests.2.grade`)."""
    if isinstance(details, dict) and _is_leaf(details):
        return [{"field": path or "non_field_errors", "code": str(details["code"]), "message": str(details["message"])}]
    if isinstance(details, dict):
        return [e for key, value in details.items() for e in coded_errors(value, _join(path, key))]
    if isinstance(details, list):
        return [
            e
            for index, value in enumerate(details)
            for e in coded_errors(value, path if _is_leaf(value) else _join(path, index))
        ]
    return [{"field": path or "non_field_errors", "code": "invalid", "message": str(details)}]


def field_error_body(messages: dict[str, list[str]], errors: list[dict[str, str]]) -> dict[str, Any]:
    """DRF's `{field: [messages]}` plus `errors: [{field, code, message}]` (the stable codes)."""
    body: dict[str, Any] = dict(messages)
    body["errors"] = errors
    return body


def domain_error_body(exc: DomainError) -> dict[str, Any]:
    if isinstance(exc, RuleViolation):
        return {"detail": str(exc.message), "code": exc.code, "errors": exc.errors}
    if isinstance(exc, InvalidInput) and exc.field:
        message = str(exc.message)
        return field_error_body({exc.field: [message]}, [{"field": exc.field, "code": exc.code, "message": message}])
    body: dict[str, Any] = {"detail": str(exc.message), "code": exc.code}
    body.update(exc.extra)
    if isinstance(exc, InvalidInput):
        body.setdefault("errors", [{"field": "non_field_errors", "code": exc.code, "message": str(exc.message)}])
    return body


def django_validation_body(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        messages: dict[str, list[str]] = {}
        errors: list[dict[str, str]] = []
        for field, field_errors in exc.error_dict.items():
            name = "non_field_errors" if field == "__all__" else field
            for error in field_errors:
                for message in error.messages:
                    messages.setdefault(name, []).append(str(message))
                    errors.append({"field": name, "code": error.code or "invalid", "message": str(message)})
        return field_error_body(messages, errors)
    errors = [
        {"field": "non_field_errors", "code": error.code or "invalid", "message": str(message)}
        for error in exc.error_list
        for message in error.messages
    ]
    return {
        "detail": " ".join(e["message"] for e in errors),
        "code": errors[0]["code"] if errors else "invalid",
        "errors": errors,
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler plus the domain errors; database outages answer 503, never a 500."""
    if isinstance(exc, DomainError):
        retry_after = exc.extra.get("retry_after")
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return Response(domain_error_body(exc), status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        return Response(django_validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        response = drf_exception_handler(exc, context)
        if response is not None:
            errors = coded_errors(exc.get_full_details())
            data = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
            response.data = field_error_body(data, errors)
        return response
    if isinstance(exc, (OperationalError, InterfaceError)):
        return Response(
            {"detail": _("服务暂时不可用，请稍后重试。"), "code": "unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError) and "invalid input" in str(exc).lower():
        message = _("输入无效。")
        return Response(
            {
                "detail": message,
                "code": "invalid",
                "errors": [{"field": "non_field_errors", "code": "invalid", "message": message}],
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException) and isinstance(response.data, dict):
        # 401, 403, 404, 405, 406, 415, 429 from DRF: its stable code beside the message.
        codes = exc.get_codes()
        response.data.setdefault("code", codes if isinstance(codes, str) else exc.default_code)
    return response
