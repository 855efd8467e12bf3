"""The schedule (日程表): entries added, changed and removed in any state before settlement.

Every change is one transaction: the task row locked, the entry's version checked, the change
written, one `ScheduleChange` row (who, when, before, after) and one audit entry
(`reception.schedule.created|updated|deleted`). Once the plan is approved, guests with phones
and the providers the entry concerns are told of the change (delivered after commit).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound
from core.models import User
from core.notifications import Recipient, notify
from provider_portal.models import Provider
from reception.models import PlanItem, ScheduleChange, ScheduleEntry, Task
from reception.models.schedule import SCHEDULE_FIELDS
from reception.models.tasks import AMENDMENT_STATUSES, PLAN_ROLES
from reception.selectors import ITINERARY_STATUSES
from reception.selectors.revisions import approved_plan
from reception.services.arrangements import clean_text, lock_arrangeable_task, serving_provider
from reception.services.common import check_version, require_roles, validated
from reception.tokens import itinerary_token, itinerary_url
from tenants.models import Jurisdiction

MISSING = gettext_lazy("日程不存在。")
#: The audit action of each change to a schedule entry; the same name is the event of the
#: notifications it sends and the `action` the history API answers.
SCHEDULE_ACTIONS: dict[str, str] = {
    ScheduleChange.Action.CREATED: "reception.schedule.created",
    ScheduleChange.Action.UPDATED: "reception.schedule.updated",
    ScheduleChange.Action.DELETED: "reception.schedule.deleted",
}


def entry_state(entry: ScheduleEntry) -> dict[str, Any]:
    """An entry as history and audit keep it (times in ISO 8601 with their offset)."""
    return {
        "starts_at": timezone.localtime(entry.starts_at).isoformat(),
        "ends_at": timezone.localtime(entry.ends_at).isoformat(),
        "title": entry.title,
        "venue": entry.venue,
        "provider": entry.provider_id,
        "note": entry.note,
    }


def _clean(jurisdiction: Jurisdiction, values: dict[str, Any], changed: set[str]) -> dict[str, Any]:
    out = {
        "starts_at": values["starts_at"],
        "ends_at": values["ends_at"],
        "title": clean_text(values.get("title"), field="title", max_length=200),
        "venue": clean_text(values.get("venue"), field="venue", max_length=200),
        "note": clean_text(values.get("note"), field="note", max_length=500, required=False),
    }
    if out["ends_at"] < out["starts_at"]:
        raise InvalidInput(gettext_lazy("结束时间不能早于开始时间。"), field="ends_at", code="end_before_start")
    provider = values.get("provider")
    if "provider" in changed and provider is not None:
        out["provider_id"] = serving_provider(jurisdiction=jurisdiction, provider_id=provider).pk
    elif "provider" in changed:
        out["provider_id"] = None
    return out


def _locked_entry(task: Task, entry_id: int) -> ScheduleEntry:
    entry = ScheduleEntry.objects.select_for_update().filter(pk=entry_id, task=task).first()
    if entry is None:
        raise NotFound(MISSING)
    return entry


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _change_text(action: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    def line(state: dict[str, Any]) -> str:
        starts = datetime.fromisoformat(state["starts_at"])
        ends = datetime.fromisoformat(state["ends_at"])
        return f"{_when(starts)}–{ends.strftime('%H:%M')} {state['title']}（{state['venue']}）"

    if action == ScheduleChange.Action.CREATED:
        return _("新增日程：%(entry)s") % {"entry": line(after or {})}
    if action == ScheduleChange.Action.DELETED:
        return _("取消日程：%(entry)s") % {"entry": line(before or {})}
    return _("日程调整：%(before)s → %(after)s") % {"before": line(before or {}), "after": line(after or {})}


def _providers(ids: set[int]) -> list[Provider]:
    return list(Provider.objects.filter(pk__in=ids).prefetch_related("staff__user"))


def _notify(
    *, jurisdiction: Jurisdiction, task: Task, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> int:
    """Tell guests (SMS) and the entry's providers (staff and contact phone) once the plan is approved."""
    if task.status not in ITINERARY_STATUSES:
        return 0
    text = _change_text(action, before, after)
    token = itinerary_token(schema=jurisdiction.schema_name, task_id=task.pk, generation=task.itinerary_generation)
    subject = _("“%(title)s”日程变更") % {"title": task.title}
    guests = [Recipient(phone=phone) for phone in task.guests.exclude(phone="").values_list("phone", flat=True)]
    sent = notify(
        recipients=guests,
        event=SCHEDULE_ACTIONS[action],
        subject=subject,
        body=f"{text} {_('最新行程：')} {itinerary_url(jurisdiction, token)}",
        jurisdiction_code=jurisdiction.code,
        task_id=task.pk,
        channels=("sms",),
    )
    provider_ids = {state["provider"] for state in (before, after) if state and state.get("provider")}
    recipients: list[User | Recipient] = []
    for provider in _providers(provider_ids):
        staff = [member.user for member in provider.staff.all() if member.user.is_active]
        recipients.extend(staff)
        if provider.contact_phone and provider.contact_phone not in {user.phone for user in staff}:
            recipients.append(Recipient(phone=provider.contact_phone))
    sent += notify(
        recipients=recipients,
        event=SCHEDULE_ACTIONS[action],
        subject=subject,
        body=f"{jurisdiction.name} {subject}：{text}",
        jurisdiction_code=jurisdiction.code,
        task_id=task.pk,
    )
    return len(sent)


