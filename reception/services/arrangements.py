"""What the arrangement services share (meetings, schedule, lodging, seating): who may act and when.

Drafters and handlers arrange a task in any state before it is settled (or cancelled): the plan's
own items are frozen at approval, but schedules, rooms and seats change until the visit is over.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, InvalidInput
from core.models import User
from provider_portal.models import Provider
from reception.models import ARRANGEABLE_STATUSES, Task
from reception.selectors import providers_serving
from reception.services.common import lock_task, require_roles
from tenants.models import Jurisdiction, Role

ARRANGE_ROLES = frozenset({Role.DRAFTER, Role.HANDLER})
NOT_ARRANGEABLE = _("任务已结算或已取消，不能再调整安排。")


def lock_arrangeable_task(*, actor: User, jurisdiction: Jurisdiction, task_id: int) -> Task:
    """The drafter's or handler's role, the task row locked, and a state before settlement."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=ARRANGE_ROLES)
    task = lock_task(task_id, jurisdiction=jurisdiction)
    if task.status not in ARRANGEABLE_STATUSES:
        raise Conflict(NOT_ARRANGEABLE, code="not_arrangeable")
    return task


def serving_provider(*, jurisdiction: Jurisdiction, provider_id: Any, field: str = "provider") -> Provider:
    """A provider on this jurisdiction's designated list, or 400 on `field`."""
    provider = providers_serving(jurisdiction=jurisdiction).filter(pk=provider_id).first()
    if provider is None:
        raise InvalidInput(_("该服务单位不在本辖区的定点名单中。"), field=field, code="provider_not_serving")
    return provider


def clean_text(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Trimmed text without NUL bytes and within its length; required unless told otherwise."""
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidInput(_("应为文本。"), field=field, code="invalid")
    if required and not text:
        raise InvalidInput(_("此项不能为空。"), field=field, code="required")
    if len(text) > max_length or "\x00" in text:
        raise InvalidInput(_("内容过长或含有非法字符。"), field=field, code="invalid")
    return text
