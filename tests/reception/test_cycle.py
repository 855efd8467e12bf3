"""The whole review cycle through the API, and two reviewers approving at once."""

from __future__ import annotations

import threading
import time

import pytest

from core.models import AuditEntry
from tests.conftest import api, in_tenant
from tests.reception.conftest import skip_used_task_ids

LUNCH = {
    "kind": "meal",
    "starts_at": "2026-06-02T12:00:00+08:00",
    "venue": "市政府机关食堂",
    "meal_type": "lunch",
    "working_meal": True,
    "guests_count": 10,
    "accompanying_count": 4,
    "unit_price": "95.00",
    "quantity": 14,
    "menu": "家常菜",
}


@pytest.mark.django_db
def test_letter_to_assignment_through_the_api(tree):
    counterpart = api("340100", "340100-counterpart")
    drafter = api("340100", "340100-drafter")
    reviewer = api("340100", "340100-reviewer")
    # A letter, then a task from it
    letter = counterpart.post(
        "/api/v1/letters/",
        {
            "number": "皖农函〔2026〕21号",
            "sending_unit": "安徽省农业农村厅",
            "purpose": "inspection_research",
            "content": "调研高标准农田建设。",
            "itinerary": "6月2日全天",
            "people_count": 10,
            "received_on": "2026-05-20",
        },
        format="json",
    ).json()
    task = counterpart.post(
        "/api/v1/tasks/",
        {
            "letter": letter["id"],
            "title": "省农业农村厅调研接待",
            "level": "bureau",
            "counterpart_unit": "合肥市农业农村局",
            "start_date": "2026-06-02",
            "end_date": "2026-06-02",
        },
        format="json",
    ).json()
    url = f"/api/v1/tasks/{task['id']}/"
    # The plan: ten guests (led by a 厅局级 official), four accompanying, a lunch for all of them
    guests = [{"name": "带队领导", "unit": "安徽省农业农村厅", "post": "副厅长", "grade": "bureau"}]
    guests += [{"name": f"来宾{n}", "unit": "安徽省农业农村厅", "post": "干部", "grade": "section"} for n in range(9)]
    assert drafter.post(url + "guests/", guests, format="json").status_code == 201
    staff = [{"name": f"陪同{n}", "unit": "合肥市农业农村局", "post": "科长"} for n in range(4)]
    assert drafter.post(url + "accompanying/", staff, format="json").status_code == 201
    item = drafter.post(url + "items/", LUNCH, format="json").json()
    # Rule errors block the submission
    blocked = drafter.post(url + "submit/", {}, format="json")
    assert blocked.status_code == 400
    assert [e["code"] for e in blocked.json()["errors"]] == ["accompany_limit", "meal_standard"]
    # Fix: three accompanying, within the bureau-level lunch standard (90)
    fixed = drafter.patch(
        url + f"items/{item['id']}/",
        {"accompanying_count": 3, "quantity": 13, "unit_price": "50.00", "version": item["version"]},
        format="json",
    )
    assert fixed.status_code == 200
    assert drafter.get(url + "checks/").json() == {"errors": [], "warnings": []}
    assert drafter.post(url + "submit/", {}, format="json").json()["status"] == "submitted"
    # Returned with a comment, revised, resubmitted
    returned = reviewer.post(url + "return/", {"comment": "工作餐请改为自助餐"}, format="json")
    assert returned.json()["status"] == "returned"
    assert drafter.patch(url + f"items/{item['id']}/", {"menu": "自助餐"}, format="json").status_code == 200
    assert drafter.post(url + "submit/", {}, format="json").json()["status"] == "submitted"
    # Approved and assigned
    assert reviewer.post(url + "approve/", {}, format="json").json()["status"] == "approved"
    assigned = reviewer.post(url + "assign/", {"handler": "340100-handler"}, format="json").json()
    assert (assigned["status"], assigned["handler"], assigned["standard_version"]) == (
        "in_progress",
        "340100-handler",
        1,
    )
    # Every step is in the history, oldest first, with who and why
    history = api("340100", "340000-supervisor").get(url + "history/").json()
    assert [(h["action"], h["actor"], h["comment"]) for h in history] == [
        ("reception.task.created", "340100-counterpart", ""),
        ("reception.task.submitted", "340100-drafter", ""),
        ("reception.task.returned", "340100-reviewer", "工作餐请改为自助餐"),
        ("reception.task.submitted", "340100-drafter", ""),
        ("reception.task.approved", "340100-reviewer", ""),
        ("reception.task.assigned", "340100-reviewer", ""),
    ]
    assert all(h["at"].endswith("+08:00") for h in history)
    assert [
        t["id"] for t in api("340100", "340100-handler").get("/api/v1/tasks/?status=in_progress").json()["results"]
    ] == [task["id"]]


def test_two_reviewers_approving_at_once_one_wins(committed, monkeypatch):
    from reception.services import transitions
    from tenants.services import membership_add, user_ensure
    from tests.conftest import PASSWORD
    from tests.reception.factories import TaskFactory

    second, _created = user_ensure(username="340300-reviewer2", password=PASSWORD, display_name="second reviewer")
    membership_add(actor=None, user=second, jurisdiction=committed, role="reviewer")
    from tests.conftest import user

    skip_used_task_ids("340300")
    with in_tenant("340300"):
        task = TaskFactory(status="submitted", created_by=user("340300-drafter"))
    clients = [api("340300", "340300-reviewer"), api("340300", "340300-reviewer2")]
    # Hold each approval inside its transaction a moment, so that the two really overlap
    record = transitions.audit_record

    def slow_record(**kwargs):
        time.sleep(0.3)
        return record(**kwargs)

    monkeypatch.setattr(transitions, "audit_record", slow_record)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def approve(client):
        from django.db import connections

        try:
            barrier.wait()
            statuses.append(client.post(f"/api/v1/tasks/{task.pk}/approve/", {}, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 409]
    approvals = AuditEntry.objects.filter(
        chain="340300", action="reception.task.approved", object_type="reception.task", object_id=str(task.pk)
    )
    assert approvals.count() == 1
    with in_tenant("340300"):
        from reception.models import Task

        assert (Task.objects.get(pk=task.pk).status, Task.objects.get(pk=task.pk).version) == ("approved", 2)
