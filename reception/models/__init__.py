"""Reception workflow models (tenant schema): letters, tasks, plans, standards, meetings, schedules,
lodging, seating and the resource library."""

from reception.models.bookings import Booking, BookingKind
from reception.models.common import ReceptionLevel
from reception.models.letters import Letter, LetterAttachment, LetterStatus, Purpose
from reception.models.lodging import LodgingAllocation, RoomAssignment
from reception.models.meetings import ARRANGEABLE_STATUSES, GuestStay, Meeting, MeetingNotice, NoticeKind
from reception.models.plans import ITEM_FIELDS, ItemKind, MealType, Payer, PlanItem, RoomType
from reception.models.resources import Resource, ResourceKind
from reception.models.revisions import OPEN_REVISION_STATUSES, Revision, RevisionStatus
from reception.models.schedule import ScheduleChange, ScheduleEntry
from reception.models.seating import Layout, SeatingChart, SeatingConvention, Side
from reception.models.settlement import (
    LIST_TRANSITIONS,
    NO_LIST,
    Evaluation,
    EvaluationParty,
    ListAction,
    ListStatus,
    ReceptionList,
    ReceptionListLine,
)
from reception.models.standards import LodgingCeiling, MealCeiling, Standard, SuperiorStandard
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
    "ARRANGEABLE_STATUSES",
    "EDITABLE_STATUSES",
    "ITEM_FIELDS",
    "LIST_TRANSITIONS",
    "NO_LIST",
    "OPEN_REVISION_STATUSES",
    "TRANSITIONS",
    "AccompanyingStaff",
    "Booking",
    "BookingKind",
    "Evaluation",
    "EvaluationParty",
    "Guest",
    "GuestStay",
    "ItemKind",
    "Layout",
    "Letter",
    "LetterAttachment",
    "LetterStatus",
    "ListAction",
    "ListStatus",
    "LodgingAllocation",
    "LodgingCeiling",
    "MealCeiling",
    "MealType",
    "Meeting",
    "MeetingNotice",
    "NoticeKind",
    "Payer",
    "PlanItem",
    "Purpose",
    "ReceptionLevel",
    "ReceptionList",
    "ReceptionListLine",
    "Resource",
    "ResourceKind",
    "Revision",
    "RevisionStatus",
    "RoomAssignment",
    "RoomType",
    "ScheduleChange",
    "ScheduleEntry",
    "SeatingChart",
    "SeatingConvention",
    "Side",
    "Standard",
    "SuperiorStandard",
    "Task",
    "TaskAction",
    "TaskStatus",
    "Transition",
]
