"""What every reception page shares: the permission mixin, pagination, turning domain errors
into messages, and the jurisdiction."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.errors import DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from reception.forms import FilterForm
from reception.scopes import UnitScope, check_route, scope_of
from tenants.permissions import Access, request_access
from tenants.web import JurisdictionPageMixin

PAGE_SIZE = 20


class ReceptionPage(JurisdictionPageMixin, TemplateView):
    """A page on a tenant host; declare `roles` or `roles_by_method` (POST) as for the API."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            # Only a member who is a counterpart and nothing more is limited; others pass.
            check_route(access=request_access(request), user=request.user, kwargs=kwargs)
            return super().dispatch(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc

    @property
    def access(self) -> Access:
        return cast(Access, request_access(self.request))

    def can(self, roles: Any) -> bool:
        return self.access.can_write(roles)

    @property
    def scope(self) -> UnitScope | None:
        """A counterpart user's unit (lists are limited to it); None for every other caller."""
        return scope_of(self.access, self.request.user)


def paginate(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def list_filters(request: HttpRequest, statuses: Any) -> dict[str, str]:
    """Valid filters from the query string; unknown values are dropped."""
    form = FilterForm(request.GET)
    if not form.is_valid():
        return {}
    status = form.cleaned_data["status"]
    return {"status": status if status in statuses else "", "q": form.cleaned_data["q"].strip()}


def error_text(exc: Exception) -> str:
    if isinstance(exc, RuleViolation):
        return " ".join([str(exc.message), *(e["message"] for e in exc.errors)])
    if isinstance(exc, DomainError):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("操作失败。")


def error_code(exc: Exception) -> str:
    """A refusal's stable code, rendered as the banner's `data-code` (tests and scripts read it)."""
    if isinstance(exc, DomainError):
        return exc.code
    if isinstance(exc, ValidationError):
        return exc.code or next((e.code for e in exc.error_list if e.code), None) or "invalid"
    return "invalid"


def add_error(form: Any, exc: Exception) -> None:
    """Show a service's refusal on the form: on the field it names (a file on `scans`), else on top."""
    field = exc.field if isinstance(exc, InvalidInput) else None
    field = "scans" if field == "file" else field
    form.add_error(field if field in form.fields else None, ValidationError(error_text(exc), code=error_code(exc)))


def perform(request: HttpRequest, action: Callable[[], Any], *, success: str, back: str) -> HttpResponse:
    """Run a service for a page's form: success → message; refused → message; then back (303)."""
    try:
        action()
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc), extra_tags=error_code(exc))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(back, status=303)


#: Which cell of the plan's table shows a finding about each field of an item.
FINDING_CELLS = {
    "kind": "kind",
    "meal_type": "kind",
    "working_meal": "kind",
    "room_type": "kind",
    "starts_at": "time",
    "venue": "venue",
    "guests_count": "people",
    "accompanying_count": "people",
    "unit_price": "price",
    "quantity": "price",
    "payer": "payer",
    "menu": "menu",
}


def _field_label(field: str | None) -> str:
    from django.core.exceptions import FieldDoesNotExist

    from reception.models import PlanItem

    try:
        return str(getattr(PlanItem._meta.get_field(field or ""), "verbose_name", ""))
    except FieldDoesNotExist:
        return ""


def place_findings(task: Any, checks: Any) -> dict[str, list[Any]]:
    """Put each finding beside the field it concerns: under its item, named by the field, with
    the field's cell flagged (`item.findings`, `item.cell_findings` by cell of the plan's table);
    for the task's own fields (level, budget), in the map returned."""
    by_item: dict[int, list[Any]] = {}
    on_task: dict[str, list[Any]] = {}
    for finding in [*checks.errors, *checks.warnings]:
        if finding.item is None:
            on_task.setdefault(finding.field or "", []).append(finding)
            continue
        shown = SimpleNamespace(
            **finding.as_dict(),
            severity=str(finding.severity),
            brief=finding.brief,
            field_label=_field_label(finding.field),
            cell=FINDING_CELLS.get(finding.field or "", "kind"),
        )
        by_item.setdefault(finding.item, []).append(shown)
    for item in task.items.all():
        item.findings = by_item.get(item.pk, [])
        cells: dict[str, list[Any]] = {}
        for shown in item.findings:
            cells.setdefault(shown.cell, []).append(shown)
        item.cell_findings = cells
    return on_task
