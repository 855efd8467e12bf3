"""The reception workflow's part in finance's review of reported costs, registered into
`provider_portal.orders.review` from `ReceptionConfig.ready()`:

- the judge: a reported cost held to the standards its plan was judged by (`reception.rules_costs`);
- the reopen guard: an approved cost reopens only while the task's reception list can still be
  corrected (none drafted yet, or returned by its reviewer), never once the list is under review
  or approved.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict
from provider_portal.orders.models import Order, OrderCostLine
from provider_portal.orders.review import CostReview
from reception.models import ListStatus, ReceptionList, Task, TaskStatus
from reception.selectors.rules import order_cost_findings
from tenants.models import Jurisdiction


def cost_judge(jurisdiction: Jurisdiction, order: Order, lines: list[OrderCostLine]) -> list[dict[str, Any]]:
    return [
        {**finding.as_dict(), "severity": str(finding.severity)}
        for finding in order_cost_findings(jurisdiction=jurisdiction, order=order, lines=lines)
    ]


def reopen_guard(jurisdiction: Jurisdiction, order: Order) -> None:
    status = Task.objects.filter(pk=order.task_id).values_list("status", flat=True).first()
    if status == TaskStatus.SETTLED:
        raise Conflict(_("接待清单已审核，任务已结算，费用不能重新打开。"), code="list_approved")
    reception_list = ReceptionList.objects.filter(task_id=order.task_id).values_list("status", flat=True).first()
    if reception_list == ListStatus.APPROVED:
        raise Conflict(_("接待清单已审核，任务已结算，费用不能重新打开。"), code="list_approved")
    if reception_list == ListStatus.DRAFT:
        raise Conflict(
            _("接待清单正在审核中：请审核人先退回清单，再重新打开费用。"),
            code="list_under_review",
        )


REVIEW = CostReview(judge=cost_judge, reopen_guard=reopen_guard)
