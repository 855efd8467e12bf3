"""A superior's amendment pushed down after its `task` directive (`POST directives/{id}/amendment/`):
each target's local task follows it by its state (replaced while a draft, a local amendment
opened once approved, nothing once cancelled or completed); refusals change nothing; other
jurisdictions get 403/404; a redelivered message applies it once."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from core.models import AuditEntry
from reception.models import Guest, PlanItem, Revision, Task
from reception.revisions import plan_changes, plan_snapshot
from reception.services import amendments
from reporting.directives.tasks import directive_deliver
from reporting.models import Delivery, Directive
from tests.conftest import api, in_tenant, refused, user
from tests.reception.conftest import snapshot
from tests.reporting.test_pages import browser

pytestmark = pytest.mark.django_db
URL = "/api/v1/directives/"
REASON = "调研组推迟一天到达"


def push_task(capture: Any, task: Any, targets: list[str]) -> dict[str, Any]:
    with capture(execute=True):
        response = api("340000", "340000-admin").post(
            URL, {"kind": "task", "title": "沿线接待", "targets": targets, "task": task.pk}, format="json"
        )
    assert response.status_code == 201, response.json()
    return response.json()


def push_amendment(capture: Any, directive_id: int, body: dict[str, Any] | None = None, **who: str) -> Any:
    code, username = who.get("code", "340000"), who.get("username", "340000-admin")
    with capture(execute=True):
        return api(code, username).post(f"{URL}{directive_id}/amendment/", body or {}, format="json")


def amend_origin(task: Any, edit: Callable[[Task], None], reason: str = REASON) -> None:
    """An approved amendment of the origin, recorded as the approval records it."""
    with in_tenant("340000"):
        origin = Task.objects.get(pk=task.pk)
        revision = amendments.revision_open(actor=user("340000-drafter"), task=origin, reason=reason)
        edit(origin)
        origin = Task.objects.get(pk=task.pk)
        revision.changes = plan_changes(revision.baseline, plan_snapshot(origin))
        revision.status, revision.approved_at = "approved", timezone.now()
        revision.approved_by = user("340000-reviewer")
        revision.save()


def origin_edit(task: Task) -> None:
    """Two more covers at the meal, no lodging, a visit added, a guest's post changed."""
    meal = task.items.get(kind="meal")
    meal.quantity, meal.guests_count = meal.quantity + 2, meal.guests_count + 2
    meal.save()
    task.items.get(kind="lodging").delete()
    PlanItem.objects.create(
        task=task,
        kind="visit",
        starts_at=meal.starts_at,
        venue="合肥滨湖科学城",
        guests_count=3,
        unit_price=Decimal("0"),
        quantity=1,
        payer="host",
    )
    guest = task.guests.order_by("pk").first()
    guest.post = "副司长"
    guest.save()


def local(delivery: Delivery) -> Task:
    with in_tenant(delivery.target.code):
        return Task.objects.get(pk=delivery.local_task_id)


def local_plan(code: str, task_id: int) -> tuple[list[tuple[Any, ...]], list[str]]:
    with in_tenant(code):
        items = sorted(
            PlanItem.objects.filter(task_id=task_id).values_list("kind", "quantity", "unit_price", "provider_id")
        )
        posts = sorted(Guest.objects.filter(task_id=task_id).values_list("post", flat=True))
    return items, posts


def set_local(code: str, task_id: int, **fields: Any) -> None:
    with in_tenant(code):
        Task.objects.filter(pk=task_id).update(**fields)


