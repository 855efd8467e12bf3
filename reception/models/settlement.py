"""Settlement: the reception list (接待清单) drafted from approved costs, and satisfaction evaluations."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import Transition
from reception.models.common import TEXT_MAX
from reception.models.plans import Payer
from reception.models.tasks import TRANSITIONS, Task, TaskAction
from tenants.models import Role


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


class ListAction(models.TextChoices):
    DRAFT = "draft", _("编制")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("审核通过")


#: The state a task without a list is in, as a source of `draft`.
NO_LIST = ""
#: The list's state machine (一单一审核: approve or return, a returned list is redrafted).
#: `done` is the audit action's last word: reception.list.<done> (a redraft records `redrafted`).
LIST_TRANSITIONS: dict[str, Transition] = {
    ListAction.DRAFT: Transition(
        frozenset({NO_LIST, ListStatus.DRAFT, ListStatus.RETURNED}),
        ListStatus.DRAFT,
        frozenset({Role.DRAFTER, Role.FINANCE}),
        "drafted",
    ),
    ListAction.RETURN: Transition(
        frozenset({ListStatus.DRAFT}), ListStatus.RETURNED, frozenset({Role.REVIEWER}), "returned"
    ),
    # Approving the list is the task's `settle` transition: the same reviewers.
    ListAction.APPROVE: Transition(
        frozenset({ListStatus.DRAFT}), ListStatus.APPROVED, TRANSITIONS[TaskAction.SETTLE].roles, "approved"
    ),
}


class ReceptionList(models.Model):
    """The reception list of a task: one per task (一函一单一审核), final once a reviewer approves it."""

    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="reception_list")
    status = models.CharField(_("状态"), max_length=20, choices=ListStatus.choices, default=ListStatus.DRAFT)
    letter_number = models.CharField(_("公函编号"), max_length=100)
    sending_unit = models.CharField(_("来函单位"), max_length=200)
    #: Host-paid spending (the reception budget's); guest-paid amounts are shown apart.
    total = models.DecimalField(_("合计"), max_digits=14, decimal_places=2)
    guest_paid_total = models.DecimalField(_("来宾自理合计"), max_digits=14, decimal_places=2, default=0)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("编制时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    #: The last return: kept after a redraft so that the reviewer sees what was asked.
    return_comment = models.TextField(_("退回意见"), max_length=TEXT_MAX, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接待清单")
        verbose_name_plural = _("接待清单")
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="reception_list_total_nonneg"),
        ]


class ReceptionListLine(models.Model):
    """One activity of the list: what, when, where, and its cost (approved, or planned without an order)."""

    reception_list = models.ForeignKey(ReceptionList, on_delete=models.CASCADE, related_name="lines")
    item_id = models.PositiveIntegerField()
    order_id = models.UUIDField(null=True, blank=True)
    activity = models.CharField(_("项目"), max_length=300)
    starts_at = models.DateTimeField(_("时间"))
    venue = models.CharField(_("地点"), max_length=200)
    provider_name = models.CharField(_("服务单位"), max_length=200, blank=True)
    invoice_number = models.CharField(_("发票号码"), max_length=50, blank=True)
    payment_method = models.CharField(_("支付方式"), max_length=50, blank=True)
    cost = models.DecimalField(_("费用"), max_digits=14, decimal_places=2)
    payer = models.CharField(_("付费方"), max_length=10, choices=Payer.choices, default=Payer.HOST)

    class Meta:
        verbose_name = _("接待清单事项")
        verbose_name_plural = _("接待清单事项")
        ordering = ["starts_at", "id"]


class EvaluationParty(models.TextChoices):
    VISITING_UNIT = "visiting_unit", _("来访单位")
    COUNTERPART = "counterpart", _("对口接待单位")


class Evaluation(models.Model):
    """A satisfaction evaluation (满意度评价) by one party through its signed link: once per link."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evaluations")
    party = models.CharField(_("评价方"), max_length=20, choices=EvaluationParty.choices)
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("意见"), max_length=TEXT_MAX, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    # Who filed it: the recipient the link was issued to (the letter's contact, or a counterpart user).
    filed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_by = models.CharField(_("评价人"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "party"], name="reception_evaluation_once_per_link"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="reception_evaluation_score"),
        ]