def _record(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task: Task,
    entry_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> ScheduleChange:
    notified = _notify(jurisdiction=jurisdiction, task=task, action=action, before=before, after=after)
    change = ScheduleChange.objects.create(
        task=task, entry_id=entry_id, action=action, actor=actor, before=before, after=after, notified=notified
    )
    audit_record(
        actor=actor,
        action=SCHEDULE_ACTIONS[action],
        jurisdiction_code=jurisdiction.code,
        object_type="reception.scheduleentry",
        object_id=entry_id,
        before=None if before is None else {"task": task.pk, **before},
        after=None if after is None else {"task": task.pk, **after},
    )
    return change


#: What an entry for a plan item shares with it.
LINKED_FIELDS = ("starts_at", "ends_at", "venue")
LINKED = gettext_lazy("该日程对应方案事项，方案已批准：请发起变更修改其时间或地点。")
LINKED_AMENDING = gettext_lazy("该日程对应方案事项，变更审核期间请在方案中修改该事项，变更批准后日程随之更新。")


def _item_follow_entry(*, actor: User, jurisdiction: Jurisdiction, task: Task, entry: ScheduleEntry) -> None:
    """A linked entry's new time or venue is the item's too, while the plan may be edited (by
    whoever edits the plan); after approval it changes only by an amendment (409 `item_linked`)."""
    if task.status in AMENDMENT_STATUSES:  # the approved plan stays in force until it is approved
        raise Conflict(LINKED_AMENDING, code="item_linked")
    if not task.is_editable:
        raise Conflict(LINKED, code="item_linked")
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=PLAN_ROLES)
    assert entry.item_id is not None
    item = PlanItem.objects.select_for_update().get(pk=entry.item_id)
    before = {name: getattr(item, name) for name in LINKED_FIELDS}
    item.starts_at, item.ends_at, item.venue = entry.starts_at, entry.ends_at, entry.venue
    item.version += 1
    item.save(update_fields=[*LINKED_FIELDS, "version"])
    audit_record(
        actor=actor,
        action="reception.item.updated",
        jurisdiction_code=jurisdiction.code,
        obj=item,
        before={"task": task.pk, **before},
        after={"task": task.pk, **{name: getattr(item, name) for name in LINKED_FIELDS}},
    )


def schedule_follow_item(*, actor: User, jurisdiction: Jurisdiction, task: Task, item: PlanItem) -> None:
    """The entries for a plan item take its new time and venue (an entry keeps its length when
    the item has no end); each change is kept in the schedule's history (in the caller's
    transaction, the task locked). While an amendment is open the entries keep the approved
    plan's: its approval makes them follow (`schedule_follow_items`)."""
    schedule_follow_items(actor=actor, jurisdiction=jurisdiction, task=task, items=[item])


