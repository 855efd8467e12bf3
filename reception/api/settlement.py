"""Fulfilment and settlement on the tenant host: dispatch, complete, a task's orders, the
reception list (JSON, PDF, reimbursement bundle, approval) and the evaluation links."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.db.replica import reporting_reads
from provider_portal.orders.api import OrderOutput
from reception.api.base import ReceptionApi, valid
from reception.api.serializers import TaskOutput
from reception.api.tasks import task_response
from reception.api.transitions import transition_api
from reception.models import LIST_TRANSITIONS, TRANSITIONS, EvaluationParty, ListAction, Payer, TaskAction
from reception.models.common import TEXT_MAX
from reception.selectors import settlement as reads
from reception.services import evaluations, orders, settlement
from reception.settlement_pdf import reception_list_pdf, reimbursement_bundle_pdf
from tenants.models import ALL_ROLES, STAFF_ROLES
from tenants.permissions import JurisdictionMemberPermission


class ReassignInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    provider = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class DispatchInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
    reassign = ReassignInput(many=True, required=False, default=list, max_length=500)  # type: ignore[call-arg]


def _dispatch(*, reassign: list[dict[str, int]], **kwargs: Any) -> Any:
    return orders.task_dispatch(reassign=[orders.Reassignment(**r) for r in reassign], **kwargs)


TaskDispatchApi = transition_api(
    TaskAction.DISPATCH,
    _dispatch,
    DispatchInput,
    doc="Send an order to the provider of every item that has none outstanding (handler); `reassign` "
    "moves a declined item to another designated provider first. Nothing to send: 409.",
)
TaskCompleteApi = transition_api(
    TaskAction.COMPLETE,
    orders.task_complete,
    doc="Close the reception (handler) once every order is fulfilled (or beyond) or declined.",
)


class TaskOrdersApi(ReceptionApi):
    """The task's orders: `[{id, kind, provider, status, amount, …}]` (amount: the reported cost
    once there is one, else the planned amount)."""

    roles = STAFF_ROLES

    @extend_schema(operation_id="tasks_orders", responses=OrderOutput(many=True))
    def get(self, request: Request, task_id: int) -> Response:
        return Response(OrderOutput(reads.orders_of_task(task_id), many=True).data)


class ListPersonOutput(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    post = serializers.CharField()


class ListItemOutput(serializers.Serializer):
    item = serializers.CharField()
    time = serializers.DateTimeField()
    venue = serializers.CharField()
    provider = serializers.CharField()
    invoice_number = serializers.CharField()
    payment_method = serializers.CharField()
    cost = serializers.CharField()
    payer = serializers.ChoiceField(choices=Payer.choices, help_text="who paid: the host, or the guests themselves")


class ReceptionListOutput(serializers.Serializer):
    status = serializers.CharField()
    task = serializers.IntegerField()
    title = serializers.CharField()
    letter_number = serializers.CharField()
    sending_unit = serializers.CharField()
    guests = ListPersonOutput(many=True)
    accompanying = ListPersonOutput(many=True)
    items = ListItemOutput(many=True)
    total = serializers.CharField(help_text="host-paid spending, decimal string")
    guest_paid_total = serializers.CharField(help_text="what the guests paid themselves, shown apart")
    drafted_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    return_comment = serializers.CharField(help_text="The last return's comment ('' if never returned).")
    returned_at = serializers.DateTimeField(allow_null=True)


def _list_response(task_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(ReceptionListOutput(reads.reception_list_view(task_id).as_json()).data, status=status_code)


class ReceptionListApi(ReceptionApi):
    """GET the list; POST (drafter or finance) drafts it from the approved costs of a completed task
    (again while not approved: redrafted)."""

    roles_by_method = {"GET": STAFF_ROLES, "POST": settlement.LIST_DRAFT_ROLES}

    @extend_schema(operation_id="tasks_reception_list", responses=ReceptionListOutput)
    def get(self, request: Request, task_id: int) -> Response:
        return _list_response(task_id)

    @extend_schema(operation_id="tasks_reception_list_draft", request=None, responses={201: ReceptionListOutput})
    def post(self, request: Request, task_id: int) -> Response:
        settlement.reception_list_draft(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id)  # type: ignore[arg-type]
        return _list_response(task_id, status.HTTP_201_CREATED)


class ReceptionListApproveApi(ReceptionApi):
    """The reviewer approves the list; the task becomes `settled` (answer: the task)."""

    roles = TRANSITIONS[TaskAction.SETTLE].roles

    @extend_schema(operation_id="tasks_reception_list_approve", request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, task_id: int) -> Response:
        settlement.reception_list_approve(actor=request.user, jurisdiction=self.jurisdiction, task_id=task_id)  # type: ignore[arg-type]
        return task_response(task_id)


class ReceptionListReturnInput(serializers.Serializer):
    comment = serializers.CharField(max_length=TEXT_MAX)


class ReceptionListReturnApi(ReceptionApi):
    """The reviewer returns the drafted list to its drafters with a comment (required); the list is
    `returned` until drafter or finance redrafts it. Answer: the task (still `completed`), as approve."""

    roles = LIST_TRANSITIONS[ListAction.RETURN].roles

    @extend_schema(
        operation_id="tasks_reception_list_return",
        request=ReceptionListReturnInput,
        responses={200: TaskOutput},
    )
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(ReceptionListReturnInput, request.data)
        settlement.reception_list_return(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            comment=data["comment"],
        )
        return task_response(task_id)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class ReceptionListPdfApi(ReceptionApi):
    """The list as a PDF in the official layout."""

    roles = STAFF_ROLES

    @extend_schema(operation_id="tasks_reception_list_pdf", responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @reporting_reads()
    def get(self, request: Request, task_id: int) -> HttpResponse:
        view = reads.reception_list_view(task_id)
        return _pdf(reception_list_pdf(view, jurisdiction_name=self.jurisdiction.name), f"reception-list-{task_id}.pdf")


class ReimbursementBundlePdfApi(ReceptionApi):
    """The reimbursement bundle: the letter's details, the list, the invoices' summary."""

    roles = STAFF_ROLES

    @extend_schema(
        operation_id="tasks_reimbursement_bundle_pdf", responses={(200, "application/pdf"): OpenApiTypes.BINARY}
    )
    @reporting_reads()
    def get(self, request: Request, task_id: int) -> HttpResponse:
        view = reads.reception_list_view(task_id)
        content = reimbursement_bundle_pdf(view, reads.invoices_of(task_id), jurisdiction_name=self.jurisdiction.name)
        return _pdf(content, f"reimbursement-{task_id}.pdf")


class EvaluationLinksOutput(serializers.Serializer):
    visiting_unit = serializers.URLField()
    counterpart = serializers.URLField()


class EvaluationLinksApi(ReceptionApi):
    """Staff's preview of each party's evaluation form (the page, never a submission): the usable
    links go by message to the parties only. Members only: ancestors' overseers get 403."""

    permission_classes = [JurisdictionMemberPermission]
    roles = evaluations.EVALUATION_LINK_ROLES

    @extend_schema(operation_id="tasks_evaluation_links", responses=EvaluationLinksOutput)
    def get(self, request: Request, task_id: int) -> Response:
        task = reads.task_row(task_id)
        tokens = evaluations.evaluation_preview_tokens(jurisdiction=self.jurisdiction, task=task)
        return Response({party: request.build_absolute_uri(f"/evaluate/{token}/") for party, token in tokens.items()})


