"""POST tasks/{id}/submit|return|approve|assign|cancel/ and the guest itinerary link."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import AuditEntry
from reception.models import Task
from tests.conftest import api, error_fields, in_tenant, refused, unchanged
from tests.reception.conftest import snapshot, task_url
from tests.reception.factories import DAY, GuestFactory, PlanItemFactory, StaffFactory, at

NEXT = DAY + dt.timedelta(days=1)

pytestmark = pytest.mark.django_db


def set_status(task, status, **fields):
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status=status, **fields)


def post(username, task, action, data=None):
    return api("340100", username).post(task_url(task, f"{action}/"), data or {}, format="json")


#: action → (the status it starts from, the role that takes it, its body, the status it leads to)
CASES = {
    "submit": ("draft", "drafter", {}, "submitted"),
    "return": ("submitted", "reviewer", {"comment": "请补充来宾名单"}, "returned"),
    "approve": ("submitted", "reviewer", {}, "approved"),
    "assign": ("approved", "reviewer", {"handler": "340100-handler"}, "in_progress"),
    "cancel": ("draft", "drafter", {"reason": "来访取消"}, "cancelled"),
}


@pytest.mark.parametrize("action", list(CASES))
def test_each_transition_answers_the_task_and_is_recorded(draft, action):
    source, role, data, target = CASES[action]
    set_status(draft, source)
    response = post(f"340100-{role}", draft, action, data)
    assert response.status_code == 200, response.json()
    task = response.json()
    assert (task["id"], task["status"]) == (draft.pk, target)
    assert {"guests", "items", "handler", "version"} <= set(task)
    entry = AuditEntry.objects.filter(chain="340100", object_type="reception.task", object_id=str(draft.pk)).latest(
        "sequence"
    )
    assert entry.action.startswith("reception.task.") and entry.actor_username == f"340100-{role}"
    assert (entry.before["status"], entry.after["status"]) == (source, target)
    assert entry.comment == data.get("comment", data.get("reason", ""))


@pytest.mark.parametrize("action", list(CASES))
def test_repeating_a_transition_after_success_is_409(draft, action):
    source, role, data, _target = CASES[action]
    set_status(draft, source)
    assert post(f"340100-{role}", draft, action, data).status_code == 200
    before = snapshot()
    again = post(f"340100-{role}", draft, action, data)
    refused(again, 409, "invalid_transition")
    assert snapshot() == before


FORBIDDEN = {
    "submit": ["reviewer", "handler", "admin", "counterpart", "finance", "supervisor"],
    "return": ["drafter", "handler", "admin", "counterpart", "finance", "supervisor"],
    "approve": ["drafter", "handler", "admin", "counterpart", "finance", "supervisor"],
    "assign": ["drafter", "handler", "counterpart", "finance", "supervisor"],
    "cancel": ["handler", "counterpart", "finance", "supervisor"],
}


@pytest.mark.parametrize(("action", "role"), [(a, r) for a, roles in FORBIDDEN.items() for r in roles])
def test_forbidden_roles_get_403_and_nothing_changes(draft, action, role):
    source, _role, data, _target = CASES[action]
    set_status(draft, source)
    before = snapshot()
    refused(post(f"340100-{role}", draft, action, data), 403, "permission_denied")
    assert snapshot() == before


@pytest.mark.parametrize("action", list(CASES))
@pytest.mark.parametrize("username", ["340000-supervisor", "340000-admin", "340200-reviewer", "340123-admin"])
def test_overseers_and_other_jurisdictions_may_not_act(draft, action, username):
    source, _role, data, _target = CASES[action]
    set_status(draft, source)
    before = snapshot()
    refused(post(username, draft, action, data), 403, "permission_denied")
    assert snapshot() == before


WRONG_STATE = {
    "submit": ["submitted", "approved", "in_progress", "cancelled", "settled"],
    "return": ["draft", "returned", "approved", "in_progress", "cancelled"],
    "approve": ["draft", "returned", "approved", "cancelled"],
    "assign": ["draft", "submitted", "in_progress", "cancelled"],
    "cancel": ["completed", "settled", "cancelled"],
}


@pytest.mark.parametrize(("action", "status"), [(a, s) for a, states in WRONG_STATE.items() for s in states])
def test_wrong_state_is_409(draft, action, status):
    _source, role, data, _target = CASES[action]
    set_status(draft, status)
    before = snapshot()
    refused(post(f"340100-{role}", draft, action, data), 409, "invalid_transition")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("return", {}, "comment"),
        ("return", {"comment": "   "}, "comment"),
        ("return", {"comment": "x" * 5001}, "comment"),
        ("return", {"comment": "退\x00回"}, "comment"),
        ("cancel", {}, "reason"),
        ("cancel", {"reason": ""}, "reason"),
        ("assign", {}, "handler"),
        ("assign", {"handler": "340100-drafter"}, "handler"),  # not a handler
        ("assign", {"handler": "340200-handler"}, "handler"),  # a handler elsewhere
        ("assign", {"handler": "nobody"}, "handler"),
        ("assign", {"handler": 42}, "handler"),
        ("approve", {"version": "x"}, "version"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(draft, action, data, field):
    source, role, _data, _target = CASES[action]
    set_status(draft, source)
    before = snapshot()
    response = post(f"340100-{role}", draft, action, data)
    assert response.status_code == 400, response.json()
    assert error_fields(response) == [field]
    assert snapshot() == before


def test_malformed_json_is_400(draft):
    set_status(draft, "submitted")
    before = snapshot()
    client = api("340100", "340100-reviewer")
    response = client.post(task_url(draft, "return/"), b'{"comment": ', content_type="application/json")
    refused(response, 400, "invalid_json")
    assert snapshot() == before


def test_a_stale_version_is_409(draft):
    set_status(draft, "submitted")
    before = snapshot()
    refused(post("340100-reviewer", draft, "approve", {"version": 99}), 409, "stale_version")
    assert snapshot() == before
    assert post("340100-reviewer", draft, "approve", {"version": 1}).status_code == 200


def test_rule_errors_block_submission_with_the_findings(draft):
    with in_tenant("340100"):
        GuestFactory.create_batch(8, task=draft, grade="division")  # 10 guests on the list
        StaffFactory.create_batch(3, task=draft)  # 4 accompanying
        item = PlanItemFactory(
            task=draft, guests_count=10, accompanying_count=4, quantity=14, starts_at=at(12, day=NEXT)
        )
    before = snapshot()
    response = post("340100-drafter", draft, "submit")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "方案不符合接待规定，不能提交。",
        "code": "rules_failed",
        "errors": [
            {
                "code": "accompany_limit",
                "message": "第2项（午餐 05-07 12:00 市政府机关食堂）：客人 10 人，陪餐最多 3 人，现为 4 人"
                "（《党政机关国内公务接待管理规定》第十条；接待标准第 1 版）",
                "item": item.pk,
                "field": "accompanying_count",
                "source": "《党政机关国内公务接待管理规定》第十条；接待标准第 1 版",
            }
        ],
    }
    assert snapshot() == before


def test_warnings_do_not_block_and_the_standard_version_is_recorded(draft):
    with in_tenant("340100"):
        PlanItemFactory(
            task=draft, unit_price="85.00", guests_count=2, accompanying_count=0, quantity=2, starts_at=at(12, day=NEXT)
        )
    assert [w["code"] for w in api("340100", "340100-drafter").get(task_url(draft, "checks/")).json()["warnings"]] == [
        "meal_standard_near"
    ]
    response = post("340100-drafter", draft, "submit")
    assert response.status_code == 200
    assert response.json()["standard_version"] == 1


def test_assign_names_the_handler(draft):
    set_status(draft, "approved")
    response = post("340100-admin", draft, "assign", {"handler": "340100-handler"})
    assert (response.json()["status"], response.json()["handler"]) == ("in_progress", "340100-handler")
    listing = api("340100", "340100-handler").get("/api/v1/tasks/?handler=340100-handler").json()
    assert [row["id"] for row in listing["results"]] == [draft.pk]


def test_unknown_task_is_404(tree):
    refused(api("340100", "340100-reviewer").post("/api/v1/tasks/999999/approve/", {}, format="json"), 404, "not_found")


# --- Itinerary link ----------------------------------------------------------------------------


def test_itinerary_link_is_issued_after_approval_and_revocable(draft):
    client = api("340100", "340100-handler")
    with unchanged("340100"):
        refused(client.post(task_url(draft, "itinerary-link/")), 409, "invalid_transition")
    set_status(draft, "approved")
    response = client.post(task_url(draft, "itinerary-link/"))
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("http://hefei.localhost/itinerary/")
    path = url.removeprefix("http://hefei.localhost")
    from django.test import Client

    page = Client(HTTP_HOST="hefei.localhost").get(path)
    assert page.status_code == 200
    assert "市政府机关食堂" in page.content.decode()
    assert client.delete(task_url(draft, "itinerary-link/")).status_code == 204
    assert Client(HTTP_HOST="hefei.localhost").get(path).status_code == 404
    actions = [h["action"] for h in client.get(task_url(draft, "history/")).json()]
    assert actions[-2:] == ["reception.task.itinerary_issued", "reception.task.itinerary_revoked"]


@pytest.mark.parametrize("username", ["340100-counterpart", "340100-finance", "340000-supervisor", "340200-handler"])
def test_itinerary_link_roles(draft, username):
    set_status(draft, "approved")
    client = api("340100", username)
    with unchanged("340100"):
        refused(client.post(task_url(draft, "itinerary-link/")), 403, "permission_denied")
        refused(client.delete(task_url(draft, "itinerary-link/")), 403, "permission_denied")
