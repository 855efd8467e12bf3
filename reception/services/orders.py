"""The handler's side of fulfilment: dispatch orders to providers, complete the task.

Reception dispatches into `provider_portal.orders` (the layer below), never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from core.models import User
from provider_portal.orders.selectors import live_orders_by_item_ids, orders_blocking_completion
from provider_portal.orders.services import orders_send
from provider_portal.selectors import providers_serving
from reception.models import PlanItem, Task, TaskAction
from reception.services.amendments import order_spec
from reception.services.transitions import _transition
from tenants.models import Jurisdiction


@dataclass(frozen=True)
class Reassignment:
    """Re-dispatch a declined (or never sent) item to another designated provider."""

    item: int
    provider: int


@transaction.atomic
def task_dispatch(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    version: int | None = None,
    reassign: list[Reassignment] | None = None,
) -> Task:
    """Send an order for every item with a provider that has none outstanding (first dispatch,
    or after a decline). `reassign` first moves a declined item to another designated provider.
    Nothing left to send is a conflict (409)."""

    def send(task: Task) -> None:
        items = {item.pk: item for item in PlanItem.objects.select_for_update().filter(task=task)}
        live = live_orders_by_item_ids(list(items))
        serving = set(providers_serving(jurisdiction=jurisdiction).values_list("pk", flat=True))
        for change in reassign or []:
            item = items.get(change.item)
            if item is None:
                raise InvalidInput(_("方案事项不存在。"), field="reassign", code="item_unknown")
            if item.pk in live:
                raise Conflict(_("该事项已有未拒绝的订单，不能改派。"), code="already_dispatched")
            if change.provider not in serving:
                raise InvalidInput(
                    _("该服务单位不在本辖区的定点名单中。"), field="reassign", code="provider_not_serving"
                )
            if item.provider_id != change.provider:
                audit_record(
                    actor=actor,
                    action="reception.item.reassigned",
                    jurisdiction_code=jurisdiction.code,
                    obj=item,
                    before={"provider": item.provider_id},
                    after={"provider": change.provider},
                )
                item.provider_id = change.provider
                item.version += 1
                item.save(update_fields=["provider", "version"])
        pending = [item for item in items.values() if item.provider_id is not None and item.pk not in live]
        if not pending:
            raise Conflict(_("没有需要派单的事项（每个指定了服务单位的事项都已派单）。"), code="nothing_to_dispatch")
        orders_send(
            actor=actor,
            jurisdiction=jurisdiction,
            task_id=task.pk,
            task_title=task.title,
            specs=[order_spec(item) for item in sorted(pending, key=lambda i: (i.starts_at, i.pk))],
        )

    return _transition(
        TaskAction.DISPATCH, actor=actor, jurisdiction=jurisdiction, task_id=task_id, version=version, prepare=send
    )


@transaction.atomic
def task_complete(*, actor: User, jurisdiction: Jurisdiction, task_id: int, version: int | None = None) -> Task:
    """Close the reception once every order is fulfilled (or beyond) or declined."""

    def check_orders(task: Task) -> None:
        blocking = orders_blocking_completion(task.pk)
        if blocking:
            raise Conflict(
                _("还有 %(n)s 个订单尚未完成或被拒，不能办结。") % {"n": len(blocking)}, code="orders_outstanding"
            )

    return _transition(
        TaskAction.COMPLETE,
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task_id,
        version=version,
        prepare=check_orders,
    )
