"""Settlement: the reception list drafted from approved costs, then approved by a reviewer (→ task
`settled`) or returned to its drafters with a comment and redrafted. The list's states and who may
move them are `reception.models.LIST_TRANSITIONS`."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict
from core.models import User
from core.transitions import transition_require
from provider_portal.orders.models import PaymentMethod
from provider_portal.orders.selectors import approved_cost_by_item, orders_not_approved
from reception.models import (
    LIST_TRANSITIONS,
    NO_LIST,
    ItemKind,
    ListAction,
    ListStatus,
    MealType,
    Payer,
    PlanItem,
    ReceptionList,
    ReceptionListLine,
    RoomType,
    Task,
    TaskAction,
    TaskStatus,
)
from reception.notifications import reception_list_returned_notify
from reception.services.common import lock_task, require_roles, required_text
from reception.services.transitions import _transition, require_other_than
from tenants.models import Jurisdiction

LIST_DRAFT_ROLES = LIST_TRANSITIONS[ListAction.DRAFT].roles
LIST_REVIEW_ROLES = LIST_TRANSITIONS[ListAction.RETURN].roles | LIST_TRANSITIONS[ListAction.APPROVE].roles
ZERO = Decimal("0.00")

#: Why an action does not fit the list's state: (list state → (code, message)); NO_LIST: none drafted.
_REFUSALS: dict[str, dict[str, tuple[str, str | Promise]]] = {
    ListAction.DRAFT: {ListStatus.APPROVED: ("list_approved", _("接待清单已审核，不能重新编制。"))},
    ListAction.RETURN: {
        NO_LIST: ("list_missing", _("尚未编制接待清单。")),
        ListStatus.RETURNED: ("invalid_transition", _("接待清单已退回，等待重新编制。")),
        ListStatus.APPROVED: ("invalid_transition", _("接待清单已审核，不能退回。")),
    },
    ListAction.APPROVE: {
        NO_LIST: ("list_missing", _("尚未编制接待清单。")),
        ListStatus.RETURNED: ("invalid_transition", _("接待清单已退回，重新编制后才能审核。")),
        ListStatus.APPROVED: ("invalid_transition", _("接待清单已审核。")),
    },
}


def _lock_list(task: Task) -> ReceptionList | None:
    return ReceptionList.objects.select_for_update().filter(task=task).first()


def _require_list_state(action: str, reception_list: ReceptionList | None) -> None:
    """The list's state must be a source of `action` in the table (409 otherwise)."""
    state = reception_list.status if reception_list is not None else NO_LIST
    code, message = _REFUSALS[action].get(state, ("invalid_transition", _("接待清单当前状态不允许此操作。")))
    transition_require(LIST_TRANSITIONS, action, state, message=message, code=code)


def _reviewable_list(action: str, task: Task, actor: User) -> ReceptionList:
    """The task's list, locked, in a state `action` (return or approve: a drafted list) accepts,
    reviewed by someone other than whoever drafted it (separation of duties: 403)."""
    reception_list = _lock_list(task)
    _require_list_state(action, reception_list)
    if reception_list is None:  # NO_LIST is no source of a review: refused above
        raise Conflict(_("尚未编制接待清单。"), code="list_missing")
    require_other_than(reception_list.drafted_by_id, actor, message=_("编制人不能审核自己编制的接待清单。"))
    return reception_list


def item_activity(item: PlanItem) -> str:
    """The list's wording of an item: 午餐（工作餐）, 住宿·标准间 ×3, 用车 ×2 …"""
    label = str(ItemKind(item.kind).label)
    if item.kind == ItemKind.MEAL and item.meal_type:
        label = str(MealType(item.meal_type).label)
        if item.working_meal:
            label += "（工作餐）"
        return f"{label} {item.guests_count + item.accompanying_count}人"
    if item.kind == ItemKind.LODGING and item.room_type:
        label += "·" + str(RoomType(item.room_type).label)
    return f"{label} ×{item.quantity}"


