"""Tasks on the web: lists (all, the reviewer's queue, the handler's), opening one, its page,
and the transitions' forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.notifications.selectors import task_messages
from reception import selectors
from reception.forms import AssignForm, CommentForm, ReasonForm, TaskForm, VersionForm, form_error_codes, form_errors
from reception.letter_prefill import task_initial
from reception.models import TRANSITIONS, AccompanyingStaff, Guest, PlanItem, TaskAction, TaskStatus
from reception.scopes import letters_in_scope, tasks_in_scope
from reception.selectors import revisions as selectors_revisions
from reception.selectors import rules as selectors_rules
from reception.selectors.today import handler_day
from reception.services import links, orders, transitions
from reception.services.tasks import TASK_CREATE_ROLES, task_create
from reception.views.base import ReceptionPage, error_code, error_text, list_filters, paginate, perform, place_findings
from reception.views.settlement import settlement_context
from tenants.models import ALL_ROLES, STAFF_ROLES, Role


class TaskListView(ReceptionPage):
    """Every task, filterable by status and text, newest first, paginated."""

    template_name = "reception/tasks.html"
    roles = ALL_ROLES
    heading = gettext_lazy("接待任务")
    preset: dict[str, Any] = {}

    def rows(self, filters: dict[str, str]) -> Any:
        return tasks_in_scope(
            selectors.task_list(status=filters.get("status"), q=filters.get("q"), by_action=True), self.scope
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = {**list_filters(self.request, TaskStatus.values), **self.preset}
        context.update(
            heading=self.heading,
            preset_status=bool(self.preset.get("status")),
            filters=filters,
            statuses=TaskStatus.choices,
            page=paginate(self.request, self.rows(filters)),
            can_create=self.can(TASK_CREATE_ROLES),
            can_review=self.can(TRANSITIONS[TaskAction.APPROVE].roles),
            comment_form=CommentForm(),
        )
        return context


class ReviewQueueView(TaskListView):
    """The reviewer's queue: submitted plans, with approve and return-with-comment on each row."""

    heading = gettext_lazy("待审核的接待方案")
    preset = {"status": TaskStatus.SUBMITTED}


class AssignedTasksView(TaskListView):
    """The handler's list: tasks assigned to the signed-in user."""

    heading = gettext_lazy("分配给我的任务")

    def rows(self, filters: dict[str, str]) -> Any:
        return selectors.task_list(
            handler_id=self.actor.pk, status=filters.get("status"), q=filters.get("q"), by_action=True
        )


class TodayView(ReceptionPage):
    """The handler's day (今日任务): today's tasks and what happens today, in the user's time
    zone. The service worker keeps the last copy for use offline (static/js/sw.js)."""

    template_name = "reception/today.html"
    roles = frozenset({Role.HANDLER})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        day = timezone.localdate()
        context.update(day=day, tasks=handler_day(handler_id=self.actor.pk, day=day))
        return context


class TaskCreateView(ReceptionPage):
    template_name = "reception/task_form.html"
    roles = TASK_CREATE_ROLES

    def form(self, data: Any = None, initial: dict[str, Any] | None = None) -> TaskForm:
        form = TaskForm(data, initial=initial or {})
        form.fields["letter"].queryset = letters_in_scope(  # type: ignore[attr-defined]
            selectors.registered_letters(), self.scope
        )
        return form

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Opened from a letter (`?letter=`), the form carries the letter's data."""
        wanted = request.GET.get("letter", "")
        letters = letters_in_scope(selectors.registered_letters(), self.scope)
        letter = letters.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if letter is None:
            return self.render_to_response(self.get_context_data(form=self.form()))
        unit = selectors.counterpart_unit(jurisdiction=self.jurisdiction, user=self.actor)
        initial = task_initial(letter, counterpart_unit=unit)
        return self.render_to_response(self.get_context_data(form=self.form(initial=initial), letter=letter))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                task = task_create(actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, ValidationError(error_text(exc), code=error_code(exc)))
            else:
                return HttpResponseRedirect(f"/reception/tasks/{task.pk}/edit/", status=303)
        return self.render_to_response(self.get_context_data(form=form), status=400)


#: The model whose field labels name each part's changes.
_CHANGED_PARTS: dict[str, Any] = {
    "item": (PlanItem, gettext_lazy("方案事项")),
    "guest": (Guest, gettext_lazy("来宾")),
    "staff": (AccompanyingStaff, gettext_lazy("陪同人员")),
}


def change_rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Field-level changes for people: the part, the field's label, before and after."""
    rows = []
    for change in changes:
        model, part = _CHANGED_PARTS[change["part"]]
        whole = change["after"] or change["before"] or {}
        if change["field"] is None:
            field = _("新增") if change["change"] == "added" else _("删除")
            before = after = None
            label = whole.get("name") or whole.get("venue") or ""
        else:
            field = str(model._meta.get_field(change["field"]).verbose_name)
            before, after, label = change["before"], change["after"], ""
        rows.append(
            {"part": part, "id": change["id"], "label": label, "field": field, "before": before, "after": after}
        )
    return rows