@pytest.mark.parametrize("status", ["approved", "in_progress"])
def test_an_approved_local_task_gets_a_local_amendment_with_the_changes(
    tree, origin_task, django_capture_on_commit_callbacks, status
):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    task_delivery = Delivery.objects.get(directive_id=sent["id"])
    task_id = task_delivery.local_task_id
    set_local("340100", task_id, status=status)
    with in_tenant("340100"):  # the city's own price for the meal stays
        PlanItem.objects.filter(task_id=task_id, kind="meal").update(unit_price=Decimal("55.00"))
    amend_origin(origin_task, origin_edit)

    response = push_amendment(django_capture_on_commit_callbacks, sent["id"])
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["kind"], created["amends"], created["task"]) == ("amendment", sent["id"], origin_task.pk)
    delivery = Delivery.objects.get(directive_id=created["id"])
    assert delivery.status == "delivered" and delivery.local_task_id == task_id
    assert delivery.result["outcome"] == "amendment_opened" and delivery.result["applied"] == [1]
    with in_tenant("340100"):
        task = Task.objects.get(pk=task_id)
        assert task.status == "amending"  # never approved here: the local reviewer does
        revision = Revision.objects.get(task=task)
        assert (revision.status, revision.reason, revision.resume_status) == ("open", REASON, status)
    items, posts = local_plan("340100", task_id)
    assert items == [("meal", 9, Decimal("55.00"), None), ("visit", 1, Decimal("0.00"), None)]
    assert posts.count("副司长") == 1
    entries = AuditEntry.objects.filter(chain="340100", object_type="reception.task", object_id=str(task_id))
    amended = entries.filter(action="reception.task.amended")
    assert amended.count() == 1
    assert (amended.get().before["status"], amended.get().after["status"]) == (status, "amending")
    detail = api("340000", "340000-admin").get(f"{URL}{created['id']}/").json()
    assert [(d["code"], d["local_task_status"]) for d in detail["deliveries"]] == [("340100", "amending")]
    # the local drafter submits and the local reviewer approves, as for any amendment
    with in_tenant("340100"):
        assert Task.objects.get(pk=task_id).items.filter(kind="visit").exists()


def test_a_draft_local_task_takes_the_amended_plan(tree, origin_task, django_capture_on_commit_callbacks):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100", "340123"])
    deliveries = {d.target.code: d for d in Delivery.objects.filter(directive_id=sent["id"]).select_related("target")}
    set_local("340123", deliveries["340123"].local_task_id, status="returned")
    with in_tenant("340100"):  # the city had started its own plan: replaced by the superior's
        PlanItem.objects.filter(task_id=deliveries["340100"].local_task_id).update(unit_price=Decimal("1.00"))
    amend_origin(origin_task, origin_edit)
    response = push_amendment(django_capture_on_commit_callbacks, sent["id"])
    assert response.status_code == 201, response.json()
    for code, status in (("340100", "draft"), ("340123", "returned")):
        delivery = Delivery.objects.get(directive_id=response.json()["id"], target__code=code)
        assert delivery.result["outcome"] == "replaced"
        task = local(delivery)
        assert task.status == status
        items, posts = local_plan(code, task.pk)
        assert items == [("meal", 9, Decimal("60.00"), None), ("visit", 1, Decimal("0.00"), None)]
        assert len(posts) == 2 and posts.count("副司长") == 1
        assert (
            AuditEntry.objects.filter(
                chain=code, action="reception.task.directive_amendment_applied", object_id=str(task.pk)
            ).count()
            == 1
        )


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("cancelled", "task_cancelled"),
        ("completed", "task_closed"),
        ("settled", "task_closed"),
        ("submitted", "under_review"),
        ("amendment_submitted", "under_review"),
    ],
)
def test_a_local_task_that_cannot_follow_records_why(
    tree, origin_task, django_capture_on_commit_callbacks, status, reason
):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    task_id = Delivery.objects.get(directive_id=sent["id"]).local_task_id
    set_local("340100", task_id, status=status)
    amend_origin(origin_task, origin_edit)
    before = snapshot("340100")
    response = push_amendment(django_capture_on_commit_callbacks, sent["id"])
    assert response.status_code == 201, response.json()
    delivery = Delivery.objects.get(directive_id=response.json()["id"])
    assert delivery.status == "delivered"
    assert (delivery.result["outcome"], delivery.result["reason"]) == ("not_applied", reason)
    after = snapshot("340100")
    assert after["audit"] == before["audit"] + 1  # the delivery's own entry only
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}