class EvaluationLinksResendInput(serializers.Serializer):
    party = serializers.ChoiceField(choices=EvaluationParty.choices, required=False, default="")


class EvaluationLinksResendApi(ReceptionApi):
    """Send the parties' evaluation links again (fresh links, new expiry) to the parties that have
    not rated yet, or to one `party`; audited. Answers the number of messages queued."""

    permission_classes = [JurisdictionMemberPermission]
    roles = evaluations.EVALUATION_RESEND_ROLES

    @extend_schema(
        operation_id="tasks_evaluation_links_resend",
        request=EvaluationLinksResendInput,
        responses=inline_serializer("EvaluationLinksResent", {"queued": serializers.IntegerField()}),
    )
    def post(self, request: Request, task_id: int) -> Response:
        data = valid(EvaluationLinksResendInput, request.data)
        queued = evaluations.evaluation_links_resend(
            actor=request.user,  # type: ignore[arg-type]
            jurisdiction=self.jurisdiction,
            task_id=task_id,
            party=data["party"],
        )
        return Response({"queued": queued})


class EvaluationsOutput(serializers.Serializer):
    party = serializers.CharField()
    party_label = serializers.CharField()
    score = serializers.IntegerField()
    comment = serializers.CharField()
    filed_by = serializers.CharField()
    at = serializers.DateTimeField()


class EvaluationsSummaryOutput(serializers.Serializer):
    evaluations = EvaluationsOutput(many=True)
    average = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)


class TaskEvaluationsApi(ReceptionApi):
    """The evaluations received for the task and their average score."""

    roles = ALL_ROLES

    @extend_schema(operation_id="tasks_evaluations", responses=EvaluationsSummaryOutput)
    def get(self, request: Request, task_id: int) -> Response:
        return Response(EvaluationsSummaryOutput(reads.evaluation_summary(reads.task_row(task_id))).data)
