"""Who hears of a task's transitions, and what they read.

Called inside the transition's transaction: `core.notifications.notify` records one row per
recipient and channel there and delivers after commit (with retries), so a refused or rolled-back
transition tells nobody and a committed one is never lost.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import object_history
from core.http import site_url
from core.models import User
from core.notifications import MessageKind, Recipient, notify, register_message_kind
from reception.models import LIST_TRANSITIONS, Guest, ListAction, PlanItem, ReceptionList, Task, TaskStatus
from reception.tokens import CONTACT_RECIPIENT, evaluation_token, itinerary_token, itinerary_url
from tenants.models import Jurisdiction, Membership, Role

#: The flow's messages and the variables of their vendor SMS templates (docs/messages.md).
ARRANGEMENTS = "reception_arrangements"
ITINERARY = "reception_itinerary"
EVALUATION = "reception_evaluation"
for _kind in (
    MessageKind(ARRANGEMENTS, sms_params=("jurisdiction", "title", "start", "end", "url")),
    MessageKind(ITINERARY, sms_params=("jurisdiction", "title", "url")),
    MessageKind(EVALUATION, sms_params=("jurisdiction", "title", "url")),
):
    register_message_kind(_kind)

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
    """Queue the notifications of one transition (in the caller's transaction): the staff who
    must act, and, on approval and completion, the parties outside (arrangements, evaluation links)."""
    if done == "approved":
        arrangements_notify(jurisdiction=jurisdiction, task=task, event=action)
    elif done == "completed":
        evaluation_links_notify(jurisdiction=jurisdiction, task=task)
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
    body += " " + task_url(jurisdiction, task)
    notify(
        recipients=recipients,
        event=action,
        subject=subject,
        body=body,
        jurisdiction_code=jurisdiction.code,
        task_id=task.pk,
        key=f"{action}:{jurisdiction.code}:{task.pk}:{task.version}",
    )


def task_url(jurisdiction: Jurisdiction, task: Task) -> str:
    return site_url(jurisdiction.host, reverse("reception-task", urlconf="config.urls_tenant", args=[task.pk]))


def counterpart_users(*, jurisdiction: Jurisdiction, task: Task) -> list[User]:
    """The task's counterpart unit's users (role counterpart, their unit named as the task's)."""
    members = Membership.objects.filter(
        jurisdiction=jurisdiction, role=Role.COUNTERPART, unit_name=task.counterpart_unit, user__is_active=True
    ).select_related("user")
    return sorted({m.user for m in members}, key=lambda u: u.pk)


def _contact(task: Task) -> Recipient:
    letter = task.letter
    return Recipient(email=letter.contact_email, phone=letter.contact_phone)


def _task_context(jurisdiction: Jurisdiction, task: Task) -> dict[str, object]:
    return {
        "jurisdiction": jurisdiction.name,
        "title": task.title,
        "sending_unit": task.letter.sending_unit,
        "contact_name": task.letter.contact_name,
        "counterpart_unit": task.counterpart_unit,
        "start": task.start_date.isoformat(),
        "end": task.end_date.isoformat(),
    }


def arrangements_notify(*, jurisdiction: Jurisdiction, task: Task, event: str, revision: int | None = None) -> int:
    """ "Arrangements approved or changed" (安排反馈): the visiting unit's contact and the counterpart
    unit's users receive the dates, places and times with the guests' itinerary link; every guest
    with a mobile number receives the link by SMS. Call it in the transaction that approves a plan
    or an amendment (`revision` names the amendment); once per approval (the task's version).
    Answers the number of messages queued."""
    token = itinerary_token(schema=jurisdiction.schema_name, task_id=task.pk, generation=task.itinerary_generation)
    url = itinerary_url(jurisdiction, token)
    items = [
        {
            "when": timezone.localtime(item.starts_at).strftime("%Y-%m-%d %H:%M"),
            "kind": str(item.get_kind_display()),
            "venue": item.venue,
        }
        for item in PlanItem.objects.filter(task=task).order_by("starts_at", "pk")
    ]
    context = {**_task_context(jurisdiction, task), "url": url, "items": items, "revision": revision}
    key = f"arrangements:{jurisdiction.code}:{task.pk}:{task.version}"
    common = {"event": event, "jurisdiction_code": jurisdiction.code, "task_id": task.pk, "context": context}
    parties: list[User | Recipient] = [_contact(task), *counterpart_users(jurisdiction=jurisdiction, task=task)]
    queued = notify(recipients=parties, template=ARRANGEMENTS, key=key, **common)  # type: ignore[arg-type]
    phones = Guest.objects.filter(task=task).exclude(phone="").values_list("phone", flat=True)
    guests = [Recipient(phone=phone) for phone in sorted(set(phones))]
    queued += notify(recipients=guests, template=ITINERARY, channels=("sms",), key=f"{key}:guests", **common)  # type: ignore[arg-type]
    return len(queued)


def evaluation_links_notify(
    *, jurisdiction: Jurisdiction, task: Task, parties: Iterable[str] = ("visiting_unit", "counterpart"), key: str = ""
) -> int:
    """Each party's evaluation link to that party only, one link per recipient (so a rating
    records who filed it): the visiting unit's to the letter's contact, the counterpart's to the
    counterpart unit's users. `key` names the sending (completion, or one resend)."""
    audiences: dict[str, list[tuple[User | Recipient, str]]] = {
        "visiting_unit": [(_contact(task), CONTACT_RECIPIENT)],
        "counterpart": [(u, f"user:{u.pk}") for u in counterpart_users(jurisdiction=jurisdiction, task=task)],
    }
    queued = 0
    for party in parties:
        for recipient, claim in audiences[party]:
            token = evaluation_token(schema=jurisdiction.schema_name, task_id=task.pk, party=party, recipient=claim)
            url = site_url(jurisdiction.host, reverse("reception-evaluate", urlconf="config.urls_tenant", args=[token]))
            queued += len(
                notify(
                    recipients=[recipient],
                    event="reception.task.evaluation_link_sent",
                    template=EVALUATION,
                    context={**_task_context(jurisdiction, task), "url": url, "party": party},
                    jurisdiction_code=jurisdiction.code,
                    task_id=task.pk,
                    key=f"evaluation:{jurisdiction.code}:{task.pk}:{party}:{claim}{key}",
                )
            )
    return queued


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
    body += " " + task_url(jurisdiction, task)
    notify(
        recipients=recipients,
        event=action,
        subject=subject,
        body=body,
        jurisdiction_code=jurisdiction.code,
        task_id=task.pk,
    )
