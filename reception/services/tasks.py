"""Tasks (接待任务): opened from a registered letter, edited while draft or returned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from core.models import User
from reception.models import Letter, LetterStatus, Task, TaskStatus
from reception.models.tasks import PLAN_ROLES
from reception.services.common import check_version, lock_task, require_roles, required_text, snapshot, validated
from tenants.models import Jurisdiction, Role

TASK_CREATE_ROLES = frozenset({Role.COUNTERPART, Role.DRAFTER})
TASK_FIELDS = ("title", "level", "counterpart_unit", "start_date", "end_date", "budget")
NOT_EDITABLE = _("任务当前状态不允许修改方案。")


def _check_dates(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise InvalidInput(_("结束日期不能早于开始日期。"), field="end_date", code="end_before_start")


@transaction.atomic
def task_create(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    letter: Letter | None,
    title: str,
    level: str,
    counterpart_unit: str,
    start_date: date,
    end_date: date,
    budget: Decimal | None = None,
) -> Task:
    """Open a task from a registered letter (无公函不接待); it starts as a draft. One letter, one
    task (一函一单): a letter whose task is not cancelled opens no other (`letter_in_use`)."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=TASK_CREATE_ROLES)
    if letter is not None:
        # The letter's row is locked: two tasks opened at once from it are judged one after the other.
        letter = Letter.objects.select_for_update().filter(pk=letter.pk).first()
    if letter is None or letter.status != LetterStatus.REGISTERED:
        raise InvalidInput(_("必须依据已登记的公函创建接待任务。"), field="letter", code="letter_required")
    in_use = Task.objects.filter(letter=letter).exclude(status=TaskStatus.CANCELLED).order_by("pk").first()
    if in_use is not None:
        raise InvalidInput(
            _("该公函已用于接待任务“%(title)s”（一函一单）；原任务取消后才能另建任务。") % {"title": in_use.title},
            field="letter",
            code="letter_in_use",
        )
    _check_dates(start_date, end_date)
    task = Task(
        letter=letter,
        title=required_text(title, field="title", message=_("请填写任务名称。"), max_length=200),
        level=level,
        counterpart_unit=required_text(
            counterpart_unit, field="counterpart_unit", message=_("请填写对口接待单位。"), max_length=200
        ),
        start_date=start_date,
        end_date=end_date,
        budget=budget,
        status=TaskStatus.DRAFT,
        created_by=actor,
    )
    validated(task).save()
    audit_record(
        actor=actor,
        action="reception.task.created",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"letter": letter.pk, "status": task.status, **snapshot(task, TASK_FIELDS)},
    )
    return task


def lock_editable_task(*, actor: User, jurisdiction: Jurisdiction, task_id: int) -> Task:
    """For plan edits: the drafter's role, the task locked, and a state that allows editing."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=PLAN_ROLES)
    task = lock_task(task_id, jurisdiction=jurisdiction)
    if not task.is_editable:
        raise Conflict(NOT_EDITABLE, code="not_editable")
    return task


@transaction.atomic
def task_update(
    *, actor: User, jurisdiction: Jurisdiction, task_id: int, changes: dict[str, Any], version: int | None = None
) -> Task:
    """Change the task's own fields (title, level, unit, dates, budget) while draft or returned."""
    task = lock_editable_task(actor=actor, jurisdiction=jurisdiction, task_id=task_id)
    check_version(task, version)
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise InvalidInput(_("不能修改该字段。"), field=sorted(unknown)[0], code="read_only")
    before = snapshot(task, changes)
    for name, value in changes.items():
        setattr(task, name, value.strip() if isinstance(value, str) else value)
    for name in ("title", "counterpart_unit"):
        required_text(getattr(task, name), field=name, message=_("此项不能为空。"), max_length=200)
    _check_dates(task.start_date, task.end_date)
    task.version += 1
    validated(task).save()
    audit_record(
        actor=actor,
        action="reception.task.updated",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        before=before,
        after=snapshot(task, changes),
    )
    return task


def task_touch(task: Task) -> None:
    """A plan change is a change of the task: bump its version (its row is locked)."""
    task.version += 1
    task.save(update_fields=["version", "updated_at"])
