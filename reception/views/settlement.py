"""Settlement on the web: finance reviews costs, the list is drafted, approved and printed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db.replica import reporting_reads
from core.errors import NotFound
from provider_portal.orders import services as order_services
from provider_portal.orders.models import ORDER_TRANSITIONS
from provider_portal.orders.selectors import order_detail
from reception.models import LIST_TRANSITIONS, ListAction, ListStatus
from reception.models.common import TEXT_MAX
from reception.selectors import rules as selectors_rules
from reception.selectors import settlement as reads
from reception.services import evaluations, settlement
from reception.settlement_pdf import reception_list_pdf, reimbursement_bundle_pdf
from reception.views.base import ReceptionPage, perform
from tenants.models import STAFF_ROLES


class CostReturnForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("退回意见"), max_length=2000)


class CostReopenForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("重新打开的原因"), max_length=2000)


class ListReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("退回意见"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


def settlement_context(page: ReceptionPage, task: Any) -> dict[str, Any]:
    """What the task page shows of fulfilment and settlement."""
    orders = reads.orders_of_task(task.pk) if page.access.can_read(STAFF_ROLES) else []
    try:
        reception_list = reads.reception_list_view(task.pk)
    except NotFound:
        reception_list = None
    list_status = reception_list.reception_list.status if reception_list is not None else None
    reviewable = list_status == ListStatus.DRAFT and task.status == "completed"
    if orders:
        # Each reported cost beside its order, judged as finance's approval will judge it.
        plan = selectors_rules.task_plan_input(task, jurisdiction=page.jurisdiction)
        found = selectors_rules.costs_findings({task.pk: plan}).get(task.pk, [])
        for order in orders:
            order.cost_findings = [f for f in found if f.item == order.item_id]  # type: ignore[attr-defined]
    links: dict[str, str] = {}
    if page.access.can_write(evaluations.EVALUATION_LINK_ROLES):  # own staff: previews, never usable links
        tokens = evaluations.evaluation_preview_tokens(jurisdiction=page.jurisdiction, task=task)
        links = {party: page.request.build_absolute_uri(f"/evaluate/{token}/") for party, token in tokens.items()}
    return {
        "orders": orders,
        "reception_list": reception_list,
        "can_review_costs": page.can(order_services.FINANCE_ROLES),
        # The states an order's cost is approved or returned from, and reopened from (the order's table).
        "cost_reviewable": ORDER_TRANSITIONS["approve_cost"].sources | ORDER_TRANSITIONS["return_cost"].sources,
        "cost_reopenable": ORDER_TRANSITIONS["reopen_cost"].sources,
        # An approved cost reopens while the list can still be corrected (none yet, or returned).
        "can_reopen_costs": page.can(order_services.FINANCE_ROLES)
        and list_status in (None, ListStatus.RETURNED)
        and task.status != "settled",
        "cost_reopen_form": CostReopenForm(auto_id="cost_reopen_%s"),
        "can_draft_list": page.can(settlement.LIST_DRAFT_ROLES) and task.status == "completed",
        "can_approve_list": reviewable and page.can(LIST_TRANSITIONS[ListAction.APPROVE].roles),
        "can_return_list": reviewable and page.can(LIST_TRANSITIONS[ListAction.RETURN].roles),
        "list_return_form": ListReturnForm(auto_id="list_return_%s"),  # its own ids next to the cost form
        "evaluation_links": links,
        "can_resend_evaluation_links": page.can(evaluations.EVALUATION_RESEND_ROLES)
        and task.status in evaluations.RESENDABLE_STATUSES,
        "evaluations": reads.evaluation_summary(task),
        "cost_return_form": CostReturnForm(),
    }


class OrderCostView(ReceptionPage):
    """Finance approves or returns an order's reported cost from the task page."""

    roles_by_method = {"POST": order_services.FINANCE_ROLES}
    http_method_names = ["post"]

    def post(self, request: HttpRequest, order_id: UUID, decision: str) -> HttpResponse:
        if decision not in ("approve", "return", "reopen"):
            raise Http404
        order = order_detail(order_id)
        back = f"/reception/tasks/{order.task_id}/"
        if decision == "approve":
            return perform(
                request,
                lambda: order_services.order_cost_approve(
                    actor=self.actor, jurisdiction=self.jurisdiction, order_id=order_id
                ),
                success=_("费用已审核通过。"),
                back=back,
            )
        if decision == "reopen":
            reopen = CostReopenForm(request.POST)
            if not reopen.is_valid():
                messages.error(request, _("重新打开时必须填写原因。"), extra_tags="required")
                return HttpResponseRedirect(back, status=303)
            return perform(
                request,
                lambda: order_services.order_cost_reopen(
                    actor=self.actor,
                    jurisdiction=self.jurisdiction,
                    order_id=order_id,
                    reason=reopen.cleaned_data["reason"],
                ),
                success=_("费用已重新打开，可重新审核或退回服务单位。"),
                back=back,
            )
        form = CostReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("退回时必须填写意见。"), extra_tags="required")
            return HttpResponseRedirect(back, status=303)
        return perform(
            request,
            lambda: order_services.order_cost_return(
                actor=self.actor,
                jurisdiction=self.jurisdiction,
                order_id=order_id,
                comment=form.cleaned_data["comment"],
            ),
            success=_("费用已退回服务单位。"),
            back=back,
        )


