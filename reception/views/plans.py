"""The drafter's plan editor: task fields, guests, accompanying staff and items, with the rules'
findings beside the forms, recomputed on every change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from reception import selectors
from reception.forms import GuestForm, ItemForm, StaffForm, TaskEditForm, VersionForm
from reception.models import AccompanyingStaff, Guest, PlanItem
from reception.models.tasks import PLAN_ROLES
from reception.selectors import rules as selectors_rules
from reception.selectors.library import library_for_plans
from reception.services import plans
from reception.services.tasks import task_update
from reception.views.base import ReceptionPage, add_error, error_text, perform, place_findings
from tenants.models import ALL_ROLES

#: The parts of a plan the editor changes: (form, model, add, update, delete).
PARTS: dict[
    str, tuple[type[forms.ModelForm], type[Any], Callable[..., Any], Callable[..., Any], Callable[..., Any]]
] = {
    "guest": (
        GuestForm,
        Guest,
        lambda data, **kw: plans.guests_add(guests=[data], **kw),
        lambda object_id, **kw: plans.guest_update(guest_id=object_id, **kw),
        lambda object_id, **kw: plans.guest_delete(guest_id=object_id, **kw),
    ),
    "staff": (
        StaffForm,
        AccompanyingStaff,
        lambda data, **kw: plans.staff_add(staff=[data], **kw),
        lambda object_id, **kw: plans.staff_update(staff_id=object_id, **kw),
        lambda object_id, **kw: plans.staff_delete(staff_id=object_id, **kw),
    ),
    "item": (
        ItemForm,
        PlanItem,
        lambda data, **kw: plans.item_add(fields=data, **kw),
        lambda object_id, **kw: plans.item_update(item_id=object_id, **kw),
        lambda object_id, **kw: plans.item_delete(item_id=object_id, **kw),
    ),
}


def _bind(part: str, view: ReceptionPage, data: Any = None, instance: Any = None) -> forms.ModelForm:
    form_class = PARTS[part][0]
    kwargs: dict[str, Any] = {"prefix": part, "instance": instance}
    if instance is not None:
        kwargs["initial"] = {"version": instance.version}
    if form_class is ItemForm:
        kwargs["providers"] = selectors.providers_serving(jurisdiction=view.jurisdiction)
    return form_class(data, **kwargs)


def submit_form(
    view: ReceptionPage, form: Any, action: Callable[[Any], Any], back: str, *, context_key: str = "task_form"
) -> HttpResponse:
    """Valid form → run the service → back to the editor; refused input → the form again (400)."""
    if form.is_valid():
        try:
            action(form)
        except (Forbidden, NotFound):
            raise
        except (InvalidInput, ValidationError) as exc:
            add_error(form, exc)
        except DomainError as exc:
            messages.error(view.request, error_text(exc), extra_tags=exc.code)
            return HttpResponseRedirect(back, status=303)
        else:
            messages.success(view.request, _("已保存，规则检查已更新。"))
            return HttpResponseRedirect(back, status=303)
    return view.render_to_response(view.get_context_data(**{context_key: form}), status=400)


class PlanEditView(ReceptionPage):
    """GET the editor; POST one of its forms (`form` = task, guest, staff, item or delete)."""

    template_name = "reception/task_edit.html"
    roles_by_method = {"GET": ALL_ROLES, "POST": PLAN_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = selectors.task_detail(self.kwargs["task_id"])
        can_edit = task.is_editable and self.can(PLAN_ROLES)
        checks = selectors_rules.task_checks(task, jurisdiction=self.jurisdiction)
        context.update(
            task=task,
            checks=checks,
            task_findings=place_findings(task, checks),
            can_edit=can_edit,
            can_submit="submit" in selectors.task_allowed_actions(access=self.access, task=task),
            version_form=VersionForm(initial={"version": task.version}),
        )
        if can_edit:
            context["library"] = library_for_plans()  # venues and dishes to pick from (issue 8)
            context.setdefault("task_form", TaskEditForm(instance=task, initial={"version": task.version}))
            for part in PARTS:
                context.setdefault(f"{part}_form", _bind(part, self))
        return context

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        back = f"/reception/tasks/{task_id}/edit/"
        which = request.POST.get("form", "")
        kw: dict[str, Any] = {"actor": self.actor, "jurisdiction": self.jurisdiction, "task_id": task_id}
        if which == "delete" and request.POST.get("part") in PARTS:
            version = VersionForm(request.POST)
            object_id = request.POST.get("object_id", "")
            if not object_id.isdigit() or not version.is_valid():
                raise Http404
            delete = PARTS[request.POST["part"]][4]
            return perform(
                request,
                lambda: delete(object_id=int(object_id), version=version.cleaned_data["version"], **kw),
                success=_("已删除。"),
                back=back,
            )
        if which == "task":
            form: forms.ModelForm = TaskEditForm(request.POST, instance=selectors.task_detail(task_id))
            return submit_form(
                self, form, lambda f: task_update(changes=f.changes()[0], version=f.changes()[1], **kw), back
            )
        if which in PARTS:
            add = PARTS[which][2]
            form = _bind(which, self, request.POST)
            return submit_form(self, form, lambda f: add(f.changes()[0], **kw), back, context_key=f"{which}_form")
        raise Http404


class PlanObjectEditView(ReceptionPage):
    """Edit one guest, accompanying official or item; the form carries its `version`."""

    template_name = "reception/plan_object_form.html"
    roles_by_method = {"GET": PLAN_ROLES, "POST": PLAN_ROLES}

    def instance(self) -> Any:
        if self.kwargs["part"] not in PARTS:
            raise Http404
        model = PARTS[self.kwargs["part"]][1]
        return selectors.plan_object(model, task_id=self.kwargs["task_id"], object_id=self.kwargs["object_id"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.instance()
        form = _bind(kwargs["part"], self, instance=instance)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, task_id: int, part: str, object_id: int) -> HttpResponse:
        update = PARTS[part][3]

        def save(f: Any) -> None:
            changes, version = f.changes()
            update(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                task_id=task_id,
                object_id=object_id,
                changes=changes,
                version=version,
            )

        instance = self.instance()
        form = _bind(part, self, request.POST, instance=instance)
        return submit_form(self, form, save, f"/reception/tasks/{task_id}/edit/", context_key="form")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["task"] = selectors.task_detail(self.kwargs["task_id"])
        context["part"] = self.kwargs["part"]
        return context