def test_refusals_change_nothing(tree, origin_task, django_capture_on_commit_callbacks):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    with django_capture_on_commit_callbacks(execute=True):
        notice = api("340000", "340000-admin").post(
            URL, {"kind": "notice", "title": "通知", "targets": ["340100"]}, format="json"
        )

    def state() -> tuple[int, int, int, Any]:
        return Directive.objects.count(), Delivery.objects.count(), AuditEntry.objects.count(), snapshot("340100")

    # before the origin has an approved amendment: nothing to push
    before = state()
    nothing = push_amendment(django_capture_on_commit_callbacks, sent["id"])
    refused(nothing, 409, "no_amendment")
    assert state() == before
    amend_origin(origin_task, origin_edit)
    before = state()
    cases = [
        ({"username": "340000-drafter"}, sent["id"], {}, 403, "permission_denied"),
        ({"username": "340000-supervisor"}, sent["id"], {}, 403, "permission_denied"),
        ({}, notice.json()["id"], {}, 400, "not_a_task_directive"),
        ({}, sent["id"], {"targets": ["340200"]}, 400, "not_received"),
        ({}, sent["id"], {"targets": ["340100", "340123"]}, 400, "not_received"),
        ({}, sent["id"], {"targets": ["abc"]}, 400, "invalid"),
        ({}, 999999, {}, 404, "not_found"),
        # other jurisdictions: on the sender's host, 403; the city's own host does not hold it, 404
        ({"username": "340200-admin"}, sent["id"], {}, 403, "permission_denied"),
        ({"code": "340100", "username": "340100-admin"}, sent["id"], {}, 404, "not_found"),
    ]
    for who, directive_id, body, code, error in cases:
        response = push_amendment(django_capture_on_commit_callbacks, directive_id, body, **who)
        assert response.status_code == code, (who, directive_id, body, response.content)
        refused(response, code, error)
        assert state() == before


def test_a_redelivered_amendment_is_applied_once(tree, origin_task, django_capture_on_commit_callbacks):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340200"])
    task_id = Delivery.objects.get(directive_id=sent["id"]).local_task_id
    set_local("340200", task_id, status="approved")
    amend_origin(origin_task, origin_edit)
    created = push_amendment(django_capture_on_commit_callbacks, sent["id"]).json()
    delivery = Delivery.objects.get(directive_id=created["id"])
    before = snapshot("340200")
    with in_tenant("340200"):
        assert directive_deliver.delay(delivery.pk).get() == "delivered"
        assert directive_deliver.delay(delivery.pk).get() == "delivered"
        assert Revision.objects.filter(task_id=task_id).count() == 1
    assert snapshot("340200") == before
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_second_push_applies_only_the_new_amendment(tree, origin_task, django_capture_on_commit_callbacks):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    task_id = Delivery.objects.get(directive_id=sent["id"]).local_task_id
    set_local("340100", task_id, status="in_progress")
    amend_origin(origin_task, origin_edit)
    first = push_amendment(django_capture_on_commit_callbacks, sent["id"]).json()
    assert Delivery.objects.get(directive_id=first["id"]).result["applied"] == [1]
    # pushed again with nothing new: nothing written
    again = push_amendment(django_capture_on_commit_callbacks, sent["id"]).json()
    assert Delivery.objects.get(directive_id=again["id"]).result["reason"] == "already_applied"
    # the city approves its amendment; the province amends again (the visit, added by the first)

    def move_visit(task: Task) -> None:
        task.items.filter(kind="visit").update(venue="中国科学技术大学")

    set_local("340100", task_id, status="in_progress")
    with in_tenant("340100"):
        Revision.objects.filter(task_id=task_id).update(status="approved")
    amend_origin(origin_task, move_visit, reason="考察点调整")
    second = push_amendment(django_capture_on_commit_callbacks, sent["id"]).json()
    delivery = Delivery.objects.get(directive_id=second["id"])
    assert (delivery.result["outcome"], delivery.result["applied"]) == ("amendment_opened", [2])
    with in_tenant("340100"):
        assert PlanItem.objects.get(task_id=task_id, kind="visit").venue == "中国科学技术大学"
        assert PlanItem.objects.get(task_id=task_id, kind="meal").quantity == 9  # not applied twice
        assert Revision.objects.get(task_id=task_id, status="open").reason == "考察点调整"


def test_a_task_delivered_without_the_origin_ids_is_left_as_it_is(
    tree, origin_task, django_capture_on_commit_callbacks
):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    task_delivery = Delivery.objects.get(directive_id=sent["id"])
    Delivery.objects.filter(pk=task_delivery.pk).update(result={})  # as delivered before the map existed
    set_local("340100", task_delivery.local_task_id, status="approved")
    amend_origin(origin_task, origin_edit)
    created = push_amendment(django_capture_on_commit_callbacks, sent["id"]).json()
    delivery = Delivery.objects.get(directive_id=created["id"])
    assert (delivery.result["outcome"], delivery.result["reason"]) == ("not_applied", "no_origin_map")
    assert local(delivery).status == "approved"