def amendment_context(task: Any) -> dict[str, Any]:
    """The open amendment with its diff against the approved plan, and the approved revisions."""
    current = selectors_revisions.open_amendment(task)
    return {
        "amendment": current.revision if current is not None else None,
        "amendment_rows": change_rows(current.changes) if current is not None else [],
        "revisions": [
            (revision, change_rows(revision.changes)) for revision in selectors_revisions.task_revisions(task)
        ],
    }


class TaskDetailView(ReceptionPage):
    """A task: status, plan, findings, history and the actions this user may take now."""

    template_name = "reception/task_detail.html"
    roles = ALL_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = selectors.task_detail(self.kwargs["task_id"])
        allowed = selectors.task_allowed_actions(access=self.access, task=task)
        handlers = selectors.jurisdiction_handlers(jurisdiction=self.jurisdiction)
        checks = selectors_rules.task_checks(task, jurisdiction=self.jurisdiction)
        context.update(
            task=task,
            checks=checks,
            task_findings=place_findings(task, checks),
            history=selectors.task_history(jurisdiction=self.jurisdiction, task=task),
            allowed=allowed,
            can_edit=task.is_editable and self.can({Role.DRAFTER}),
            can_link=self.can(links.ITINERARY_ROLES) and task.status in links.ITINERARY_STATUSES,
            comment_form=CommentForm(initial={"version": task.version}),
            reason_form=ReasonForm(initial={"version": task.version}),
            assign_form=AssignForm(initial={"version": task.version}, handlers=handlers),
            itinerary_url=self.request.session.pop(f"itinerary:{task.pk}", None),
            task_messages=(
                task_messages(jurisdiction_code=self.jurisdiction.code, task_id=task.pk)[:50]
                if self.access.has_any(STAFF_ROLES)
                else None
            ),
            **settlement_context(self, task),
            **amendment_context(task),
        )
        return context


#: The transitions' services, by the action in the URL, with the form their page sends.
ACTIONS: dict[str, tuple[Any, type[VersionForm], Any]] = {
    TaskAction.SUBMIT: (transitions.task_submit, VersionForm, gettext_lazy("已提交审核。")),
    TaskAction.RETURN: (transitions.task_return, CommentForm, gettext_lazy("已退回拟办人修改。")),
    TaskAction.APPROVE: (transitions.task_approve, VersionForm, gettext_lazy("方案已批准。")),
    TaskAction.ASSIGN: (transitions.task_assign, AssignForm, gettext_lazy("已指派承办人。")),
    TaskAction.CANCEL: (transitions.task_cancel, ReasonForm, gettext_lazy("任务已取消。")),
    TaskAction.AMEND: (transitions.task_amend, ReasonForm, gettext_lazy("已发起变更，可以修改方案。")),
    TaskAction.DISPATCH: (orders.task_dispatch, VersionForm, gettext_lazy("已向服务单位派单。")),
    TaskAction.COMPLETE: (orders.task_complete, VersionForm, gettext_lazy("任务已办结。")),
}


class TaskActionView(ReceptionPage):
    """POST a transition from a page form (always with the task's `version`)."""

    roles_by_method = {"POST": frozenset().union(*(TRANSITIONS[a].roles for a in ACTIONS))}
    http_method_names = ["post"]

    def post(self, request: HttpRequest, task_id: int, action: str) -> HttpResponse:
        if action not in ACTIONS:
            raise Http404
        service, form_class, success = ACTIONS[action]
        form = form_class(request.POST)
        back = request.POST.get("next", "")
        if not back.startswith("/reception/") or "//" in back:
            back = f"/reception/tasks/{task_id}/"
        if not form.is_valid():
            messages.error(request, form_errors(form), extra_tags=form_error_codes(form))
            return HttpResponseRedirect(back, status=303)
        return perform(
            request,
            lambda: service(actor=self.actor, jurisdiction=self.jurisdiction, task_id=task_id, **form.cleaned_data),
            success=str(success),
            back=back,
        )


class ItineraryLinkView(ReceptionPage):
    """Issue (or revoke) the guests' itinerary link from the task page."""

    roles_by_method = {"POST": links.ITINERARY_ROLES}
    http_method_names = ["post"]

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        back = f"/reception/tasks/{task_id}/"
        if request.POST.get("action") == "revoke":
            return perform(
                request,
                lambda: links.itinerary_links_revoke(actor=self.actor, jurisdiction=self.jurisdiction, task_id=task_id),
                success=_("此前发出的行程链接已全部失效。"),
                back=back,
            )

        by_sms = request.POST.get("action") == "sms"

        def issue() -> None:
            issued = links.itinerary_link_issue(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                task_id=task_id,
                sms_base_url=request.build_absolute_uri("/") if by_sms else None,
            )
            request.session[f"itinerary:{task_id}"] = request.build_absolute_uri(f"/itinerary/{issued.token}/")

        success = _("已生成来宾行程链接，并以短信发给有手机号的来宾。") if by_sms else _("已生成来宾行程链接。")
        return perform(request, issue, success=success, back=back)
