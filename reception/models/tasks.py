"""Reception tasks (接待任务), their guests and accompanying staff, and the one transition table."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import Transition
from reception.models.common import ReceptionLevel
from reception.models.letters import Letter
from reception.models.standards import Standard
from tenants.models import Role


class TaskStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")
    IN_PROGRESS = "in_progress", _("承办中")
    COMPLETED = "completed", _("已办结")
    SETTLED = "settled", _("已结算")
    CANCELLED = "cancelled", _("已取消")
    AMENDING = "amending", _("变更中")
    AMENDMENT_SUBMITTED = "amendment_submitted", _("变更待审核")


class TaskAction(models.TextChoices):
    SUBMIT = "submit", _("提交审核")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("批准")
    ASSIGN = "assign", _("指派承办人")
    DISPATCH = "dispatch", _("派单")
    COMPLETE = "complete", _("办结")
    SETTLE = "settle", _("结算")
    CANCEL = "cancel", _("取消")
    AMEND = "amend", _("发起变更")


#: A target meaning "the state the task had before its amendment" (kept on the open revision).
RESUMED = "resumed"


_S = TaskStatus
#: The whole state machine. Services, API permissions and page buttons all read it.
#: `dispatch` (orders to providers) and `complete`/`settle` are carried out by later issues.
TRANSITIONS: dict[str, Transition] = {
    TaskAction.SUBMIT: Transition(
        frozenset({_S.DRAFT, _S.RETURNED, _S.AMENDING}),
        _S.SUBMITTED,
        frozenset({Role.DRAFTER}),
        "submitted",
        detours=((_S.AMENDING, (_S.AMENDMENT_SUBMITTED, "amendment_submitted")),),
    ),
    TaskAction.RETURN: Transition(
        frozenset({_S.SUBMITTED, _S.AMENDMENT_SUBMITTED}),
        _S.RETURNED,
        frozenset({Role.REVIEWER}),
        "returned",
        detours=((_S.AMENDMENT_SUBMITTED, (_S.AMENDING, "amendment_returned")),),
    ),
    TaskAction.APPROVE: Transition(
        frozenset({_S.SUBMITTED, _S.AMENDMENT_SUBMITTED}),
        _S.APPROVED,
        frozenset({Role.REVIEWER}),
        "approved",
        detours=((_S.AMENDMENT_SUBMITTED, (RESUMED, "amendment_approved")),),
    ),
    TaskAction.AMEND: Transition(
        frozenset({_S.APPROVED, _S.IN_PROGRESS}), _S.AMENDING, frozenset({Role.DRAFTER, Role.HANDLER}), "amended"
    ),
    TaskAction.ASSIGN: Transition(
        frozenset({_S.APPROVED}), _S.IN_PROGRESS, frozenset({Role.REVIEWER, Role.ADMIN}), "assigned"
    ),
    TaskAction.DISPATCH: Transition(
        frozenset({_S.IN_PROGRESS}), _S.IN_PROGRESS, frozenset({Role.HANDLER}), "dispatched"
    ),
    TaskAction.COMPLETE: Transition(frozenset({_S.IN_PROGRESS}), _S.COMPLETED, frozenset({Role.HANDLER}), "completed"),
    TaskAction.SETTLE: Transition(frozenset({_S.COMPLETED}), _S.SETTLED, frozenset({Role.REVIEWER}), "settled"),
    TaskAction.CANCEL: Transition(
        frozenset(
            {_S.DRAFT, _S.RETURNED, _S.SUBMITTED, _S.APPROVED, _S.IN_PROGRESS, _S.AMENDING, _S.AMENDMENT_SUBMITTED}
        ),
        _S.CANCELLED,
        frozenset({Role.DRAFTER, Role.REVIEWER, Role.ADMIN}),
        "cancelled",
    ),
}
#: The audit action of each `done` in the table (written where it is recorded: grep finds it).
TASK_ACTIONS = {
    "submitted": "reception.task.submitted",
    "amendment_submitted": "reception.task.amendment_submitted",
    "returned": "reception.task.returned",
    "amendment_returned": "reception.task.amendment_returned",
    "approved": "reception.task.approved",
    "amendment_approved": "reception.task.amendment_approved",
    "amended": "reception.task.amended",
    "assigned": "reception.task.assigned",
    "dispatched": "reception.task.dispatched",
    "completed": "reception.task.completed",
    "settled": "reception.task.settled",
    "cancelled": "reception.task.cancelled",
}
#: The plan (guests, staff, items) and the task's own fields change only in these states.
EDITABLE_STATUSES = frozenset({_S.DRAFT, _S.RETURNED, _S.AMENDING})
#: Who edits the plan (also while amending: a handler opens an amendment, the drafter writes it).
PLAN_ROLES = frozenset({Role.DRAFTER})
#: An amendment is open: the approved plan stays in force for providers meanwhile.
AMENDMENT_STATUSES = frozenset({_S.AMENDING, _S.AMENDMENT_SUBMITTED})


class Task(models.Model):
    """A reception task (接待任务), opened from a registered letter."""

    letter = models.ForeignKey(Letter, verbose_name=_("公函"), on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("任务名称"), max_length=200)
    level = models.CharField(_("接待级别"), max_length=30, choices=ReceptionLevel.choices)
    counterpart_unit = models.CharField(_("对口接待单位"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    budget = models.DecimalField(
        _("预算"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.DRAFT)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who last submitted the plan: never the one who approves or returns it (separation of duties).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The standards version the plan was checked against when it was last submitted.
    standard = models.ForeignKey(Standard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Optimistic concurrency: bumped by every write to the task or its plan.
    version = models.PositiveIntegerField(default=1)
    # Bumped to revoke every guest itinerary link issued so far.
    itinerary_generation = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("接待任务")
        verbose_name_plural = _("接待任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="reception_task_dates",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0), name="reception_task_budget"
            ),
            models.CheckConstraint(condition=models.Q(status__in=TaskStatus.values), name="reception_task_status"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="reception_task_newest_idx"),
            models.Index(fields=["status", "-created_at"], name="reception_task_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Guest(models.Model):
    """A visiting guest (来宾): name, unit, post and grade (级别)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("单位"), max_length=200)
    post = models.CharField(_("职务"), max_length=100)
    grade = models.CharField(_("级别"), max_length=30, choices=ReceptionLevel.choices)
    phone = models.CharField(_("手机号"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("来宾")
        verbose_name_plural = _("来宾")
        ordering = ["id"]


class AccompanyingStaff(models.Model):
    """A local official accompanying the guests (陪同人员)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="accompanying")
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("单位"), max_length=200)
    post = models.CharField(_("职务"), max_length=100)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("陪同人员")
        verbose_name_plural = _("陪同人员")
        ordering = ["id"]