def test_the_pages_push_the_amendment_and_show_what_it_did(tree, origin_task, django_capture_on_commit_callbacks):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    task_id = Delivery.objects.get(directive_id=sent["id"]).local_task_id
    set_local("340100", task_id, status="approved")
    amend_origin(origin_task, origin_edit)
    admin = browser("340000", "340000-admin")
    page = admin.get(f"/reporting/directives/{sent['id']}/").content.decode()
    assert 'data-testid="push-amendment"' in page
    supervisor = browser("340000", "340000-supervisor").get(f"/reporting/directives/{sent['id']}/").content.decode()
    assert 'data-testid="push-amendment"' not in supervisor  # reads, never sends
    with django_capture_on_commit_callbacks(execute=True):
        pushed = admin.post(f"/reporting/directives/{sent['id']}/", {"form": "amendment"})
    assert pushed.status_code == 303
    amendment = Directive.objects.get(amends_id=sent["id"])
    detail = admin.get(f"/reporting/directives/{amendment.pk}/").content.decode()
    assert "已发起本级变更，待本级审核" in detail and 'data-testid="push-amendment"' not in detail
    delivery = Delivery.objects.get(directive=amendment)
    entry = browser("340100", "340100-reviewer").get(f"/reporting/inbox/{delivery.pk}/").content.decode()
    assert "已发起本级变更，待本级审核" in entry and f"/reception/tasks/{task_id}/" in entry


def test_an_open_local_amendment_takes_the_changes_and_a_gone_item_is_skipped(
    tree, origin_task, django_capture_on_commit_callbacks
):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    task_id = Delivery.objects.get(directive_id=sent["id"]).local_task_id
    set_local("340100", task_id, status="in_progress")
    assert (
        api("340100", "340100-handler")
        .post(f"/api/v1/tasks/{task_id}/amend/", {"reason": "本级调整"}, format="json")
        .status_code
        == 200
    )
    with in_tenant("340100"):  # the city's own amendment dropped the meal the province changes
        PlanItem.objects.filter(task_id=task_id, kind="meal").delete()
    amend_origin(origin_task, origin_edit)
    created = push_amendment(django_capture_on_commit_callbacks, sent["id"]).json()
    delivery = Delivery.objects.get(directive_id=created["id"])
    assert (delivery.result["outcome"], delivery.result["revision"]) == ("applied_to_amendment", 1)
    assert [(s["part"], s["change"], s["field"]) for s in delivery.result["skipped"]] == [
        ("item", "changed", "guests_count"),
        ("item", "changed", "quantity"),
    ]
    with in_tenant("340100"):
        task = Task.objects.get(pk=task_id)
        assert task.status == "amending"
        assert list(Revision.objects.filter(task=task).values_list("number", "status", "reason")) == [
            (1, "open", "本级调整")
        ]
    items, posts = local_plan("340100", task_id)
    assert items == [("visit", 1, Decimal("0.00"), None)]  # lodging deleted, the visit added
    assert posts.count("副司长") == 1


def test_a_local_task_gone_and_kind_amendment_on_the_ordinary_endpoint(
    tree, origin_task, django_capture_on_commit_callbacks
):
    sent = push_task(django_capture_on_commit_callbacks, origin_task, ["340100"])
    task_id = Delivery.objects.get(directive_id=sent["id"]).local_task_id
    amend_origin(origin_task, origin_edit)
    refused = api("340000", "340000-admin").post(
        URL, {"kind": "amendment", "title": "x", "targets": ["340100"], "task": origin_task.pk}, format="json"
    )
    assert refused.status_code == 400 and "kind" in refused.json()
    with in_tenant("340100"):
        Task.objects.filter(pk=task_id).delete()
    created = push_amendment(django_capture_on_commit_callbacks, sent["id"]).json()
    delivery = Delivery.objects.get(directive_id=created["id"])
    assert (delivery.result["outcome"], delivery.result["reason"]) == ("not_applied", "local_task_missing")
