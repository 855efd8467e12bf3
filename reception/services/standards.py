"""Standards (接待标准): a new version per change, effective from a date; defaults on provisioning."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import InvalidInput
from core.models import User
from reception.models import LodgingCeiling, MealCeiling, MealType, ReceptionLevel, Standard, SuperiorStandard
from reception.selectors import standard_in_force, standard_values
from reception.services.common import require_roles, require_schema
from reception.standards import DEFAULT_STANDARD, LIST_FIELDS, SCALAR_FIELDS, StandardValues, stricter_standard
from tenants.models import Jurisdiction, Role
from tenants.schema import schema_context

STANDARD_ROLES = frozenset({Role.ADMIN})
#: Sensible bounds for the scalar settings (the regulation's numbers sit well inside them).
SCALAR_BOUNDS = {
    "accompany_small_group_size": (0, 1000),
    "accompany_small_group_limit": (0, 1000),
    "accompany_ratio": (1, 1000),
    "working_meals_per_reception": (0, 100),
    "meal_warning_percent": (1, 100),
    "annual_budget_warning_percent": (1, 100),
}
#: Notes written by the system itself (stored, like an admin's note, in the platform's language).
DEFAULT_NOTE = "规定默认标准"
MAX_WORDS = 200
MAX_WORD_LENGTH = 50


def _lock_versions() -> None:
    """Serialise version numbering within this schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':reception.standard'))")


def _store(
    *, actor: User | None, jurisdiction: Jurisdiction, values: StandardValues, effective_from: date, note: str
) -> Standard:
    _lock_versions()
    last = Standard.objects.order_by("-version").values_list("version", flat=True).first() or 0
    standard = Standard.objects.create(
        version=last + 1,
        effective_from=effective_from,
        note=note[:200],
        created_by=actor,
        suite_grades=sorted(values.suite_grades),
        banned_menu_words=list(values.banned_menu_words),
        banned_activity_words=list(values.banned_activity_words),
        **{name: getattr(values, name) for name in SCALAR_FIELDS},
    )
    MealCeiling.objects.bulk_create(
        MealCeiling(standard=standard, level=level, meal_type=meal_type, amount=amount)
        for (level, meal_type), amount in sorted(values.meal_ceilings.items())
    )
    LodgingCeiling.objects.bulk_create(
        LodgingCeiling(standard=standard, level=level, amount=amount)
        for level, amount in sorted(values.lodging_ceilings.items())
    )
    audit_record(
        actor=actor,
        action="reception.standard.published",
        jurisdiction_code=jurisdiction.code,
        obj=standard,
        after={"version": standard.version, "effective_from": effective_from, "note": standard.note},
    )
    return standard


def standards_ensure(*, jurisdiction: Jurisdiction) -> None:
    """A jurisdiction without any stored version (created before this app) gets the defaults."""
    if not Standard.objects.exists():
        _store(
            actor=None,
            jurisdiction=jurisdiction,
            values=DEFAULT_STANDARD,
            effective_from=timezone.localdate(),
            note=DEFAULT_NOTE,
        )


def _amount(amount: Any, *, field: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise InvalidInput(_("标准必须是不小于 0 的金额。"), field=field, code="invalid")
    return amount.quantize(Decimal("0.01"))


def _clean_values(current: StandardValues, changes: dict[str, Any]) -> StandardValues:
    ceilings = dict(current.meal_ceilings)
    for key, amount in (changes.get("meal_ceilings") or {}).items():
        level, meal_type = key
        if level not in ReceptionLevel.values or meal_type not in MealType.values:
            raise InvalidInput(_("用餐标准的级别或餐别无效。"), field="meal_ceilings", code="invalid")
        ceilings[(level, meal_type)] = _amount(amount, field="meal_ceilings")
    lodging = dict(current.lodging_ceilings)
    for level, amount in (changes.get("lodging_ceilings") or {}).items():
        if level not in ReceptionLevel.values:
            raise InvalidInput(_("住宿标准的级别无效。"), field="lodging_ceilings", code="invalid")
        lodging[level] = _amount(amount, field="lodging_ceilings")
    scalars = {}
    for name in SCALAR_FIELDS:
        value = changes.get(name, getattr(current, name))
        low, high = SCALAR_BOUNDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(
                _("该项必须是 %(low)s 到 %(high)s 之间的整数。") % {"low": low, "high": high},
                field=name,
                code="invalid",
            )
        scalars[name] = value
    lists: dict[str, Any] = {}
    for name in LIST_FIELDS:
        value = changes.get(name, getattr(current, name))
        words = [str(w).strip() for w in value]
        if len(words) > MAX_WORDS or any(not w or len(w) > MAX_WORD_LENGTH or "\x00" in w for w in words):
            raise InvalidInput(_("词语不能为空，每个不超过 50 字，最多 200 个。"), field=name, code="invalid")
        if name == "suite_grades" and not set(words) <= set(ReceptionLevel.values):
            raise InvalidInput(_("级别无效。"), field=name, code="invalid")
        lists[name] = tuple(dict.fromkeys(words))
    return StandardValues(
        meal_ceilings=ceilings,
        lodging_ceilings=lodging,
        suite_grades=frozenset(lists["suite_grades"]),
        banned_menu_words=lists["banned_menu_words"],
        banned_activity_words=lists["banned_activity_words"],
        **scalars,
    )


@transaction.atomic
def standards_publish(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    effective_from: date,
    changes: dict[str, Any],
    note: str = "",
) -> Standard:
    """Publish a new version (admin): the current one with `changes`, effective from today or later.

    Past tasks keep the version they were checked against; versions are never edited.
    """
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=STANDARD_ROLES)
    if effective_from < timezone.localdate():
        raise InvalidInput(_("生效日期不能早于今天。"), field="effective_from", code="effective_in_past")
    current = standard_values(standard_in_force(effective_from))
    values = _clean_values(current, changes)
    _require_superior_floor(values)
    return _store(actor=actor, jurisdiction=jurisdiction, values=values, effective_from=effective_from, note=note)


