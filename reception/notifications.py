"""Who hears of a task's transitions, and what they read.

Called inside the transition's transaction: `core.notifications.notify` records one row per
recipient and channel there and delivers after commit (with retries), so a refused or rolled-back
transition tells nobody and a committed one is never lost.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.audit import object_history
from core.models import User
from core.notifications import notify
from reception.models import LIST_TRANSITIONS, ListAction, ReceptionList, Task, TaskStatus
from tenants.models import Jurisdiction, Membership, Role

#: Who hears of each transition, by role here; the task's creator and its handler by name.
AUDIENCE: dict[str, tuple[str, ...]] = {
    "submitted": (Role.REVIEWER,),
    "returned": (Role.DRAFTER,),
    "approved": (Role.DRAFTER, Role.ADMIN),
    "assigned": (),
    "cancelled": (Role.DRAFTER,),
}
TELLS_CREATOR = frozenset({"returned", "approved", "cancelled"})
TELLS_HANDLER = frozenset({"assigned", "cancelled"})


def task_recipients(*, jurisdiction: Jurisdiction, task: Task, done: str, actor: User) -> list[User]:
    """The audience of a transition, without the person who took it."""
    members = Membership.objects.filter(
        jurisdiction=jurisdiction, role__in=AUDIENCE.get(done, ()), user__is_active=True
    ).select_related("user")
    people = {m.user for m in members}
    if done in TELLS_CREATOR:
        people.add(task.created_by)
    if done in TELLS_HANDLER and task.handler is not None:
        people.add(task.handler)
    return sorted((p for p in people if p.pk != actor.pk and p.is_active), key=lambda p: p.pk)


def task_transition_notify(
    *, jurisdiction: Jurisdiction, task: Task, action: str, done: str, actor: User, comment: str
) -> None:
    """Queue the notifications of one transition (in the caller's transaction)."""
    recipients = task_recipients(jurisdiction=jurisdiction, task=task, done=done, actor=actor)
    if not recipients:
        return
    status = TaskStatus(task.status).label
    subject = _("接待任务“%(title)s”%(status)s") % {"title": task.title, "status": status}
    body = _("%(jurisdiction)s的接待任务“%(title)s”现为“%(status)s”（%(actor)s）。") % {
        "jurisdiction": jurisdiction.name,
        "title": task.title,
        "status": status,
        "actor": actor.label,
    }
    if comment:
        body += _("意见：%(comment)s") % {"comment": comment}
    body += f" {jurisdiction.host}/reception/tasks/{task.pk}/"
    notify(recipients=recipients, event=action, subject=subject, body=body, jurisdiction_code=jurisdiction.code)


def list_drafters(*, jurisdiction: Jurisdiction, task: Task, reception_list: ReceptionList) -> set[int]:
    """Who drafted or redrafted the task's list (from its audit history), and its last drafter."""
    drafted = {"reception.list.drafted", "reception.list.redrafted"}
    entries = object_history(jurisdiction_code=jurisdiction.code, object_type="reception.task", object_id=task.pk)
    return {e.actor_id for e in entries if e.action in drafted and e.actor_id} | {reception_list.drafted_by_id}


def reception_list_returned_notify(
    *, jurisdiction: Jurisdiction, task: Task, reception_list: ReceptionList, action: str, actor: User, comment: str
) -> None:
    """Tell the list's drafters (still drafter or finance here) that the reviewer returned it, and why."""
    members = Membership.objects.filter(
        jurisdiction=jurisdiction,
        role__in=LIST_TRANSITIONS[ListAction.DRAFT].roles,
        user_id__in=list_drafters(jurisdiction=jurisdiction, task=task, reception_list=reception_list),
        user__is_active=True,
    ).select_related("user")
    recipients = sorted({m.user for m in members if m.user_id != actor.pk}, key=lambda p: p.pk)
    if not recipients:
        return
    subject = _("接待任务“%(title)s”的接待清单已退回") % {"title": task.title}
    body = _("%(jurisdiction)s的接待任务“%(title)s”的接待清单已被退回（%(actor)s），请修改后重新编制。") % {
        "jurisdiction": jurisdiction.name,
        "title": task.title,
        "actor": actor.label,
    }
    body += _("意见：%(comment)s") % {"comment": comment}
    body += f" {jurisdiction.host}/reception/tasks/{task.pk}/"
    notify(recipients=recipients, event=action, subject=subject, body=body, jurisdiction_code=jurisdiction.code)
