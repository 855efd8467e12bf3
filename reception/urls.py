"""Web pages of the reception workflow on tenant hosts (config/urls_tenant.py includes them)."""

from __future__ import annotations

from django.urls import path

from reception.views import arrangements, evaluation, letters, library, plans, public, settlement, standards, tasks

urlpatterns = [
    path("reception/", tasks.TaskListView.as_view(), name="reception-tasks"),
    path("reception/review/", tasks.ReviewQueueView.as_view(), name="reception-review"),
    path("reception/assigned/", tasks.AssignedTasksView.as_view(), name="reception-assigned"),
    path("reception/today/", tasks.TodayView.as_view(), name="reception-today"),
    path("reception/tasks/new/", tasks.TaskCreateView.as_view(), name="reception-task-new"),
    path("reception/tasks/<int:task_id>/", tasks.TaskDetailView.as_view(), name="reception-task"),
    path("reception/tasks/<int:task_id>/edit/", plans.PlanEditView.as_view(), name="reception-task-edit"),
    # Meetings, schedule, lodging, seating, suggestions, the library and the guest database (issue 8)
    path("reception/tasks/<int:task_id>/meeting/", arrangements.MeetingView.as_view(), name="reception-meeting"),
    path("reception/tasks/<int:task_id>/schedule/", arrangements.ScheduleView.as_view(), name="reception-schedule"),
    path("reception/tasks/<int:task_id>/lodging/", arrangements.LodgingView.as_view(), name="reception-lodging"),
    path("reception/tasks/<int:task_id>/seating/", arrangements.SeatingView.as_view(), name="reception-seating"),
    path(
        "reception/tasks/<int:task_id>/seating.pdf", arrangements.SeatingPdfView.as_view(), name="reception-seating-pdf"
    ),
    path("reception/tasks/<int:task_id>/suggestions/", library.SuggestionsView.as_view(), name="reception-suggestions"),
    path("reception/seating/convention/", arrangements.SeatingConventionView.as_view(), name="reception-convention"),
    path("reception/resources/", library.ResourceListView.as_view(), name="reception-resources"),
    path("reception/resources/<int:resource_id>/", library.ResourceDetailView.as_view(), name="reception-resource"),
    path(
        "reception/resources/<int:resource_id>/image/",
        library.ResourceImageView.as_view(),
        name="reception-resource-image",
    ),
    path("reception/guests/", library.GuestDirectoryView.as_view(), name="reception-guests"),
    path(
        "reception/tasks/<int:task_id>/<str:part>/<int:object_id>/",
        plans.PlanObjectEditView.as_view(),
        name="reception-plan-object",
    ),
    path(
        "reception/tasks/<int:task_id>/itinerary-link/",
        tasks.ItineraryLinkView.as_view(),
        name="reception-itinerary-link",
    ),
    path(
        "reception/tasks/<int:task_id>/evaluation-links/resend/",
        settlement.EvaluationLinksResendView.as_view(),
        name="reception-evaluation-links-resend",
    ),
    path(
        "reception/tasks/<int:task_id>/reception-list/<str:decision>/",
        settlement.ReceptionListActionView.as_view(),
        name="reception-list-action",
    ),
    path(
        "reception/tasks/<int:task_id>/reception-list.pdf",
        settlement.ReceptionListPdfView.as_view(),
        name="reception-list-pdf",
    ),
    path(
        "reception/tasks/<int:task_id>/reimbursement.pdf",
        settlement.ReceptionListPdfView.as_view(bundle=True),
        name="reception-reimbursement-pdf",
    ),
    path(
        "reception/orders/<uuid:order_id>/<str:decision>/",
        settlement.OrderCostView.as_view(),
        name="reception-order-cost",
    ),
    path(
        "reception/tasks/<int:task_id>/<str:action>/",
        tasks.TaskActionView.as_view(),
        name="reception-task-action",
    ),
    path("reception/letters/", letters.LetterInboxView.as_view(), name="reception-letters"),
    path("reception/letters/new/", letters.LetterCreateView.as_view(), name="reception-letter-new"),
    path("reception/letters/<int:letter_id>/", letters.LetterDetailView.as_view(), name="reception-letter"),
    path(
        "reception/letters/<int:letter_id>/attachments/<int:attachment_id>/",
        letters.LetterAttachmentView.as_view(),
        name="reception-letter-attachment",
    ),
    path("reception/standards/", standards.StandardsView.as_view(), name="reception-standards"),
    path("intake/", public.intake, name="reception-intake"),
    path("intake/track/<str:token>/", public.intake_track, name="reception-intake-track"),
    path("itinerary/<str:token>/", public.itinerary, name="reception-itinerary"),
    path("evaluate/<str:token>/", evaluation.evaluate, name="reception-evaluate"),
]
