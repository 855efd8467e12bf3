"""Reception workflow models (tenant schema): letters, tasks, plans and the standards."""

from reception.models.common import ReceptionLevel
from reception.models.letters import Letter, LetterAttachment, LetterStatus, Purpose
from reception.models.plans import ITEM_FIELDS, ItemKind, MealType, PlanItem, RoomType
from reception.models.standards import MealCeiling, Standard
from reception.models.tasks import (
    EDITABLE_STATUSES,
    TRANSITIONS,
    AccompanyingStaff,
    Guest,
    Task,
    TaskAction,
    TaskStatus,
    Transition,
)

__all__ = [
    "EDITABLE_STATUSES",
    "ITEM_FIELDS",
    "TRANSITIONS",
    "AccompanyingStaff",
    "Guest",
    "ItemKind",
    "Letter",
    "LetterAttachment",
    "LetterStatus",
    "MealCeiling",
    "MealType",
    "PlanItem",
    "Purpose",
    "ReceptionLevel",
    "RoomType",
    "Standard",
    "Task",
    "TaskAction",
    "TaskStatus",
    "Transition",
]
