"""The reception workflow's part of each role's workplace (tenants.workplace): to-do panels, read
in the jurisdiction's schema, and shortcuts. Every panel lists what needs action soonest first."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from provider_portal.models import OrderStatus
from provider_portal.orders.models import Order
from provider_portal.orders.services import FINANCE_ROLES
from reception.models import TRANSITIONS, Letter, LetterStatus, Task, TaskAction, TaskStatus
from reception.models.settlement import LIST_TRANSITIONS, ListAction, ListStatus, ReceptionList
from reception.services.letters import LETTER_ROLES
from reception.services.tasks import TASK_CREATE_ROLES
from tenants.models import Role
from tenants.permissions import Access
from tenants.workplace import Panel, PanelRow, Shortcut, register_panel, register_shortcut

#: How many rows a panel shows before "all".
PANEL_ROWS = 5


def _task_rows(tasks: QuerySet[Task], detail: Any = None) -> tuple[int, list[PanelRow]]:
    first = list(tasks.select_related("letter")[:PANEL_ROWS])
    rows = [
        PanelRow(
            label=task.title,
            url=f"/reception/tasks/{task.pk}/",
            detail=detail(task)
            if detail
            else f"{task.start_date:%Y-%m-%d} – {task.end_date:%Y-%m-%d} · {task.counterpart_unit}",
            status=task.status,
            status_label=str(task.get_status_display()),
        )
        for task in first
    ]
    return tasks.count(), rows


def _live_orders() -> QuerySet[Order]:
    return Order.objects.filter(task_id=OuterRef("pk")).exclude(
        status__in=[OrderStatus.WITHDRAWN, OrderStatus.DECLINED]
    )


def drafts(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    """Drafts and returned plans: the returned ones first (someone waits for them), then by date."""
    from django.db.models import Case, IntegerField, Value, When

    tasks = Task.objects.filter(status__in=[TaskStatus.RETURNED, TaskStatus.DRAFT]).order_by(
        Case(When(status=TaskStatus.RETURNED, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "start_date",
        "id",
    )
    return _task_rows(tasks)


def plans_to_review(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    return _task_rows(Task.objects.filter(status=TaskStatus.SUBMITTED).order_by("start_date", "id"))


def tasks_to_assign(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    return _task_rows(Task.objects.filter(status=TaskStatus.APPROVED).order_by("start_date", "id"))


def lists_to_review(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    lists = ReceptionList.objects.filter(status=ListStatus.DRAFT).select_related("task").order_by("drafted_at", "id")
    rows = [
        PanelRow(
            label=entry.task.title,
            url=f"/reception/tasks/{entry.task_id}/#reception-list",
            detail=f"{entry.sending_unit} · ¥{entry.total}",
            status="submitted",
            status_label=str(ListStatus(entry.status).label),
        )
        for entry in lists[:PANEL_ROWS]
    ]
    return lists.count(), rows


def lists_to_draft(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    """Completed receptions whose list is not drafted yet, or was returned."""
    tasks = (
        Task.objects.filter(status=TaskStatus.COMPLETED)
        .exclude(reception_list__status__in=[ListStatus.DRAFT, ListStatus.APPROVED])
        .order_by("end_date", "id")
    )
    return _task_rows(tasks)


def _mine(user: Any) -> QuerySet[Task]:
    return Task.objects.filter(status=TaskStatus.IN_PROGRESS, handler_id=user.pk).order_by("start_date", "id")


def tasks_to_dispatch(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    return _task_rows(_mine(user).exclude(Exists(_live_orders())))


def tasks_to_complete(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    return _task_rows(_mine(user).filter(Exists(_live_orders())))


def costs_to_approve(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    orders = Order.objects.filter(status=OrderStatus.COST_REPORTED).select_related("provider").order_by("updated_at")
    rows = [
        PanelRow(
            label=f"{order.task_title} · {order.provider.name}",
            url=f"/reception/tasks/{order.task_id}/#costs",
            detail=f"¥{order.cost_amount}" if order.cost_amount is not None else "",
            status="submitted",
            status_label=str(OrderStatus(order.status).label),
        )
        for order in orders[:PANEL_ROWS]
    ]
    return orders.count(), rows


def letters_to_register(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    letters = Letter.objects.filter(status=LetterStatus.SUBMITTED_BY_VISITOR).order_by("id")
    return letters.count(), [_letter_row(letter) for letter in letters[:PANEL_ROWS]]


def letters_without_task(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    letters = Letter.objects.filter(status=LetterStatus.REGISTERED, tasks__isnull=True).order_by("id")
    return letters.count(), [_letter_row(letter) for letter in letters[:PANEL_ROWS]]


def _letter_row(letter: Letter) -> PanelRow:
    return PanelRow(
        label=f"{letter.sending_unit} · {letter.number}",
        url=f"/reception/letters/{letter.pk}/",
        detail=str(letter.get_purpose_display()),
        status=letter.status,
        status_label=str(letter.get_status_display()),
    )


def register() -> None:
    """Called from ReceptionConfig.ready()."""
    reviewers = TRANSITIONS[TaskAction.APPROVE].roles
    for panel in (
        Panel(
            "reception.returned_and_drafts",
            _("草稿与退回的方案"),
            frozenset({Role.DRAFTER}),
            drafts,
            "/reception/?status=returned",
            10,
        ),
        Panel("reception.plans_to_review", _("待审核的接待方案"), reviewers, plans_to_review, "/reception/review/", 20),
        Panel(
            "reception.lists_to_review",
            _("待审核的接待清单"),
            LIST_TRANSITIONS[ListAction.APPROVE].roles,
            lists_to_review,
            "/reception/?status=completed",
            22,
        ),
        Panel(
            "reception.tasks_to_assign",
            _("待指派承办人的任务"),
            TRANSITIONS[TaskAction.ASSIGN].roles,
            tasks_to_assign,
            "/reception/?status=approved",
            25,
        ),
        Panel(
            "reception.tasks_to_dispatch",
            _("待派单的任务"),
            TRANSITIONS[TaskAction.DISPATCH].roles,
            tasks_to_dispatch,
            "/reception/assigned/",
            30,
        ),
        Panel(
            "reception.tasks_to_complete",
            _("待办结的任务"),
            TRANSITIONS[TaskAction.COMPLETE].roles,
            tasks_to_complete,
            "/reception/assigned/",
            31,
        ),
        Panel(
            "reception.costs_to_approve",
            _("待审核的费用"),
            FINANCE_ROLES,
            costs_to_approve,
            "/reception/?status=in_progress",
            40,
        ),
        Panel(
            "reception.lists_to_draft",
            _("待编制接待清单"),
            LIST_TRANSITIONS[ListAction.DRAFT].roles,
            lists_to_draft,
            "/reception/?status=completed",
            41,
        ),
        Panel(
            "reception.letters_to_register",
            _("待登记的来访公函"),
            LETTER_ROLES,
            letters_to_register,
            "/reception/letters/?status=submitted_by_visitor",
            5,
        ),
        Panel(
            "reception.letters_without_task",
            _("已登记待立项的公函"),
            TASK_CREATE_ROLES,
            letters_without_task,
            "/reception/letters/?status=registered",
            6,
        ),
    ):
        register_panel(panel)
    group = _("公务接待")
    anyone = None
    for order, (title, url, writers) in enumerate(
        [
            (_("新建接待任务"), "/reception/tasks/new/", TASK_CREATE_ROLES),
            (_("登记公函"), "/reception/letters/new/", LETTER_ROLES),
            (_("接待任务"), "/reception/", anyone),
            (_("待审核的接待方案"), "/reception/review/", reviewers),
            (_("今日任务（离线可用）"), "/reception/today/", frozenset({Role.HANDLER})),
            (_("分配给我的任务"), "/reception/assigned/", TRANSITIONS[TaskAction.COMPLETE].roles),
            (_("公函收件箱"), "/reception/letters/", anyone),
            (_("接待标准"), "/reception/standards/", anyone),
            (_("接待资源库"), "/reception/resources/", anyone),
            (_("接待对象信息库"), "/reception/guests/", anyone),
            (_("来访单位公函提交页"), "/intake/", anyone),
        ]
    ):
        needs = (lambda access, roles=writers: access.has_any(roles)) if writers else (lambda access: True)
        register_shortcut(Shortcut(title, url, group, order=10 + order, needs=needs))
