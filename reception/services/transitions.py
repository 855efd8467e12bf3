"""The review cycle: submit, return, approve, assign, cancel (which withdraws the task's open orders),
and amend (变更), which reopens an approved plan for the same submit, return and approve.

Each transition locks the task row, checks the role and then the state against the one table
(`reception.models.TRANSITIONS`), writes, records `reception.task.<done>` and publishes the event
after commit. A transition repeated after it succeeded finds the state moved on: 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from core.models import User
from provider_portal.orders.services import orders_withdraw
from provider_portal.selectors import agreed_price_book
from reception.models import TRANSITIONS, Task, TaskAction, TaskStatus
from reception.models.tasks import AMENDMENT_STATUSES, RESUMED, TASK_ACTIONS
from reception.notifications import task_transition_notify
from reception.rules import check_plan
from reception.selectors import standard_in_force, standard_values
from reception.selectors.rules import PLAN_PARTS, plan_input, venue_clashes
from reception.services import amendments
from reception.services.bookings import bookings_free, venue_bookings_sync
from reception.services.common import check_version, lock_task, require_roles, required_text
from reception.services.standards import standards_ensure
from tenants.models import Jurisdiction, Membership, Role


def _state(task: Task) -> dict[str, object]:
    handler = task.handler if task.handler_id else None
    return {"status": task.status, "handler": handler.username if handler is not None else None}


def _transition(
    action: str,
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    version: int | None,
    comment: str = "",
    prepare: Callable[[Task], object] | None = None,
) -> Task:
    """`prepare` checks and writes what the transition carries; for a target that depends on the
    task (`RESUMED`), it answers the state to go to."""
    transition = TRANSITIONS[action]
    task = lock_task(task_id, jurisdiction=jurisdiction)
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=transition.roles)
    if task.status not in transition.sources:
        raise Conflict(
            _("任务当前状态为“%(status)s”，不能%(action)s。")
            % {"status": TaskStatus(task.status).label, "action": TaskAction(action).label},
            code="invalid_transition",
        )
    check_version(task, version)
    before = _state(task)
    target, done = transition.step(task.status)
    resolved = prepare(task) if prepare is not None else None
    task.status = resolved if target == RESUMED and isinstance(resolved, str) else target
    task.version += 1
    task.save()
    audit_action = TASK_ACTIONS[done]
    audit_record(
        actor=actor,
        action=audit_action,
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before=before,
        after=_state(task),
        comment=comment,
    )
    task_transition_notify(
        jurisdiction=jurisdiction, task=task, action=audit_action, done=done, actor=actor, comment=comment
    )
    return task


@transaction.atomic
def task_submit(*, actor: User, jurisdiction: Jurisdiction, task_id: int, version: int | None = None) -> Task:
    """Submit the plan (or its amendment) for review. Rule errors block (400 with the findings);
    the standards version the plan passed is recorded on the task."""

    def check_rules(task: Task) -> None:
        standards_ensure(jurisdiction=jurisdiction)
        standard = standard_in_force(task.start_date)
        prefetch_related_objects([task], *PLAN_PARTS)
        prices = agreed_price_book(jurisdiction=jurisdiction, provider_ids=(i.provider_id for i in task.items.all()))
        plan = plan_input(task, standard=standard_values(standard), prices=prices, clashes=venue_clashes(task))
        checks = check_plan(plan)
        if checks.errors:
            raise RuleViolation(
                _("方案不符合接待规定，不能提交。"), errors=[finding.as_dict() for finding in checks.errors]
            )
        task.standard = standard
        task.submitted_by = actor
        if task.status == TaskStatus.AMENDING:
            amendments.revision_submit(actor=actor, task=task)

    return _transition(
        TaskAction.SUBMIT, actor=actor, jurisdiction=jurisdiction, task_id=task_id, version=version, prepare=check_rules
    )


def require_other_than(user_id: int | None, actor: User, *, message: Any) -> None:
    """Separation of duties: whoever submitted (or drafted) something never approves or returns it."""
    if user_id is not None and user_id == actor.pk:
        raise Forbidden(message, code="separation_of_duties")


SUBMITTER_REVIEWS = _("提交人不能审核自己提交的方案。")


def _with_text(
    action: str, *, text: str, field: str, message: Any, check: Callable[[Task], None] | None = None, **kwargs: Any
) -> Task:
    """A transition whose text (return's comment, cancel's reason) is required and recorded."""

    def require_text(task: Task) -> None:
        if check is not None:
            check(task)
        required_text(text, field=field, message=message)

    return _transition(action, comment=(text or "").strip(), prepare=require_text, **kwargs)


@transaction.atomic
def task_return(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, comment: str, version: int | None = None
) -> Task:
    """Send the plan (or its amendment) back to the drafter; the comment is required and kept in
    the history."""

    def check(task: Task) -> None:
        require_other_than(task.submitted_by_id, actor, message=SUBMITTER_REVIEWS)
        if task.status == TaskStatus.AMENDMENT_SUBMITTED and (comment or "").strip():
            amendments.revision_return(task=task)

    return _with_text(
        TaskAction.RETURN,
        text=comment,
        field="comment",
        message=_("退回时必须填写意见。"),
        check=check,
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task_id,
        version=version,
    )


@transaction.atomic
def task_approve(*, actor: User, jurisdiction: Jurisdiction, task_id: int, version: int | None = None) -> Task:
    """Approve the submitted plan (never by whoever submitted it). An approved amendment takes
    the task back to the state it had before, its orders following in the same transaction."""

    def approve(task: Task) -> str | None:
        require_other_than(task.submitted_by_id, actor, message=SUBMITTER_REVIEWS)
        resumed = None
        if task.status == TaskStatus.AMENDMENT_SUBMITTED:
            resumed = amendments.revision_approve(actor=actor, jurisdiction=jurisdiction, task=task)
        venue_bookings_sync(
            jurisdiction=jurisdiction, task=task
        )  # the approved plan holds its venues (409 booking_conflict)
        return resumed

    return _transition(
        TaskAction.APPROVE, actor=actor, jurisdiction=jurisdiction, task_id=task_id, version=version, prepare=approve
    )


@transaction.atomic
def task_amend(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, reason: str, version: int | None = None
) -> Task:
    """Open an amendment (变更) of an approved or in-progress plan, with its reason (required).
    The plan is editable again; the orders already sent stay in force until it is approved."""
    text = (reason or "").strip()

    def open_revision(task: Task) -> None:
        required_text(text, field="reason", message=_("发起变更时必须填写原因。"))
        amendments.revision_open(actor=actor, task=task, reason=text)

    return _transition(
        TaskAction.AMEND,
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task_id,
        version=version,
        comment=text,
        prepare=open_revision,
    )


@transaction.atomic
def task_assign(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, handler: str, version: int | None = None
) -> Task:
    """Name the handler (a `handler` member of this jurisdiction); the task goes in progress."""
    membership = (
        Membership.objects.select_related("user")
        .filter(jurisdiction=jurisdiction, role=Role.HANDLER, user__username=handler or "", user__is_active=True)
        .first()
    )

    def set_handler(task: Task) -> None:
        if membership is None:
            raise InvalidInput(_("承办人必须是本辖区的承办人员。"), field="handler", code="handler_unknown")
        task.handler = membership.user

    return _transition(
        TaskAction.ASSIGN, actor=actor, jurisdiction=jurisdiction, task_id=task_id, version=version, prepare=set_handler
    )


@transaction.atomic
def task_cancel(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, reason: str, version: int | None = None
) -> Task:
    """Cancel the task, with the reason. Its orders not yet carried out (sent or accepted) are
    withdrawn in the same transaction, keeping the reason; fulfilled ones stay (their cost is
    still reported and approved)."""
    text = (reason or "").strip()

    def withdraw_orders(task: Task) -> None:
        required_text(text, field="reason", message=_("取消时必须填写原因。"))
        # Before the task's audit entry: the order rows are locked before the audit chain's
        # lock, the order every provider action takes them in (else the two could deadlock).
        # The task row is locked already, so no dispatch adds an order meanwhile.
        orders_withdraw(actor=actor, jurisdiction=jurisdiction, task_id=task.pk, reason=text)
        if task.status in AMENDMENT_STATUSES:
            amendments.revision_cancel(task=task)
        bookings_free(jurisdiction=jurisdiction, task=task)

    return _transition(
        TaskAction.CANCEL,
        actor=actor,
        jurisdiction=jurisdiction,
        task_id=task_id,
        version=version,
        comment=text,
        prepare=withdraw_orders,
    )