class EvaluationLinksResendView(ReceptionPage):
    """Send the parties' evaluation links again from the task page (audited)."""

    roles_by_method = {"POST": evaluations.EVALUATION_RESEND_ROLES}
    http_method_names = ["post"]

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        return perform(
            request,
            lambda: evaluations.evaluation_links_resend(
                actor=self.actor, jurisdiction=self.jurisdiction, task_id=task_id
            ),
            success=_("评价链接已重新发送给评价方。"),
            back=f"/reception/tasks/{task_id}/",
        )


class ReceptionListActionView(ReceptionPage):
    """Draft (drafter or finance), approve or return (reviewer) the reception list from the task page."""

    roles_by_method = {"POST": settlement.LIST_DRAFT_ROLES | settlement.LIST_REVIEW_ROLES}
    http_method_names = ["post"]

    def post(self, request: HttpRequest, task_id: int, decision: str) -> HttpResponse:
        if decision not in ("draft", "approve", "return"):
            raise Http404
        back = f"/reception/tasks/{task_id}/"
        if decision == "return":
            # The service checks the role, the state and the comment (blank or too long: a message).
            return perform(
                request,
                lambda: settlement.reception_list_return(
                    actor=self.actor,
                    jurisdiction=self.jurisdiction,
                    task_id=task_id,
                    comment=request.POST.get("comment", ""),
                ),
                success=_("接待清单已退回编制人。"),
                back=back,
            )
        if decision == "approve":
            return perform(
                request,
                lambda: settlement.reception_list_approve(
                    actor=self.actor, jurisdiction=self.jurisdiction, task_id=task_id
                ),
                success=_("接待清单已审核，任务已结算。"),
                back=back,
            )
        return perform(
            request,
            lambda: settlement.reception_list_draft(actor=self.actor, jurisdiction=self.jurisdiction, task_id=task_id),
            success=_("接待清单已编制。"),
            back=back,
        )


class ReceptionListPdfView(ReceptionPage):
    """The list (or the reimbursement bundle) as a PDF."""

    roles = STAFF_ROLES
    bundle = False

    @reporting_reads()
    def get(self, request: HttpRequest, task_id: int) -> HttpResponse:
        view = reads.reception_list_view(task_id)
        if self.bundle:
            content = reimbursement_bundle_pdf(
                view, reads.invoices_of(task_id), jurisdiction_name=self.jurisdiction.name
            )
            name = f"reimbursement-{task_id}.pdf"
        else:
            content = reception_list_pdf(view, jurisdiction_name=self.jurisdiction.name)
            name = f"reception-list-{task_id}.pdf"
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