@transaction.atomic
def reception_list_draft(*, actor: User, jurisdiction: Jurisdiction, task_id: int) -> ReceptionList:
    """Draft (or redraft, while not approved: also after a return) the list of a completed task
    from its approved costs.

    An item whose order's cost is approved counts that cost; any other item (no provider, or
    declined and not sent again) its planned amount, as `reception.figures.task_costs` counts it.
    Every non-declined order must have its cost approved."""
    task = lock_task(task_id, jurisdiction=jurisdiction)
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=LIST_DRAFT_ROLES)
    if task.status != TaskStatus.COMPLETED:
        raise Conflict(_("任务办结后才能编制接待清单。"), code="invalid_transition")
    existing = _lock_list(task)
    _require_list_state(ListAction.DRAFT, existing)
    before = {"status": existing.status} if existing is not None else None
    waiting = orders_not_approved(task.pk)
    if waiting:
        raise Conflict(
            _("还有 %(n)s 个订单的费用未审核，不能编制接待清单。") % {"n": len(waiting)}, code="costs_not_approved"
        )
    approved = approved_cost_by_item(task.pk)
    methods = dict(PaymentMethod.choices)
    lines = []
    for item in PlanItem.objects.filter(task=task).select_related("provider").order_by("starts_at", "id"):
        order = approved.get(item.pk)
        cost = getattr(order, "cost", None) if order is not None else None
        lines.append(
            ReceptionListLine(
                item_id=item.pk,
                order_id=order.pk if order is not None else None,
                activity=item_activity(item),
                starts_at=item.starts_at,
                venue=item.venue,
                provider_name=order.provider.name
                if order is not None
                else (item.provider.name if item.provider else ""),
                invoice_number=cost.invoice_number if cost is not None else "",
                payment_method="、".join(
                    sorted({str(methods[line.payment_method]) for line in cost.lines.all()}) if cost is not None else []
                ),
                cost=order.cost_amount if order is not None and order.cost_amount is not None else item.amount,
                payer=item.payer,
            )
        )
    # The list's total is the host's spending; what the guests paid themselves is kept apart.
    total = sum((line.cost for line in lines if line.payer == Payer.HOST), ZERO)
    guest_paid_total = sum((line.cost for line in lines if line.payer == Payer.GUEST), ZERO)
    letter = task.letter
    values = {
        "status": LIST_TRANSITIONS[ListAction.DRAFT].target,
        "letter_number": letter.number,
        "sending_unit": letter.sending_unit,
        "total": total,
        "guest_paid_total": guest_paid_total,
        "drafted_by": actor,
        "drafted_at": timezone.now(),
    }
    if existing is None:
        reception_list = ReceptionList.objects.create(task=task, **values)
    else:
        reception_list = existing
        for name, value in values.items():
            setattr(reception_list, name, value)
        reception_list.save()
        reception_list.lines.all().delete()
    for line in lines:
        line.reception_list = reception_list
    ReceptionListLine.objects.bulk_create(lines)
    audit_record(
        actor=actor,
        action="reception.list.drafted" if existing is None else "reception.list.redrafted",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before=before,
        after={
            "status": reception_list.status,
            "total": total,
            "guest_paid_total": guest_paid_total,
            "lines": len(lines),
        },
    )
    return reception_list


@transaction.atomic
def reception_list_return(*, actor: User, jurisdiction: Jurisdiction, task_id: int, comment: str) -> ReceptionList:
    """A reviewer sends the drafted list back with a required comment; the task stays `completed`
    and its drafters (whoever drafted or redrafted it) are told after commit. They redraft it."""
    transition = LIST_TRANSITIONS[ListAction.RETURN]
    task = lock_task(task_id, jurisdiction=jurisdiction)
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=transition.roles)
    reception_list = _reviewable_list(ListAction.RETURN, task, actor)
    if task.status != TaskStatus.COMPLETED:
        raise Conflict(_("任务办结后才能审核接待清单。"), code="invalid_transition")
    text = required_text(comment, field="comment", message=_("退回时必须填写意见。"))
    before = {"status": reception_list.status}
    reception_list.status = transition.target
    reception_list.return_comment = text
    reception_list.returned_by = actor
    reception_list.returned_at = timezone.now()
    reception_list.save(update_fields=["status", "return_comment", "returned_by", "returned_at"])
    action = "reception.list.returned"  # LIST_TRANSITIONS[RETURN]
    audit_record(
        actor=actor,
        action=action,
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before=before,
        after={"status": reception_list.status, "total": reception_list.total},
        comment=text,
    )
    reception_list_returned_notify(
        jurisdiction=jurisdiction, task=task, reception_list=reception_list, action=action, actor=actor, comment=text
    )
    return reception_list


@transaction.atomic
def reception_list_approve(*, actor: User, jurisdiction: Jurisdiction, task_id: int) -> Task:
    """A reviewer approves the drafted list; the list becomes final and the task `settled`."""

    def approve(task: Task) -> None:
        reception_list = _reviewable_list(ListAction.APPROVE, task, actor)
        reception_list.status = LIST_TRANSITIONS[ListAction.APPROVE].target
        reception_list.approved_by = actor
        reception_list.approved_at = timezone.now()
        reception_list.save()
        audit_record(
            actor=actor,
            action="reception.list.approved",
            jurisdiction_code=jurisdiction.code,
            obj=task,
            after={"total": reception_list.total},
        )

    return _transition(
        TaskAction.SETTLE, actor=actor, jurisdiction=jurisdiction, task_id=task_id, version=None, prepare=approve
    )
