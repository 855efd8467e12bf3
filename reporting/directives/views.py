"""Pages of directives: the sender's list, compose (with a subtree picker) and delivery status with
resend; the target's inbox with acknowledgement. Same permission layer as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from reception.models import Task
from reception.views.base import ReceptionPage, add_error, paginate, perform
from reporting.directives import selectors
from reporting.directives.services import (
    INBOX_ROLES,
    SEND_ROLES,
    SENT_KINDS,
    SENT_READ_ROLES,
    delivery_acknowledge,
    directive_amendment_send,
    directive_resend,
    directive_send,
)
from reporting.models import DirectiveKind
from tenants.models import Level


class DirectiveForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=[(k.value, k.label) for k in SENT_KINDS])
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    body = forms.CharField(label=gettext_lazy("正文"), max_length=20000, required=False, widget=forms.Textarea)
    task = forms.TypedChoiceField(
        label=gettext_lazy("下发的接待任务（类别为接待任务时必选）"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tasks = Task.objects.order_by("-created_at").values_list("pk", "title", "start_date")[:200]
        task_field: Any = self.fields["task"]
        task_field.choices = [("", "—"), *((pk, f"{title}（{day:%Y-%m-%d}）") for pk, title, day in tasks)]


class DirectivesView(ReceptionPage):
    template_name = "reporting/directives.html"
    roles = SENT_READ_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page"] = paginate(self.request, selectors.directives_sent(sender=self.jurisdiction))
        context["can_send"] = self.can(SEND_ROLES)
        return context


class DirectiveComposeView(ReceptionPage):
    """Compose: kind, title, text, the task to push, and the targets from the subtree (hand-picked,
    whole levels, or a city with its counties)."""

    template_name = "reporting/directive_compose.html"
    roles = SEND_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DirectiveForm(initial={"kind": self.request.GET.get("kind", "notice")}))
        context["subtree"] = selectors.subtree_for_picker(sender=self.jurisdiction)
        context["levels"] = [(Level.CITY, Level.CITY.label), (Level.COUNTY, Level.COUNTY.label)]
        context["picked"] = set(self.request.POST.getlist("targets"))
        context["picked_levels"] = set(self.request.POST.getlist("levels"))
        context["picked_subtrees"] = set(self.request.POST.getlist("subtrees"))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DirectiveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                directive = directive_send(
                    actor=self.actor,
                    sender=self.jurisdiction,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    targets=[c for c in request.POST.getlist("targets") if c],
                    levels=[v for v in request.POST.getlist("levels") if v],
                    subtrees=[c for c in request.POST.getlist("subtrees") if c],
                    task_id=data["task"] if data["kind"] == DirectiveKind.TASK else None,
                    attachments=request.FILES.getlist("attachments"),
                )
            except (DomainError, ValidationError) as exc:
                add_error(form, exc)
            else:
                return HttpResponseRedirect(f"/reporting/directives/{directive.pk}/", status=303)
        return self.render_to_response(self.get_context_data(form=form), status=400)


#: What an amendment delivery did to the local task (`result.outcome`, `result.reason`).
OUTCOMES = {
    "replaced": gettext_lazy("草稿已按上级变更后的方案更新"),
    "amendment_opened": gettext_lazy("已发起本级变更，待本级审核"),
    "applied_to_amendment": gettext_lazy("已并入本级进行中的变更"),
    "not_applied": gettext_lazy("未更新"),
}
NOT_APPLIED_REASONS = {
    "under_review": gettext_lazy("本级任务正在审核"),
    "task_cancelled": gettext_lazy("本级任务已取消"),
    "task_closed": gettext_lazy("本级任务已办结"),
    "already_applied": gettext_lazy("变更此前已推送"),
    "no_origin_map": gettext_lazy("本级任务下发较早，无法对应事项"),
    "not_received": gettext_lazy("该辖区未收到原任务"),
    "local_task_missing": gettext_lazy("本级任务不存在"),
}


def outcome_text(result: dict[str, Any]) -> str:
    """The delivery's outcome in words (empty for other kinds of directive)."""
    outcome = result.get("outcome")
    if outcome not in OUTCOMES:
        return ""
    text = str(OUTCOMES[outcome])
    reason = result.get("reason")
    return f"{text}（{NOT_APPLIED_REASONS[reason]}）" if reason in NOT_APPLIED_REASONS else text


class DirectiveDetailView(ReceptionPage):
    template_name = "reporting/directive_detail.html"
    roles_by_method = {"GET": SENT_READ_ROLES, "POST": SEND_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        directive = selectors.directive_detail(sender=self.jurisdiction, directive_id=kwargs["directive_id"])
        deliveries = selectors.directive_deliveries(directive)
        for delivery in deliveries:
            delivery.outcome = outcome_text(delivery.result)  # type: ignore[attr-defined]
        context.update(
            directive=directive,
            deliveries=deliveries,
            can_resend=self.can(SEND_ROLES) and any(d.status == "failed" for d in deliveries),
            can_push_amendment=self.can(SEND_ROLES) and directive.kind == DirectiveKind.TASK,
        )
        return context

    def post(self, request: HttpRequest, directive_id: int) -> HttpResponse:
        if request.POST.get("form") == "amendment":
            return perform(
                request,
                lambda: directive_amendment_send(actor=self.actor, sender=self.jurisdiction, directive_id=directive_id),
                success=_("已向收到该任务的辖区推送方案变更。"),
                back=f"/reporting/directives/{directive_id}/",
            )
        return perform(
            request,
            lambda: directive_resend(actor=self.actor, sender=self.jurisdiction, directive_id=directive_id),
            success=_("已重新发送送达失败的指令。"),
            back=f"/reporting/directives/{directive_id}/",
        )


class InboxView(ReceptionPage):
    template_name = "reporting/inbox.html"
    roles = INBOX_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page"] = paginate(self.request, selectors.inbox(target=self.jurisdiction))
        return context


class InboxEntryView(ReceptionPage):
    template_name = "reporting/inbox_entry.html"
    roles = INBOX_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entry"] = selectors.inbox_entry(target=self.jurisdiction, delivery_id=kwargs["delivery_id"])
        context["outcome"] = outcome_text(context["entry"].result)
        context["can_acknowledge"] = self.can(INBOX_ROLES) and context["entry"].status == "delivered"
        return context

    def post(self, request: HttpRequest, delivery_id: int) -> HttpResponse:
        return perform(
            request,
            lambda: delivery_acknowledge(actor=self.actor, target=self.jurisdiction, delivery_id=delivery_id),
            success=_("已确认收到。"),
            back=f"/reporting/inbox/{delivery_id}/",
        )
