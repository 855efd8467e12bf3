"""API routes, included under /api/v1/ on tenant hosts (config/urls_tenant.py)."""

from __future__ import annotations

from django.urls import path

from reception.api import (
    letters,
    library,
    lodging,
    meetings,
    messages,
    plans,
    schedule,
    seating,
    settlement,
    standards,
    tasks,
    transitions,
)

app_name = "reception-api"

urlpatterns = [
    path("letters/", letters.LettersApi.as_view(), name="letters"),
    path("letters/<int:letter_id>/", letters.LetterDetailApi.as_view(), name="letter"),
    path("letters/<int:letter_id>/register/", letters.LetterRegisterApi.as_view(), name="letter-register"),
    path("letters/<int:letter_id>/reject/", letters.LetterRejectApi.as_view(), name="letter-reject"),
    path("letters/<int:letter_id>/attachments/", letters.LetterAttachmentsApi.as_view(), name="letter-attachments"),
    path(
        "letters/<int:letter_id>/attachments/<int:attachment_id>/",
        letters.LetterAttachmentFileApi.as_view(),
        name="letter-attachment",
    ),
    path("tasks/", tasks.TasksApi.as_view(), name="tasks"),
    path("tasks/<int:task_id>/", tasks.TaskDetailApi.as_view(), name="task"),
    path("tasks/<int:task_id>/checks/", tasks.TaskChecksApi.as_view(), name="task-checks"),
    path("tasks/<int:task_id>/history/", tasks.TaskHistoryApi.as_view(), name="task-history"),
    path("tasks/<int:task_id>/messages/", messages.TaskMessagesApi.as_view(), name="task-messages"),
    path("tasks/<int:task_id>/guests/", plans.TaskGuestsApi.as_view(), name="task-guests"),
    path("tasks/<int:task_id>/guests/<int:object_id>/", plans.TaskGuestApi.as_view(), name="task-guest"),
    path("tasks/<int:task_id>/accompanying/", plans.TaskStaffApi.as_view(), name="task-accompanying"),
    path(
        "tasks/<int:task_id>/accompanying/<int:object_id>/", plans.TaskStaffMemberApi.as_view(), name="task-companion"
    ),
    path("tasks/<int:task_id>/items/", plans.TaskItemsApi.as_view(), name="task-items"),
    path("tasks/<int:task_id>/items/<int:object_id>/", plans.TaskItemApi.as_view(), name="task-item"),
    path("tasks/<int:task_id>/submit/", transitions.TaskSubmitApi.as_view(), name="task-submit"),
    path("tasks/<int:task_id>/return/", transitions.TaskReturnApi.as_view(), name="task-return"),
    path("tasks/<int:task_id>/approve/", transitions.TaskApproveApi.as_view(), name="task-approve"),
    path("tasks/<int:task_id>/assign/", transitions.TaskAssignApi.as_view(), name="task-assign"),
    path("tasks/<int:task_id>/cancel/", transitions.TaskCancelApi.as_view(), name="task-cancel"),
    path("tasks/<int:task_id>/itinerary-link/", transitions.ItineraryLinkApi.as_view(), name="task-itinerary-link"),
    # Orders, settlement and evaluations (issue 4)
    path("tasks/<int:task_id>/dispatch/", settlement.TaskDispatchApi.as_view(), name="task-dispatch"),
    path("tasks/<int:task_id>/complete/", settlement.TaskCompleteApi.as_view(), name="task-complete"),
    path("tasks/<int:task_id>/orders/", settlement.TaskOrdersApi.as_view(), name="task-orders"),
    path("tasks/<int:task_id>/reception-list/", settlement.ReceptionListApi.as_view(), name="task-reception-list"),
    path(
        "tasks/<int:task_id>/reception-list/approve/",
        settlement.ReceptionListApproveApi.as_view(),
        name="task-reception-list-approve",
    ),
    path(
        "tasks/<int:task_id>/reception-list/return/",
        settlement.ReceptionListReturnApi.as_view(),
        name="task-reception-list-return",
    ),
    path(
        "tasks/<int:task_id>/reception-list.pdf",
        settlement.ReceptionListPdfApi.as_view(),
        name="task-reception-list-pdf",
    ),
    path(
        "tasks/<int:task_id>/reimbursement.pdf",
        settlement.ReimbursementBundlePdfApi.as_view(),
        name="task-reimbursement-pdf",
    ),
    path(
        "tasks/<int:task_id>/evaluation-links/", settlement.EvaluationLinksApi.as_view(), name="task-evaluation-links"
    ),
    path(
        "tasks/<int:task_id>/evaluation-links/resend/",
        settlement.EvaluationLinksResendApi.as_view(),
        name="task-evaluation-links-resend",
    ),
    path("tasks/<int:task_id>/evaluations/", settlement.TaskEvaluationsApi.as_view(), name="task-evaluations"),
    path("standards/", standards.StandardsApi.as_view(), name="standards"),
    path("standards/current/", standards.StandardCurrentApi.as_view(), name="standards-current"),
    # Meetings, schedule, lodging, seating, the resource library and the guest database (issue 8)
    path("tasks/<int:task_id>/meeting/", meetings.MeetingApi.as_view(), name="task-meeting"),
    path("tasks/<int:task_id>/roster/", meetings.RosterApi.as_view(), name="task-roster"),
    path("tasks/<int:task_id>/roster/template.xlsx", meetings.RosterTemplateApi.as_view(), name="task-roster-template"),
    path("tasks/<int:task_id>/notices/", meetings.NoticesApi.as_view(), name="task-notices"),
    path("tasks/<int:task_id>/schedule/", schedule.ScheduleApi.as_view(), name="task-schedule"),
    path("tasks/<int:task_id>/schedule/history/", schedule.ScheduleHistoryApi.as_view(), name="task-schedule-history"),
    path(
        "tasks/<int:task_id>/schedule/<int:entry_id>/", schedule.ScheduleEntryApi.as_view(), name="task-schedule-entry"
    ),
    path("tasks/<int:task_id>/lodging/", lodging.LodgingApi.as_view(), name="task-lodging"),
    path("tasks/<int:task_id>/lodging/allocate/", lodging.LodgingAllocateApi.as_view(), name="task-lodging-allocate"),
    path("tasks/<int:task_id>/lodging/place/", lodging.LodgingPlaceApi.as_view(), name="task-lodging-place"),
    path(
        "tasks/<int:task_id>/lodging/<int:provider_id>/", lodging.LodgingHotelApi.as_view(), name="task-lodging-hotel"
    ),
    path("tasks/<int:task_id>/seating/", seating.SeatingApi.as_view(), name="task-seating"),
    path("tasks/<int:task_id>/seating/swap/", seating.SeatingSwapApi.as_view(), name="task-seating-swap"),
    path("tasks/<int:task_id>/seating.pdf", seating.SeatingPdfApi.as_view(), name="task-seating-pdf"),
    path("tasks/<int:task_id>/suggestions/", library.TaskSuggestionsApi.as_view(), name="task-suggestions"),
    path("seating/convention/", seating.SeatingConventionApi.as_view(), name="seating-convention"),
    path("resources/", library.ResourcesApi.as_view(), name="resources"),
    path("resources/<int:resource_id>/", library.ResourceApi.as_view(), name="resource"),
    path("resources/<int:resource_id>/image/", library.ResourceImageApi.as_view(), name="resource-image"),
    path("guests/", library.GuestDirectoryApi.as_view(), name="guest-directory"),
]
