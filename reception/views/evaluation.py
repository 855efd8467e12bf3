"""The satisfaction evaluation form reached by a signed link (no login; the signature replaces
the CSRF token). `GET` shows the form; `POST` as JSON or form fields → 201, once per party (409).
An expired link answers 410 (`link_expired`); a staff preview link shows the form but a POST is
refused (403 `preview_only`)."""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import requestbody
from core.api import domain_error_body
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from reception.models import EvaluationParty
from reception.services.evaluations import LinkExpired, evaluation_submit, evaluation_target
from tenants.models import Jurisdiction


def _tenant(request: HttpRequest) -> Jurisdiction:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        raise Http404
    return cast(Jurisdiction, tenant)


def _input(request: HttpRequest) -> tuple[dict[str, Any], bool]:
    """The posted fields and whether the client speaks JSON."""
    if (request.content_type or "").startswith("application/json"):
        data = requestbody.loads(request.body or b"{}")  # size and depth checked first
        if not isinstance(data, dict):
            raise InvalidInput(_("请求内容不是有效的 JSON。"), field="score", code="invalid_json")
        return data, True
    return {"score": request.POST.get("score", ""), "comment": request.POST.get("comment", "")}, False


def _score(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("评分必须是 1 到 5 的整数。"), field="score", code="invalid_score")
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("评分必须是 1 到 5 的整数。"), field="score", code="invalid_score") from None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, token: str) -> HttpResponse:
    jurisdiction = _tenant(request)
    try:
        task, claim = evaluation_target(jurisdiction=jurisdiction, token=token)
    except NotFound:
        raise Http404 from None
    except LinkExpired as exc:
        if (request.content_type or "").startswith("application/json"):
            return JsonResponse({"detail": str(exc.message), "code": exc.code}, status=exc.status_code)
        expired = {"expired": str(exc.message), "error_code": exc.code}
        return render(request, "reception/evaluate.html", expired, status=exc.status_code)
    context: dict[str, Any] = {
        "task": task,
        "party": EvaluationParty(claim.party).label,
        "scores": range(5, 0, -1),
        "preview": claim.preview,
    }
    if request.method == "GET":
        return render(request, "reception/evaluate.html", context)
    wants_json = (request.content_type or "").startswith("application/json")
    try:
        data, wants_json = _input(request)
        comment = data.get("comment") or ""
        if not isinstance(comment, str):
            raise InvalidInput(_("意见必须是文字。"), field="comment", code="invalid")
        evaluation = evaluation_submit(
            jurisdiction=jurisdiction, token=token, score=_score(data.get("score")), comment=comment
        )
    except DomainError as exc:
        status = 409 if isinstance(exc, Conflict) else exc.status_code
        if wants_json:
            body = domain_error_body(exc)  # `{field: [messages], errors: [{field, code, message}]}` or `{detail, code}`
            return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        context["error"] = str(exc.message)
        context["error_code"] = exc.code
        return render(request, "reception/evaluate.html", context, status=status)
    if wants_json:
        return JsonResponse(
            {"id": evaluation.pk, "party": evaluation.party, "score": evaluation.score, "comment": evaluation.comment},
            status=201,
            json_dumps_params={"ensure_ascii": False},
        )
    context["done"] = evaluation
    return render(request, "reception/evaluate.html", context, status=201)
