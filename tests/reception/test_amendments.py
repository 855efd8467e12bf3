"""The amendment cycle (变更): amend → amending → submit → amendment_submitted → return → amending
→ submit → approve → the state before; refusals (no reason, wrong role, wrong state) change
nothing; the revisions list."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import AuditEntry
from reception.models import Revision, Task
from tests.conftest import api, error_fields, in_tenant, refused, user
from tests.reception.conftest import snapshot, task_url

pytestmark = pytest.mark.django_db

REASON = "来宾推迟一天到达"


def set_status(task: Any, status: str, **fields: Any) -> None:
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status=status, **fields)


def post(username: str, task: Any, action: str, data: dict[str, Any] | None = None) -> Any:
    return api("340100", username).post(task_url(task, f"{action}/"), data or {}, format="json")


def status_of(task: Any) -> str:
    with in_tenant("340100"):
        return Task.objects.get(pk=task.pk).status


def revisions(task: Any) -> list[tuple[int, str]]:
    with in_tenant("340100"):
        return list(Revision.objects.filter(task=task).order_by("number").values_list("number", "status"))


def amend(task: Any, username: str = "340100-drafter", reason: str = REASON) -> Any:
    return post(username, task, "amend", {"reason": reason})


@pytest.mark.parametrize("source", ["approved", "in_progress"])
@pytest.mark.parametrize("role", ["drafter", "handler"])
def test_amend_opens_a_revision_and_makes_the_plan_editable(draft, source, role):
    set_status(draft, source)
    response = amend(draft, f"340100-{role}")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "amending"
    assert revisions(draft) == [(1, "open")]
    entry = AuditEntry.objects.filter(chain="340100", object_type="reception.task", object_id=str(draft.pk)).latest(
        "sequence"
    )
    assert (entry.action, entry.before["status"], entry.after["status"], entry.comment) == (
        "reception.task.amended",
        source,
        "amending",
        REASON,
    )
    with in_tenant("340100"):
        item = draft.items.get()
    edit = api("340100", "340100-drafter").patch(task_url(draft, f"items/{item.pk}/"), {"quantity": 4}, format="json")
    assert edit.status_code == 200, edit.json()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 5001}])
def test_amend_without_a_reason_is_400_and_changes_nothing(draft, body):
    set_status(draft, "approved")
    before = snapshot()
    response = post("340100-drafter", draft, "amend", body)
    assert response.status_code == 400
    assert error_fields(response) == ["reason"]
    assert snapshot() == before and revisions(draft) == []


@pytest.mark.parametrize("role", ["reviewer", "admin", "counterpart", "finance", "supervisor"])
def test_amend_by_a_wrong_role_is_403_and_changes_nothing(draft, role):
    set_status(draft, "in_progress")
    before = snapshot()
    assert amend(draft, f"340100-{role}").status_code == 403
    assert snapshot() == before and revisions(draft) == []


@pytest.mark.parametrize("username", ["340200-drafter", "340000-admin", "340123-drafter"])
def test_other_jurisdictions_may_not_amend_nor_read_revisions(draft, username):
    set_status(draft, "in_progress")
    before = snapshot()
    assert amend(draft, username).status_code in (403, 404)
    assert snapshot() == before and revisions(draft) == []
    if username != "340000-admin":  # a parent's admin reads (oversight)
        assert api("340100", username).get(task_url(draft, "revisions/")).status_code in (403, 404)


@pytest.mark.parametrize(
    "status", ["draft", "submitted", "returned", "amending", "amendment_submitted", "completed", "cancelled"]
)
def test_amend_in_a_wrong_state_is_409_and_changes_nothing(draft, status):
    set_status(draft, status)
    before = snapshot()
    response = amend(draft)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert snapshot() == before and revisions(draft) == []


def test_the_plan_is_not_editable_while_the_amendment_is_submitted(draft):
    set_status(draft, "in_progress")
    amend(draft)
    assert post("340100-drafter", draft, "submit").status_code == 200
    with in_tenant("340100"):
        item = draft.items.get()
    before = snapshot()
    edit = api("340100", "340100-drafter").patch(task_url(draft, f"items/{item.pk}/"), {"quantity": 4}, format="json")
    refused(edit, 409, "not_editable")
    assert snapshot() == before


def test_the_whole_cycle_returns_to_the_state_before_and_lists_the_revision(draft):
    set_status(draft, "in_progress", submitted_by=None)
    assert amend(draft, "340100-handler").status_code == 200
    drafter = api("340100", "340100-drafter")
    with in_tenant("340100"):
        lunch = draft.items.get()
        guest = draft.guests.order_by("pk").last()
    assert (
        drafter.patch(task_url(draft, f"items/{lunch.pk}/"), {"venue": "市委接待中心"}, format="json").status_code
        == 200
    )
    assert drafter.patch(task_url(draft, f"guests/{guest.pk}/"), {"post": "主任"}, format="json").status_code == 200
    submitted = post("340100-drafter", draft, "submit")
    assert submitted.json()["status"] == "amendment_submitted"
    assert revisions(draft) == [(1, "submitted")]
    returned = post("340100-reviewer", draft, "return", {"comment": "请写明新的用餐地点"})
    assert returned.json()["status"] == "amending"
    assert revisions(draft) == [(1, "open")]
    assert post("340100-drafter", draft, "submit").json()["status"] == "amendment_submitted"
    assert api("340100", "340100-drafter").get(task_url(draft, "revisions/")).json() == []  # not approved yet
    approved = post("340100-reviewer", draft, "approve")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "in_progress"
    assert revisions(draft) == [(1, "approved")]
    listed = api("340100", "340100-finance").get(task_url(draft, "revisions/")).json()
    assert [(r["number"], r["reason"], r["opened_by"], r["submitted_by"], r["approved_by"]) for r in listed] == [
        (1, REASON, "340100-handler", "340100-drafter", "340100-reviewer")
    ]
    assert listed[0]["approved_at"]
    changes = listed[0]["changes"]
    assert [(c["part"], c["item"], c["change"], c["field"]) for c in changes] == [
        ("item", lunch.pk, "changed", "venue"),
        ("guest", None, "changed", "post"),
    ]
    assert (changes[0]["before"], changes[0]["after"]) == ("市政府机关食堂", "市委接待中心")
    assert (changes[1]["id"], changes[1]["before"], changes[1]["after"]) == (guest.pk, guest.post, "主任")
    actions = [h["action"] for h in api("340100", "340100-drafter").get(task_url(draft, "history/")).json()]
    assert actions[-5:] == [
        "reception.task.amended",
        "reception.task.amendment_submitted",
        "reception.task.amendment_returned",
        "reception.task.amendment_submitted",
        "reception.task.amendment_approved",
    ]


def test_an_approved_task_goes_back_to_approved(draft):
    set_status(draft, "approved")
    amend(draft)
    post("340100-drafter", draft, "submit")
    assert post("340100-reviewer", draft, "approve").json()["status"] == "approved"
    assert amend(draft).status_code == 200  # a second amendment: revision 2
    assert revisions(draft) == [(1, "approved"), (2, "open")]


def test_an_amendment_is_judged_by_every_rule(draft):
    set_status(draft, "in_progress")
    amend(draft)
    with in_tenant("340100"):
        item = draft.items.get()
    api("340100", "340100-drafter").patch(
        task_url(draft, f"items/{item.pk}/"), {"accompanying_count": 5}, format="json"
    )
    before = snapshot()
    response = post("340100-drafter", draft, "submit")
    assert response.status_code == 400
    assert "accompany_limit" in {e["code"] for e in response.json()["errors"]}
    assert snapshot() == before and status_of(draft) == "amending"


def test_the_submitter_may_not_approve_nor_return_the_amendment(draft):
    set_status(draft, "in_progress")
    amend(draft)
    post("340100-drafter", draft, "submit")
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(submitted_by=user("340100-reviewer"))
    before = snapshot()
    refused(post("340100-reviewer", draft, "approve"), 403, "separation_of_duties")
    refused(post("340100-reviewer", draft, "return", {"comment": "不行"}), 403, "separation_of_duties")
    assert snapshot() == before and revisions(draft) == [(1, "submitted")]


@pytest.mark.parametrize("status", ["amending", "amendment_submitted"])
def test_cancel_during_an_amendment_cancels_the_revision(draft, status):
    set_status(draft, "in_progress")
    amend(draft)
    if status == "amendment_submitted":
        post("340100-drafter", draft, "submit")
    assert post("340100-reviewer", draft, "cancel", {"reason": "来访取消"}).json()["status"] == "cancelled"
    assert revisions(draft) == [(1, "cancelled")]


def test_dispatch_and_complete_wait_for_the_amendment(draft):
    set_status(draft, "in_progress")
    amend(draft)
    before = snapshot()
    for action in ("dispatch", "complete"):
        response = post("340100-handler", draft, action)
        refused(response, 409, "invalid_transition")
    assert snapshot() == before


def test_the_task_page_amends_and_shows_the_current_revision_and_its_diff(draft):
    from tests.reception.test_views import browser, text

    set_status(draft, "in_progress")
    handler = browser("340100-handler")
    page = text(handler.get(f"/reception/tasks/{draft.pk}/"))
    assert 'data-testid="amend"' in page
    with in_tenant("340100"):
        version = Task.objects.get(pk=draft.pk).version
    refused = handler.post(f"/reception/tasks/{draft.pk}/amend/", {"version": version, "reason": ""})
    assert refused.status_code in (303, 400) and status_of(draft) == "in_progress"
    done = handler.post(f"/reception/tasks/{draft.pk}/amend/", {"version": version, "reason": REASON})
    assert done.status_code == 303 and status_of(draft) == "amending"
    with in_tenant("340100"):
        item = draft.items.get()
    drafter = api("340100", "340100-drafter")
    drafter.patch(task_url(draft, f"items/{item.pk}/"), {"venue": "市委接待中心"}, format="json")
    page = text(browser("340100-drafter").get(f"/reception/tasks/{draft.pk}/"))
    assert 'data-testid="current-amendment"' in page and REASON in page
    assert "市政府机关食堂" in page and "市委接待中心" in page and 'data-testid="edit-plan"' in page


# --- Refusals inside the cycle: submit, return and approve of an amendment -------------------


def _amendment_in(draft: Any, status: str) -> None:
    set_status(draft, "in_progress", submitted_by=None)
    assert amend(draft).status_code == 200
    if status == "amendment_submitted":
        assert post("340100-drafter", draft, "submit").status_code == 200


@pytest.mark.parametrize(
    ("status", "action", "username", "body", "code"),
    [
        # wrong role
        ("amending", "submit", "340100-reviewer", {}, 403),
        ("amending", "submit", "340100-handler", {}, 403),
        ("amendment_submitted", "approve", "340100-drafter", {}, 403),
        ("amendment_submitted", "approve", "340100-handler", {}, 403),
        ("amendment_submitted", "return", "340100-admin", {"comment": "请修改"}, 403),
        # wrong state
        ("amending", "approve", "340100-reviewer", {}, 409),
        ("amending", "return", "340100-reviewer", {"comment": "请修改"}, 409),
        ("amendment_submitted", "submit", "340100-drafter", {}, 409),
        # no comment
        ("amendment_submitted", "return", "340100-reviewer", {}, 400),
        ("amendment_submitted", "return", "340100-reviewer", {"comment": "  "}, 400),
    ],
)
def test_refused_steps_of_the_amendment_change_nothing(draft, status, action, username, body, code):
    _amendment_in(draft, status)
    revision_state = "open" if status == "amending" else "submitted"
    before = snapshot()
    response = post(username, draft, action, body)
    assert response.status_code == code, response.json()
    if code == 409:
        assert response.json()["code"] == "invalid_transition"
    if code == 400:
        assert error_fields(response) == ["comment"]
    assert snapshot() == before
    assert status_of(draft) == status and revisions(draft) == [(1, revision_state)]
