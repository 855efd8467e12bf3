"""Returning the reception list (一单一审核: approve or return): the service, the API, the PDF, the
task page and the OpenAPI document."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from core.errors import Conflict, Forbidden, InvalidInput
from core.models import AuditEntry, Notification, User
from reception.models import ListStatus, PlanItem, ReceptionList, Task
from reception.services.settlement import reception_list_approve, reception_list_draft, reception_list_return
from tests.conftest import HOSTS, api, error_fields, in_tenant, refused, refused_page, unchanged, user
from tests.provider_portal.conftest import staff_api

pytestmark = pytest.mark.django_db

COMMENT = "住宿费用与发票不符，请核对后重新编制"


def url(task: Any, suffix: str = "") -> str:
    return f"/api/v1/tasks/{task.pk}/reception-list/{suffix}"


@pytest.fixture
def drafted(task: Any) -> Any:
    """The task completed and its list drafted by the drafter, then redrafted by finance."""
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status="completed")
    assert staff_api("340100", "drafter").post(url(task), {}, format="json").status_code == 201
    assert staff_api("340100", "finance").post(url(task), {}, format="json").status_code == 201
    return task


@pytest.fixture
def addresses(tree: Any) -> None:
    for u in User.objects.filter(username__startswith="340100-"):
        u.email = f"{u.username}@hefei.example.gov.cn"
        u.save(update_fields=["email"])


def list_row(task: Any) -> ReceptionList:
    with in_tenant("340100"):
        return ReceptionList.objects.get(task=task)


def list_state(task: Any) -> tuple[Any, ...]:
    """Everything a refused return must leave as it was."""
    with in_tenant("340100"):
        rl = ReceptionList.objects.get(task=task)
        t = Task.objects.get(pk=task.pk)
        return (rl.status, rl.return_comment, rl.returned_by_id, rl.returned_at, t.status, t.version)


def list_audit(task: Any, action: str) -> Any:
    return AuditEntry.objects.filter(chain="340100", object_id=str(task.pk), action=action)


def return_(task: Any, role: str = "reviewer", body: Any = None) -> Any:
    body = {"comment": COMMENT} if body is None else body
    return staff_api("340100", role).post(url(task, "return/"), body, format="json")


# --- the service -----------------------------------------------------------------------------------


def test_return_keeps_the_comment_records_it_and_tells_the_drafters(
    drafted: Any, tree: Any, addresses: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with in_tenant("340100"):
        version = Task.objects.get(pk=drafted.pk).version
        with django_capture_on_commit_callbacks(execute=True):
            returned = reception_list_return(
                actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=drafted.pk, comment=f"  {COMMENT} "
            )
            assert mail.outbox == []  # nothing leaves before the commit
        task = Task.objects.get(pk=drafted.pk)
    assert (returned.status, returned.return_comment, returned.returned_by) == (
        "returned",
        COMMENT,
        user("340100-reviewer"),
    )
    assert returned.returned_at is not None and returned.approved_at is None
    # The task itself does not move: still completed, waiting for the redrafted list.
    assert (task.status, task.version) == ("completed", version)
    entry = list_audit(drafted, "reception.list.returned").get()
    assert entry.actor == user("340100-reviewer") and entry.comment == COMMENT
    assert entry.before == {"status": "draft"} and entry.after == {"status": "returned", "total": "1695.50"}
    # Both who drafted it (the drafter, then finance) hear of it, with the comment; nobody else.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "340100-drafter@hefei.example.gov.cn",
        "340100-finance@hefei.example.gov.cn",
    ]
    assert all(f"意见：{COMMENT}" in m.body and f"/reception/tasks/{drafted.pk}/" in m.body for m in mail.outbox)
    assert mail.outbox[0].subject == f"接待任务“{drafted.title}”的接待清单已退回"
    assert set(Notification.objects.values_list("event", flat=True)) == {"reception.list.returned"}


def test_a_refused_return_changes_nothing_and_tells_nobody(
    drafted: Any, tree: Any, addresses: Any, django_capture_on_commit_callbacks: Any
) -> None:
    before = list_state(drafted)
    with in_tenant("340100"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        for comment in ("", "   ", "x" * 5001):
            with pytest.raises(InvalidInput) as refused:
                reception_list_return(
                    actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=drafted.pk, comment=comment
                )
            assert refused.value.field == "comment"
        for role in ("drafter", "finance", "handler", "admin"):
            with pytest.raises(Forbidden):
                reception_list_return(
                    actor=user(f"340100-{role}"), jurisdiction=tree["340100"], task_id=drafted.pk, comment=COMMENT
                )
    assert callbacks == [] and mail.outbox == []
    assert list_state(drafted) == before
    assert not list_audit(drafted, "reception.list.returned").exists()


def test_return_needs_a_drafted_list(task: Any, tree: Any) -> None:
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status="completed")
        with pytest.raises(Conflict) as refused:
            reception_list_return(
                actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=task.pk, comment=COMMENT
            )
    assert refused.value.code == "list_missing"


def test_returned_then_redrafted_from_current_costs_then_approved(drafted: Any, tree: Any) -> None:
    reviewer, jurisdiction = user("340100-reviewer"), tree["340100"]
    with in_tenant("340100"):
        reception_list_return(actor=reviewer, jurisdiction=jurisdiction, task_id=drafted.pk, comment=COMMENT)
        # A returned list is not approved as it stands: it must be redrafted first.
        with pytest.raises(Conflict) as refused:
            reception_list_approve(actor=reviewer, jurisdiction=jurisdiction, task_id=drafted.pk)
        assert refused.value.code == "invalid_transition"
        assert Task.objects.get(pk=drafted.pk).status == "completed"
        # The corrected figure (here the plan's lodging price: no order was sent) is what the redraft counts.
        PlanItem.objects.filter(task=drafted, kind="lodging").update(unit_price=Decimal("360.00"))
        redrafted = reception_list_draft(actor=user("340100-finance"), jurisdiction=jurisdiction, task_id=drafted.pk)
        assert (redrafted.status, redrafted.total) == ("draft", Decimal("1615.50"))  # 58.50 × 3 + 360 × 4
        assert redrafted.return_comment == COMMENT  # the last return stays readable
        settled = reception_list_approve(actor=reviewer, jurisdiction=jurisdiction, task_id=drafted.pk)
    assert settled.status == "settled"
    assert list_row(drafted).status == ListStatus.APPROVED
    redraft = list_audit(drafted, "reception.list.redrafted").order_by("-sequence").first()
    assert redraft is not None and redraft.before == {"status": "returned"}


# --- the API ---------------------------------------------------------------------------------------


def test_api_return_answers_the_task_and_the_list_shows_the_comment(drafted: Any) -> None:
    response = return_(drafted)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == drafted.pk and body["status"] == "completed"  # as approve: the task
    listed = staff_api("340100", "drafter").get(url(drafted)).json()
    assert listed["status"] == "returned" and listed["return_comment"] == COMMENT
    assert listed["returned_at"] is not None and listed["approved_at"] is None
    # The documented fields stay.
    assert {"status", "guests", "accompanying", "items", "total"} <= set(listed)
    history = staff_api("340100", "drafter").get(f"/api/v1/tasks/{drafted.pk}/history/").json()
    assert history[-1]["action"] == "reception.list.returned"
    assert (history[-1]["actor"], history[-1]["comment"]) == ("340100-reviewer", COMMENT)
    # Returning again: the state has moved on.
    again = return_(drafted)
    refused(again, 409, "invalid_transition")


@pytest.mark.parametrize(
    "body",
    [{}, {"comment": ""}, {"comment": "   "}, {"comment": "长" * 5001}, {"comment": None}, {"comment": ["x"]}],
    ids=["missing", "blank", "spaces", "too-long", "null", "list"],
)
def test_api_bad_comment_is_400_on_comment_and_changes_nothing(drafted: Any, body: dict[str, Any]) -> None:
    before = list_state(drafted)
    response = return_(drafted, body=body)
    assert response.status_code == 400, response.content
    assert set(error_fields(response)) == {"comment"}
    assert list_state(drafted) == before
    assert not list_audit(drafted, "reception.list.returned").exists()


def test_api_return_by_other_roles_is_403(drafted: Any) -> None:
    before = list_state(drafted)
    for role in ("drafter", "finance", "handler", "admin", "counterpart", "supervisor"):
        assert return_(drafted, role).status_code == 403, role
    # Oversight from the province is read-only; another city has no say.
    path = url(drafted, "return/")
    with unchanged():
        refused(
            api("340100", "340000-reviewer").post(path, {"comment": COMMENT}, format="json"), 403, "permission_denied"
        )
    with unchanged():
        refused(
            api("340100", "340200-reviewer").post(path, {"comment": COMMENT}, format="json"), 403, "permission_denied"
        )
    with unchanged():
        refused(api("340100").post(path, {"comment": COMMENT}, format="json"), 401, "not_authenticated")
    assert list_state(drafted) == before


def test_api_return_without_a_list_or_after_approval_is_409(task: Any) -> None:
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status="completed")
    missing = return_(task)
    refused(missing, 409, "list_missing")
    assert staff_api("340100", "finance").post(url(task), {}, format="json").status_code == 201
    assert staff_api("340100", "reviewer").post(url(task, "approve/"), {}, format="json").status_code == 200
    before = list_state(task)
    approved = return_(task)
    refused(approved, 409, "invalid_transition")
    assert list_state(task) == before and before[0] == "approved"
    assert return_(task, body={"comment": ""}).status_code == 400  # bad input is still 400
    assert (
        staff_api("340100", "reviewer")
        .post("/api/v1/tasks/999999/reception-list/return/", {"comment": "x"})
        .status_code
        == 404
    )


def test_api_redraft_after_return_then_approve_settles(drafted: Any) -> None:
    assert return_(drafted).status_code == 200
    refusal = staff_api("340100", "reviewer").post(url(drafted, "approve/"), {}, format="json")
    refused(refusal, 409, "invalid_transition")
    redrafted = staff_api("340100", "drafter").post(url(drafted), {}, format="json")
    assert redrafted.status_code == 201 and redrafted.json()["status"] == "draft"
    settled = staff_api("340100", "reviewer").post(url(drafted, "approve/"), {}, format="json")
    assert settled.status_code == 200 and settled.json()["status"] == "settled"
    actions = list(
        AuditEntry.objects.filter(chain="340100", object_id=str(drafted.pk), action__startswith="reception.")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions[-5:] == [
        "reception.list.redrafted",
        "reception.list.returned",
        "reception.list.redrafted",
        "reception.list.approved",
        "reception.task.settled",
    ]


# --- the PDF ---------------------------------------------------------------------------------------


def _pdf_text(task: Any) -> str:
    pdf = staff_api("340100", "finance").get(f"/api/v1/tasks/{task.pk}/reception-list.pdf")
    assert pdf.status_code == 200
    return (
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "").replace("\n", "")
    )


def test_the_pdf_of_a_returned_list_does_not_look_final(drafted: Any) -> None:
    assert "未经审核" in _pdf_text(drafted)  # a draft is marked too
    assert return_(drafted, body={"comment": "发票号<有误> & 金额不符"}).status_code == 200
    text = _pdf_text(drafted)
    assert "【已退回·未经审核，不作报销凭证】" in text
    assert "退回意见：发票号<有误>&金额不符" in text
    assert "____年__月__日" in text  # no approval date
    assert staff_api("340100", "drafter").post(url(drafted), {}, format="json").status_code == 201
    assert staff_api("340100", "reviewer").post(url(drafted, "approve/"), {}, format="json").status_code == 200
    final = _pdf_text(drafted)
    assert "未经审核" not in final and "退回意见" not in final and "公务接待清单" in final


# --- the task page ---------------------------------------------------------------------------------


def page(username: str) -> Client:
    client = Client(HTTP_HOST=HOSTS["340100"], enforce_csrf_checks=True)
    client.force_login(user(username))
    return client


def test_the_page_offers_return_to_reviewers_and_shows_the_comment_to_the_drafter(drafted: Any) -> None:
    detail = f"/reception/tasks/{drafted.pk}/"
    reviewer = page("340100-reviewer")
    shown = reviewer.get(detail).content.decode()
    assert 'data-testid="return-list"' in shown and 'data-testid="approve-list"' in shown
    assert f'action="/reception/tasks/{drafted.pk}/reception-list/return/"' in shown
    form = shown.split('data-testid="return-list-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form and 'name="comment"' in form
    for role in ("drafter", "finance", "handler", "admin"):
        assert 'data-testid="return-list"' not in page(f"340100-{role}").get(detail).content.decode(), role

    # Without the CSRF token: refused.
    assert (
        reviewer.post(f"/reception/tasks/{drafted.pk}/reception-list/return/", {"comment": COMMENT}).status_code == 403
    )
    token = reviewer.cookies["csrftoken"].value
    # A blank comment: a message, nothing changes.
    before = list_state(drafted)
    blank = reviewer.post(
        f"/reception/tasks/{drafted.pk}/reception-list/return/",
        {"comment": "  ", "csrfmiddlewaretoken": token},
        follow=True,
    )
    refused_page(blank, 200, "required")
    assert list_state(drafted) == before
    # Another role posting the form: 403.
    drafter = page("340100-drafter")
    drafter.get(detail)
    refused = drafter.post(
        f"/reception/tasks/{drafted.pk}/reception-list/return/",
        {"comment": COMMENT, "csrfmiddlewaretoken": drafter.cookies["csrftoken"].value},
    )
    assert refused.status_code == 403 and list_state(drafted) == before

    done = reviewer.post(
        f"/reception/tasks/{drafted.pk}/reception-list/return/", {"comment": COMMENT, "csrfmiddlewaretoken": token}
    )
    assert done.status_code == 303 and done["Location"] == detail
    assert list_row(drafted).status == "returned"
    after = reviewer.get(detail).content.decode()
    assert 'data-testid="return-list"' not in after and 'data-testid="approve-list"' not in after
    seen = drafter.get(detail).content.decode()
    assert 'data-testid="list-return-comment"' in seen and f"审核退回意见：{COMMENT}" in seen
    assert 'data-status="returned"' in seen and 'data-testid="draft-list"' in seen


def test_the_page_reads_in_english(drafted: Any) -> None:
    assert return_(drafted).status_code == 200
    client = Client(HTTP_HOST=HOSTS["340100"], HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user("340100-drafter"))
    shown = client.get(f"/reception/tasks/{drafted.pk}/").content.decode()
    assert "Reviewer&#x27;s return comment: " in shown or "Reviewer's return comment: " in shown


# --- the OpenAPI document --------------------------------------------------------------------------


def test_openapi_documents_the_return_with_its_comment() -> None:
    schema = Client(HTTP_HOST="hefei.localhost").get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/tasks/{task_id}/reception-list/return/"]["post"]
    assert operation["operationId"] == "tasks_reception_list_return"
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    body = schema["components"]["schemas"][ref]
    assert body["required"] == ["comment"] and body["properties"]["comment"]["maxLength"] == 5000
    assert set(operation["responses"]) >= {"200"}
    listed = schema["paths"]["/api/v1/tasks/{task_id}/reception-list/"]["get"]["responses"]["200"]["content"]
    out = listed["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"return_comment", "returned_at"} <= set(schema["components"]["schemas"][out]["properties"])