def schedule_follow_items(*, actor: User, jurisdiction: Jurisdiction, task: Task, items: list[PlanItem]) -> None:
    """`schedule_follow_item` for many items: their entries read and locked in one query."""
    by_id = {item.pk: item for item in items}
    if not by_id:
        return
    for entry in ScheduleEntry.objects.select_for_update().filter(item_id__in=list(by_id)).order_by("pk"):
        item = by_id[entry.item_id]  # type: ignore[index]
        before = entry_state(entry)
        length = entry.ends_at - entry.starts_at
        entry.starts_at, entry.venue = item.starts_at, item.venue
        entry.ends_at = item.ends_at or item.starts_at + length
        after = entry_state(entry)
        if after == before:
            continue
        entry.version += 1
        entry.save(update_fields=["starts_at", "ends_at", "venue", "version", "updated_at"])
        _record(
            actor=actor,
            jurisdiction=jurisdiction,
            task=task,
            entry_id=entry.pk,
            action=ScheduleChange.Action.UPDATED,
            before=before,
            after=after,
        )


@transaction.atomic
def schedule_entry_add(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    venue: str,
    provider: int | None = None,
    note: str = "",
    item: int | None = None,
) -> ScheduleEntry:
    """Add an entry (drafter or handler, any state before settlement). An entry for a plan item
    (`item`) takes the item's time and venue, and stays in step with it."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    linked = None
    if item is not None:
        linked = PlanItem.objects.filter(pk=item, task=task).first()
        # While an amendment is open the entry shows the item as approved (one it added: none yet).
        approved = next((i for i in approved_plan(task, ("items",)).items if i.pk == item), None) if linked else None
        if linked is None or approved is None:
            raise InvalidInput(gettext_lazy("方案事项不存在。"), field="item", code="not_found")
        length = max(ends_at - starts_at, timedelta(0))  # kept when the item has no end
        starts_at, venue = approved.starts_at, approved.venue
        ends_at = approved.ends_at or starts_at + length
    values = {"starts_at": starts_at, "ends_at": ends_at, "title": title, "venue": venue, "provider": provider}
    entry = ScheduleEntry(
        task=task, created_by=actor, item=linked, **_clean(jurisdiction, {**values, "note": note}, set(values))
    )
    validated(entry).save()
    _record(
        actor=actor,
        jurisdiction=jurisdiction,
        task=task,
        entry_id=entry.pk,
        action=ScheduleChange.Action.CREATED,
        before=None,
        after=entry_state(entry),
    )
    return entry


@transaction.atomic
def schedule_entry_update(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    task_id: int,
    entry_id: int,
    changes: dict[str, Any],
    version: int | None = None,
) -> ScheduleEntry:
    """Change an entry; a stale `version` answers 409, none writes anyway."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    entry = _locked_entry(task, entry_id)
    check_version(entry, version)
    unknown = set(changes) - set(SCHEDULE_FIELDS)
    if unknown:
        raise InvalidInput(gettext_lazy("不能修改该字段。"), field=sorted(unknown)[0], code="read_only")
    before = entry_state(entry)
    current = {name: getattr(entry, name) for name in SCHEDULE_FIELDS if name != "provider"}
    for name, value in _clean(jurisdiction, {**current, **changes}, set(changes)).items():
        setattr(entry, name, value)
    after = entry_state(entry)
    if after == before:
        return entry  # nothing changed: no new version, no history, nobody told
    if entry.item_id is not None and any(after[name] != before[name] for name in LINKED_FIELDS):
        _item_follow_entry(actor=actor, jurisdiction=jurisdiction, task=task, entry=entry)
    entry.version += 1
    validated(entry).save()
    _record(
        actor=actor,
        jurisdiction=jurisdiction,
        task=task,
        entry_id=entry.pk,
        action=ScheduleChange.Action.UPDATED,
        before=before,
        after=after,
    )
    return entry


@transaction.atomic
def schedule_entry_delete(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, entry_id: int, version: int | None = None
) -> None:
    """Remove an entry; its history stays."""
    task = lock_arrangeable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    entry = _locked_entry(task, entry_id)
    check_version(entry, version)
    before = entry_state(entry)
    entry.delete()
    _record(
        actor=actor,
        jurisdiction=jurisdiction,
        task=task,
        entry_id=entry_id,
        action=ScheduleChange.Action.DELETED,
        before=before,
        after=None,
    )
