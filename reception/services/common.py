"""What every reception service does first: check the schema, the role, the row and its version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.models import User
from reception.models import Task
from reception.models.common import TEXT_MAX
from tenants.models import Jurisdiction
from tenants.permissions import access_for
from tenants.schema import current_schema

STALE_MESSAGE = _("该记录已被他人修改，请刷新后重试。")


def require_schema(jurisdiction: Jurisdiction) -> None:
    """Services act in the jurisdiction they are told; the caller must have activated its schema."""
    if current_schema() != jurisdiction.schema_name:
        raise RuntimeError(f"service for {jurisdiction.code} called in schema {current_schema()}")


def require_roles(*, actor: User | None, jurisdiction: Jurisdiction, roles: Iterable[str]) -> None:
    """The actor must hold one of `roles` in `jurisdiction` (oversight never writes)."""
    require_schema(jurisdiction)
    if actor is None or not access_for(actor, jurisdiction).can_write(roles):
        raise Forbidden(_("您在该辖区没有执行此操作的权限。"))


def lock_task(task_id: int, *, jurisdiction: Jurisdiction) -> Task:
    """The task row, locked until the transaction ends (only the task's own row)."""
    require_schema(jurisdiction)
    task = Task.objects.select_for_update(of=("self",)).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("接待任务不存在。"))
    return task


def check_version(obj: Any, version: int | None) -> None:
    """A stale `version` (the client edited an older copy) is a conflict; none means 'write anyway'."""
    if version is not None and version != obj.version:
        raise Conflict(STALE_MESSAGE, code="stale_version", extra={"version": obj.version})


def required_text(value: str | None, *, field: str, message: Any, max_length: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(message, field=field, code="required")
    if len(text) > max_length or "\x00" in text:
        raise InvalidInput(_("内容过长或含有非法字符。"), field=field, code="invalid")
    return text


def validated(instance: models.Model) -> models.Model:
    """Model-level validation (lengths, choices, ranges, references) before any write."""
    instance.full_clean(validate_unique=False, validate_constraints=False)
    return instance


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values for an audit entry (`letter_id`-style names for references)."""
    return {name: getattr(instance, name) for name in fields}
