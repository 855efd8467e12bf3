"""Satisfaction evaluations (满意度评价) through signed links: no login, once per link."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound
from reception.models import Evaluation, EvaluationParty, Task, TaskStatus
from reception.services.common import require_schema
from reception.tokens import evaluation_claim, evaluation_token
from tenants.models import Jurisdiction, Role

EVALUATION_LINK_ROLES = frozenset(
    {Role.ADMIN, Role.DRAFTER, Role.REVIEWER, Role.HANDLER, Role.FINANCE, Role.SUPERVISOR}
)
#: Evaluations are of a reception that took place.
EVALUABLE_STATUSES = frozenset({TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.SETTLED})


def evaluation_tokens(*, jurisdiction: Jurisdiction, task: Task) -> dict[str, str]:
    """The signed link tokens of each party."""
    return {
        party: evaluation_token(schema=jurisdiction.schema_name, task_id=task.pk, party=party)
        for party in EvaluationParty.values
    }


def evaluation_target(*, jurisdiction: Jurisdiction, token: str) -> tuple[Task, str]:
    """The task and party of a genuine link of this jurisdiction; anything else is not found."""
    require_schema(jurisdiction)
    claim = evaluation_claim(schema=jurisdiction.schema_name, token=token)
    if claim is None or claim[1] not in EvaluationParty.values:
        raise NotFound(_("评价链接无效。"))
    task = Task.objects.filter(pk=claim[0]).first()
    if task is None:
        raise NotFound(_("评价链接无效。"))
    return task, claim[1]


@transaction.atomic
def evaluation_submit(*, jurisdiction: Jurisdiction, token: str, score: int, comment: str) -> Evaluation:
    """Record the evaluation of one link (1–5, optional comment); a second one is a conflict."""
    task, party = evaluation_target(jurisdiction=jurisdiction, token=token)
    if task.status not in EVALUABLE_STATUSES:
        raise Conflict(_("接待开始后才能评价。"), code="not_evaluable")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise InvalidInput(_("评分必须是 1 到 5 的整数。"), field="score", code="invalid_score")
    text = (comment or "").strip()
    if len(text) > 2000 or "\x00" in text:
        raise InvalidInput(_("意见不超过 2000 字。"), field="comment", code="invalid")
    if Evaluation.objects.filter(task=task, party=party).exists():
        raise Conflict(_("该链接已提交过评价。"), code="already_evaluated")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(task=task, party=party, score=score, comment=text)
    except IntegrityError:
        raise Conflict(_("该链接已提交过评价。"), code="already_evaluated") from None
    audit_record(
        actor=None,
        action="reception.task.evaluated",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"party": party, "score": score},
        comment=text,
    )
    return evaluation
