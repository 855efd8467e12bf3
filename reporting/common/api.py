"""The tenant API base of reporting's statistics-side endpoints, file renderers and the query
parameter helpers (date range, choices, year and month) they share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.dates import check_date
from reporting.statistics.exports import XLSX
from tenants.models import Role
from tenants.web import TenantApi

#: Who reads statistics, exports, reports, warnings and the disclosure.
STATISTICS_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.SUPERVISOR})
MAX_RANGE_DAYS = 366 * 10


class FileRenderer(BaseRenderer):
    """Lets DRF accept `?format=xlsx|csv`; the views answer those with a file themselves."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return JSONRenderer().render(data)


class XlsxRenderer(FileRenderer):
    media_type = XLSX
    format = "xlsx"


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


class ReportingApi(TenantApi):
    """A reporting view on a tenant host, behind the one permission layer."""

    roles = STATISTICS_ROLES

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)
        except (exceptions.NotFound, Http404) as exc:  # an unknown ?format= is bad input, not a missing page
            raise exceptions.ValidationError({"format": [_("格式只能是 xlsx 或 csv。")]}) from exc

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON whatever file format was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


def _date(name: str, raw: str | None, default: dt.date) -> dt.date:
    if raw in (None, ""):
        return default
    try:
        value = dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise exceptions.ValidationError({name: [_("日期格式应为 YYYY-MM-DD。")]}) from exc
    try:
        return check_date(value)
    except exceptions.ValidationError as exc:
        raise exceptions.ValidationError({name: exc.detail}) from None


def date_range(params: Any) -> tuple[dt.date, dt.date]:
    """`from` and `to` (both included); the current year when absent. 400 on bad input."""
    today = timezone.localdate()
    start = _date("from", params.get("from"), dt.date(today.year, 1, 1))
    end = _date("to", params.get("to"), dt.date(today.year, 12, 31))
    if end < start:
        raise exceptions.ValidationError({"to": [_("结束日期不能早于开始日期。")]})
    if (end - start).days > MAX_RANGE_DAYS:
        raise exceptions.ValidationError({"to": [_("统计区间最长十年。")]})
    return start, end


def choice(params: Any, name: str, choices: Any, default: str | None) -> str | None:
    value = params.get(name) or default
    if value is not None and value not in set(choices):
        raise exceptions.ValidationError(
            {name: [_("无效的取值“%(value)s”，可选：%(choices)s。") % {"value": value, "choices": ", ".join(choices)}]}
        )
    return value


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def year_param(params: Any, *, required: bool = False) -> int:
    raw = params.get("year")
    if raw in (None, ""):
        if required:
            raise exceptions.ValidationError({"year": [_("请指定年度（YYYY）。")]})
        return timezone.localdate().year
    if not str(raw).isdigit() or not 2000 <= int(raw) <= 2100:
        raise exceptions.ValidationError({"year": [_("年度应为 2000 至 2100 之间的四位数字。")]})
    return int(raw)


def month_param(params: Any) -> int | None:
    raw = params.get("month")
    if raw in (None, ""):
        return None
    if not str(raw).isdigit() or not 1 <= int(raw) <= 12:
        raise exceptions.ValidationError({"month": [_("月份应为 1 至 12。")]})
    return int(raw)