# --- A superior's standard: the floor local versions are held to -----------------------------


def _loosened(tightened: list[str]) -> tuple[str, str]:
    """(the field, the readable list) of what a superior's standard holds stricter."""
    names = {
        "meal_ceiling": _("用餐标准"),
        "lodging_ceiling": _("住宿标准"),
        "accompany_small_group_size": _("小型接待人数上限"),
        "accompany_small_group_limit": _("小型接待陪餐上限"),
        "accompany_ratio": _("陪餐比例"),
        "working_meals_per_reception": _("每次接待工作餐次数"),
        "meal_warning_percent": _("用餐预警比例"),
        "annual_budget_warning_percent": _("年度预算预警比例"),
        "suite_grades": _("可安排套间的级别"),
        "banned_menu_words": _("菜单禁用词"),
        "banned_activity_words": _("禁止安排的活动用词"),
    }
    parts = []
    for entry in tightened:
        name, *key = entry.split(":")
        label = str(names.get(name, name))
        if name == "meal_ceiling":
            label += f"（{ReceptionLevel(key[0]).label}·{MealType(key[1]).label}）"
        elif name == "lodging_ceiling":
            label += f"（{ReceptionLevel(key[0]).label}）"
        parts.append(label)
    first = tightened[0].split(":")[0]
    field = {"meal_ceiling": "meal_ceilings", "lodging_ceiling": "lodging_ceilings"}.get(first, first)
    return field, "、".join(dict.fromkeys(parts))


def _require_superior_floor(values: StandardValues) -> None:
    """A local version may be stricter than what a superior pushed, never looser (400
    `looser_than_superior`, naming the superior and the values)."""
    for superior in SuperiorStandard.objects.order_by("sender_code"):
        _stricter, tightened = stricter_standard(values, superior.values)
        if tightened:
            field, what = _loosened(tightened)
            raise InvalidInput(
                _("不得宽于上级（%(name)s）下发的接待标准：%(what)s。") % {"name": superior.sender_name, "what": what},
                field=field,
                code="looser_than_superior",
            )


def superior_standard_adopt(
    *, actor: User | None, jurisdiction: Jurisdiction, sender: Jurisdiction, directive_id: int, values: dict[str, Any]
) -> tuple[int | None, list[str]]:
    """A superior's standard (a `standard` directive's `standard_wire` data) arrives: it becomes
    the floor for later local versions, and where it is stricter than the version in force a new
    version takes its values (nothing stricter → no new version). Returns the version in force
    and what was tightened. Run in the target's schema; safe to run again."""
    require_schema(jurisdiction)
    SuperiorStandard.objects.update_or_create(
        sender_code=sender.code,
        defaults={"sender_name": sender.name, "directive_id": directive_id, "values": values},
    )
    own = standard_values(standard_in_force(timezone.localdate()))
    stricter, tightened = stricter_standard(own, values)
    if not tightened:
        return own.version, []
    standard = _store(
        actor=actor,
        jurisdiction=jurisdiction,
        values=stricter,
        effective_from=timezone.localdate(),
        note=f"依据上级（{sender.code}）指令 {directive_id} 从严调整",
    )
    return standard.version, tightened


def superior_floor() -> list[SuperiorStandard]:
    """The superiors' standards local versions are held to (for the standards page)."""
    return list(SuperiorStandard.objects.order_by("sender_code"))


def standards_provision(jurisdiction: Jurisdiction) -> None:
    """Provisioning step (inside the new schema): the parent's standards in force, else the defaults."""
    if Standard.objects.exists():
        return
    today = timezone.localdate()
    values, note = DEFAULT_STANDARD, DEFAULT_NOTE
    parent = jurisdiction.parent
    if parent is not None:
        with schema_context(parent.schema_name):
            inherited = standard_in_force(today)
            if inherited is not None:
                values = standard_values(inherited)
                note = f"沿用上级（{parent.code}）第 {inherited.version} 版"
    _store(actor=None, jurisdiction=jurisdiction, values=values, effective_from=today, note=note)
