"""API routes, included under /api/v1/ on tenant hosts (config/urls_tenant.py)."""

from __future__ import annotations

from django.urls import path

from reception.api import letters, plans, standards, tasks, transitions

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
    path("providers/", tasks.ProvidersApi.as_view(), name="providers"),
    path("standards/", standards.StandardsApi.as_view(), name="standards"),
    path("standards/current/", standards.StandardCurrentApi.as_view(), name="standards-current"),
]
