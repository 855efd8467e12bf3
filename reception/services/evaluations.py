"""Satisfaction evaluations (满意度评价) through signed links: for the parties only, once per party.

Each party's link goes by message to that party's recipients (the letter's contact for the
visiting unit, the counterpart unit's users for the counterpart), one link per recipient, so a
rating records who filed it. Links expire after RECEPTION_EVALUATION_LINK_DAYS. Staff see
preview links (the form, never a submission) and may resend the parties' links (audited).
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from core.models import User
from reception.models import Evaluation, EvaluationParty, Task, TaskStatus
from reception.notifications import evaluation_links_notify
from reception.services.common import lock_task, require_roles, require_schema
from reception.tokens import PREVIEW_RECIPIENT, EvaluationClaim, evaluation_claim, evaluation_token
from tenants.models import Jurisdiction, Role

#: Own staff see the preview links; overseers of ancestors get 403 (the API's member permission).
EVALUATION_LINK_ROLES = frozenset(
    {Role.ADMIN, Role.DRAFTER, Role.REVIEWER, Role.HANDLER, Role.FINANCE, Role.SUPERVISOR}
)
#: Staff who deal with the parties may send their links again.
EVALUATION_RESEND_ROLES = frozenset({Role.ADMIN, Role.DRAFTER, Role.HANDLER})
#: Evaluations are of a reception that took place.
EVALUABLE_STATUSES = frozenset({TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED, TaskStatus.SETTLED})
#: Links are sent when the task is completed; resending needs that too.
RESENDABLE_STATUSES = frozenset({TaskStatus.COMPLETED, TaskStatus.SETTLED})

INVALID_LINK = _("评价链接无效。")


class LinkExpired(DomainError):
    status_code = 410
    default_code = "link_expired"


def evaluation_preview_tokens(*, jurisdiction: Jurisdiction, task: Task) -> dict[str, str]:
    """Each party's preview link for staff: it shows the form but never takes a rating."""
    return {
        party: evaluation_token(
            schema=jurisdiction.schema_name, task_id=task.pk, party=party, recipient=PREVIEW_RECIPIENT
        )
        for party in EvaluationParty.values
    }


def evaluation_target(*, jurisdiction: Jurisdiction, token: str) -> tuple[Task, EvaluationClaim]:
    """The task and claim of a genuine, unexpired link of this jurisdiction; a tampered link or a
    missing task is not found (404), an expired link `link_expired` (410)."""
    require_schema(jurisdiction)
    claim = evaluation_claim(schema=jurisdiction.schema_name, token=token)
    if claim is None or claim.party not in EvaluationParty.values:
        raise NotFound(INVALID_LINK)
    task = Task.objects.filter(pk=claim.task_id).first()
    if task is None:
        raise NotFound(INVALID_LINK)
    if claim.expired:
        raise LinkExpired(_("评价链接已过期，请联系接待单位重新发送。"))
    return task, claim


def _filer(*, task: Task, claim: EvaluationClaim) -> tuple[User | None, str]:
    """Who the link was issued to: a counterpart user (still active), or the letter's contact."""
    if claim.user_id is not None:
        person = User.objects.filter(pk=claim.user_id, is_active=True).first()
        if person is None:
            raise Forbidden(_("该评价链接的接收人已停用。"), code="link_revoked")
        return person, f"{person.label} ({person.username})"
    letter = task.letter
    address = letter.contact_email or letter.contact_phone
    return None, f"{letter.contact_name} ({address})" if address else letter.contact_name


@transaction.atomic
def evaluation_submit(*, jurisdiction: Jurisdiction, token: str, score: int, comment: str) -> Evaluation:
    """Record the evaluation of one party (1–5, optional comment) with who filed it; a second
    one for the party is a conflict; a staff preview link is refused (`preview_only`)."""
    task, claim = evaluation_target(jurisdiction=jurisdiction, token=token)
    if claim.preview:
        raise Forbidden(_("这是工作人员的预览链接，只有受邀的评价方可以提交评价。"), code="preview_only")
    if task.status not in EVALUABLE_STATUSES:
        raise Conflict(_("接待开始后才能评价。"), code="not_evaluable")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise InvalidInput(_("评分必须是 1 到 5 的整数。"), field="score", code="invalid_score")
    text = (comment or "").strip()
    if len(text) > 2000 or "\x00" in text:
        raise InvalidInput(_("意见不超过 2000 字。"), field="comment", code="invalid")
    filed_by_user, filed_by = _filer(task=task, claim=claim)
    if Evaluation.objects.filter(task=task, party=claim.party).exists():
        raise Conflict(_("该链接已提交过评价。"), code="already_evaluated")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                task=task,
                party=claim.party,
                score=score,
                comment=text,
                filed_by_user=filed_by_user,
                filed_by=filed_by[:300],
            )
    except IntegrityError:
        raise Conflict(_("该链接已提交过评价。"), code="already_evaluated") from None
    audit_record(
        actor=filed_by_user,
        action="reception.task.evaluated",
        jurisdiction_code=jurisdiction.code,
        obj=task,
        after={"party": claim.party, "score": score, "filed_by": filed_by},
        comment=text,
    )
    return evaluation


def evaluation_links_resend(*, actor: User, jurisdiction: Jurisdiction, task_id: int, party: str = "") -> int:
    """Send the parties' links again (fresh, with a new expiry) to the parties that have not
    rated yet, or to one `party`; audited. Answers the number of messages queued."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=EVALUATION_RESEND_ROLES)
    if party and party not in EvaluationParty.values:
        raise InvalidInput(_("评价方无效。"), field="party", code="invalid_choice")
    with transaction.atomic():
        task = lock_task(task_id, jurisdiction=jurisdiction)
        if task.status not in RESENDABLE_STATUSES:
            raise Conflict(_("任务办结后才能发送评价链接。"), code="not_evaluable")
        rated = set(Evaluation.objects.filter(task=task).values_list("party", flat=True))
        parties = [p for p in ([party] if party else EvaluationParty.values) if p not in rated]
        if not parties:
            raise Conflict(_("该评价方已提交过评价。"), code="already_evaluated")
        queued = evaluation_links_notify(
            jurisdiction=jurisdiction, task=task, parties=parties, key=f":resend:{uuid.uuid4().hex}"
        )
        audit_record(
            actor=actor,
            action="reception.task.evaluation_links_resent",
            jurisdiction_code=jurisdiction.code,
            obj=task,
            after={"parties": parties, "messages": queued},
        )
    return queued
