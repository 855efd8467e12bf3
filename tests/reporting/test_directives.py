"""Directives down the tree: send (subtree only), delivery by Celery (eager here), the inbox,
acknowledgement, task and standard materialisation, retries, failure and resend, idempotency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from config.celery import app
from core.errors import InvalidInput
from core.models import AuditEntry, Notification, User
from reception.models import Letter, MealCeiling, PlanItem, Standard, Task
from reporting.directives import materialise as directives_materialise
from reporting.directives.tasks import directive_deliver
from reporting.models import Delivery, Directive
from tenants.models import Jurisdiction
from tests.conftest import api, in_tenant, refused, user

pytestmark = pytest.mark.django_db
URL = "/api/v1/directives/"


def send(body: dict[str, Any], capture: Any, *, code: str = "340000", username: str = "340000-admin") -> Any:
    with capture(execute=True):
        return api(code, username).post(URL, body, format="json")


def test_a_notice_to_two_targets_reaches_both_inboxes(tree, django_capture_on_commit_callbacks):
    User.objects.filter(username="340123-admin").update(email="admin@feixi.example")
    response = send(
        {
            "kind": "notice",
            "title": "关于做好节日期间公务接待工作的通知",
            "body": "严格执行接待标准。",
            "targets": ["340100", "340123"],
        },
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert [d["code"] for d in created["deliveries"]] == ["340100", "340123"]
    assert {d["status"] for d in created["deliveries"]} == {"sent"}
    for code, username in (("340100", "340100-drafter"), ("340123", "340123-admin")):
        inbox = api(code, username).get(URL + "inbox/").json()["results"]
        assert [(e["from_code"], e["kind"], e["title"], e["status"]) for e in inbox] == [
            ("340000", "notice", "关于做好节日期间公务接待工作的通知", "delivered")
        ]
    detail = api("340000", "340000-supervisor").get(f"{URL}{created['id']}/").json()
    assert [(d["code"], d["status"], d["attempts"]) for d in detail["deliveries"]] == [
        ("340100", "delivered", 1),
        ("340123", "delivered", 1),
    ]
    assert Notification.objects.filter(event="reporting.directive.delivered", jurisdiction_code="340123").exists()
    assert AuditEntry.objects.filter(action="reporting.directive.sent", object_id=str(created["id"])).count() == 1


def test_the_target_acknowledges_and_the_sender_sees_it(tree, django_capture_on_commit_callbacks):
    created = send(
        {"kind": "notice", "title": "通知", "targets": ["340200"]}, django_capture_on_commit_callbacks
    ).json()
    entry = api("340200", "340200-admin").get(URL + "inbox/").json()["results"][0]
    response = api("340200", "340200-finance").post(f"{URL}inbox/{entry['id']}/acknowledge/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "acknowledged" and response.json()["acknowledged_by"] == "340200-finance"
    again = api("340200", "340200-admin").post(f"{URL}inbox/{entry['id']}/acknowledge/")
    refused(again, 409, "already_acknowledged")
    detail = api("340000", "340000-admin").get(f"{URL}{created['id']}/").json()
    assert detail["deliveries"][0]["status"] == "acknowledged"
    assert AuditEntry.objects.filter(action="reporting.directive.acknowledged", object_id=str(entry["id"])).count() == 1


def test_targets_outside_the_subtree_are_refused_and_nothing_is_sent(tree, django_capture_on_commit_callbacks):
    before = Directive.objects.count()
    # 340200 is the province's, not 合肥's; 340100 itself is the sender, 999999 does not exist.
    for targets in (["340123", "340200"], ["340100"], ["999999"], []):
        response = send(
            {"kind": "notice", "title": "通知", "targets": targets},
            django_capture_on_commit_callbacks,
            code="340100",
            username="340100-admin",
        )
        assert response.status_code == 400, targets
        assert "targets" in response.json()
    assert Directive.objects.count() == before


def test_only_the_senders_admin_sends(tree, django_capture_on_commit_callbacks):
    body = {"kind": "notice", "title": "通知", "targets": ["340100"]}
    before = Directive.objects.count(), AuditEntry.objects.count()
    refused(send(body, django_capture_on_commit_callbacks, username="340000-drafter"), 403, "permission_denied")
    refused(send(body, django_capture_on_commit_callbacks, username="340100-admin"), 403, "permission_denied")
    # an ancestor's admin reads a city's pages but never writes there
    ancestor = send(body, django_capture_on_commit_callbacks, code="340100", username="340000-admin")
    refused(ancestor, 403, "permission_denied")
    assert (Directive.objects.count(), AuditEntry.objects.count()) == before


def test_whole_levels_and_subtrees_expand_within_the_subtree(tree, django_capture_on_commit_callbacks):
    by_level = send({"kind": "notice", "title": "致各县区", "levels": ["county"]}, django_capture_on_commit_callbacks)
    assert sorted(d["code"] for d in by_level.json()["deliveries"]) == ["340121", "340123"]
    city = send({"kind": "notice", "title": "致合肥", "subtrees": ["340100"]}, django_capture_on_commit_callbacks)
    assert sorted(d["code"] for d in city.json()["deliveries"]) == ["340100", "340121", "340123"]


def test_bad_input_is_400(tree, django_capture_on_commit_callbacks):
    cases = [
        {"kind": "order", "title": "x", "targets": ["340100"]},
        {"kind": "notice", "title": "", "targets": ["340100"]},
        {"kind": "notice", "title": "x", "targets": ["34010"]},
        {"kind": "notice", "title": "x", "targets": "340100"},
        {"kind": "task", "title": "x", "targets": ["340100"]},
        {"kind": "task", "title": "x", "targets": ["340100"], "task": 999999},
        {"kind": "notice", "title": "x", "targets": ["340100"], "task": 1},
        {"kind": "notice", "title": "x" * 201, "targets": ["340100"]},
    ]
    for body in cases:
        response = send(body, django_capture_on_commit_callbacks)
        assert response.status_code == 400, (body, response.content)


def test_a_task_directive_arrives_as_a_draft_task_and_the_origin_sees_its_status(
    tree, origin_task, django_capture_on_commit_callbacks
):
    response = send(
        {
            "kind": "task",
            "title": "沿线接待：国家发改委调研",
            "body": "请按方案做好接待。",
            "targets": ["340100", "340123"],
            "task": origin_task.pk,
        },
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["task"] == origin_task.pk
    delivery = Delivery.objects.get(directive_id=created["id"], target__code="340100")
    with in_tenant("340100"):
        task = Task.objects.select_related("letter").get(pk=delivery.local_task_id)
        assert (task.status, task.title, task.level) == ("draft", "国家发改委调研安徽", "bureau")
        letter = task.letter
        assert letter.pk == delivery.local_letter_id
        assert (letter.number, letter.sending_unit, letter.purpose, letter.status) == (
            origin_task.letter.number,
            "安徽省发展和改革委员会",
            "inspection_research",
            "registered",
        )
        assert task.guests.count() == 2
        items = list(PlanItem.objects.filter(task=task).order_by("kind"))
        assert [(i.kind, i.unit_price, i.quantity, i.provider_id) for i in items] == [
            ("lodging", Decimal("380.00"), 2, None),
            ("meal", Decimal("60.00"), 7, None),
        ]
    detail = api("340000", "340000-admin").get(f"{URL}{created['id']}/").json()
    assert [(d["code"], d["status"], d["local_task_status"]) for d in detail["deliveries"]] == [
        ("340100", "delivered", "draft"),
        ("340123", "delivered", "draft"),
    ]
    # the city works on its copy: the province sees the new status, status only
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api("340100", "340100-drafter").post(
            f"/api/v1/tasks/{task.pk}/cancel/", {"reason": "行程取消"}, format="json"
        )
    assert cancelled.status_code == 200, cancelled.json()
    detail = api("340000", "340000-admin").get(f"{URL}{created['id']}/").json()
    assert detail["deliveries"][0]["local_task_status"] == "cancelled"
    inbox = api("340100", "340100-drafter").get(f"{URL}inbox/{delivery.pk}/").json()
    assert inbox["local_task"] == task.pk and inbox["kind"] == "task"


def test_the_same_delivery_task_run_twice_creates_one_local_task(tree, origin_task, django_capture_on_commit_callbacks):
    created = send(
        {"kind": "task", "title": "沿线接待", "targets": ["340200"], "task": origin_task.pk},
        django_capture_on_commit_callbacks,
    ).json()
    delivery = Delivery.objects.get(directive_id=created["id"])
    with in_tenant("340200"):
        tasks_before = Task.objects.count()
        letters_before = Letter.objects.count()
        assert directive_deliver.delay(delivery.pk).get() == "delivered"
        assert directive_deliver.delay(delivery.pk).get() == "delivered"
        assert (Task.objects.count(), Letter.objects.count()) == (tasks_before, letters_before)
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert AuditEntry.objects.filter(action="reporting.directive.delivered", object_id=str(delivery.pk)).count() == 1


def _ceilings(code: str) -> dict[tuple[str, str], Decimal]:
    with in_tenant(code):
        standard = Standard.objects.order_by("-version").first()
        return {(c.level, c.meal_type): c.amount for c in MealCeiling.objects.filter(standard=standard)}


def test_a_standard_directive_tightens_only_where_looser(tree, django_capture_on_commit_callbacks):
    # 合肥 is already stricter on bureau lunch (80 < 90) and allows no suites at all
    city = api("340100", "340100-admin").post(
        "/api/v1/standards/",
        {
            "effective_from": __import__("django.utils.timezone").utils.timezone.localdate().isoformat(),
            "meal_ceilings": [{"level": "bureau", "meal_type": "lunch", "amount": "80.00"}],
            "suite_grades": [],
        },
        format="json",
    )
    assert city.status_code == 201, city.json()
    # the province: bureau lunch 85 (looser than 合肥's 80), bureau dinner 75 (stricter than 90), ratio 4, a banned word
    province = api("340000", "340000-admin").post(
        "/api/v1/standards/",
        {
            "effective_from": __import__("django.utils.timezone").utils.timezone.localdate().isoformat(),
            "meal_ceilings": [
                {"level": "bureau", "meal_type": "lunch", "amount": "85.00"},
                {"level": "bureau", "meal_type": "dinner", "amount": "75.00"},
            ],
            "accompany_ratio": 4,
            "banned_menu_words": ["鱼翅", "燕窝", "槟榔"],
        },
        format="json",
    )
    assert province.status_code == 201, province.json()
    with in_tenant("340100"):
        versions_before = Standard.objects.count()
    created = send(
        {"kind": "standard", "title": "执行省接待标准", "targets": ["340100"]}, django_capture_on_commit_callbacks
    )
    assert created.status_code == 201, created.json()
    ceilings = _ceilings("340100")
    assert ceilings[("bureau", "lunch")] == Decimal("80.00")  # its own, stricter, kept
    assert ceilings[("bureau", "dinner")] == Decimal("75.00")  # the province's, stricter, adopted
    assert ceilings[("division", "lunch")] == Decimal("70.00")  # equal: unchanged
    with in_tenant("340100"):
        assert Standard.objects.count() == versions_before + 1
        latest = Standard.objects.order_by("-version").first()
        assert latest.accompany_ratio == 4
        assert latest.suite_grades == []  # its own stricter (none) kept
        assert "槟榔" in latest.banned_menu_words and "茅台" in latest.banned_menu_words
    delivery = Delivery.objects.get(directive_id=created.json()["id"])
    assert set(delivery.result["tightened"]) == {"meal_ceiling:bureau:dinner", "accompany_ratio", "banned_menu_words"}
    # sent again: nothing is looser any more, so no new version
    again = send({"kind": "standard", "title": "再次执行", "targets": ["340100"]}, django_capture_on_commit_callbacks)
    assert Delivery.objects.get(directive_id=again.json()["id"]).result["tightened"] == []
    with in_tenant("340100"):
        assert Standard.objects.count() == versions_before + 1


def test_a_failing_delivery_is_retried_then_failed_and_a_resend_succeeds(
    tree, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def broken(delivery: Any) -> dict[str, Any]:
        calls.append(delivery.pk)
        raise RuntimeError("目标库暂时不可用")

    monkeypatch.setitem(directives_materialise.MATERIALISERS, "notice", broken)
    # Eager apply() follows Celery's retries in-process (countdowns are not waited for).
    app.conf.task_eager_propagates = False
    try:
        created = send(
            {"kind": "notice", "title": "通知", "targets": ["340123"]}, django_capture_on_commit_callbacks
        ).json()
    finally:
        app.conf.task_eager_propagates = True
    delivery = Delivery.objects.get(directive_id=created["id"])
    assert len(calls) == 5  # the first attempt and 4 retries
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 5, "目标库暂时不可用")
    detail = api("340000", "340000-admin").get(f"{URL}{created['id']}/").json()
    assert (detail["deliveries"][0]["status"], detail["deliveries"][0]["error"]) == ("failed", "目标库暂时不可用")
    assert api("340123", "340123-admin").get(URL + "inbox/").json()["results"] == []
    assert AuditEntry.objects.filter(action="reporting.directive.failed", object_id=str(delivery.pk)).count() == 1

    monkeypatch.undo()
    refused(api("340000", "340000-supervisor").post(f"{URL}{created['id']}/resend/"), 403, "permission_denied")
    with django_capture_on_commit_callbacks(execute=True):
        resent = api("340000", "340000-admin").post(f"{URL}{created['id']}/resend/", {}, format="json")
    assert resent.status_code == 200, resent.json()
    assert resent.json()["deliveries"][0]["status"] == "sent"  # queued; delivered after commit
    detail = api("340000", "340000-admin").get(f"{URL}{created['id']}/").json()
    assert (detail["deliveries"][0]["status"], detail["deliveries"][0]["error"]) == ("delivered", "")
    assert len(api("340123", "340123-admin").get(URL + "inbox/").json()["results"]) == 1
    nothing = api("340000", "340000-admin").post(f"{URL}{created['id']}/resend/", {}, format="json")
    refused(nothing, 409, "nothing_to_resend")


def test_other_jurisdictions_get_403_or_404(tree, django_capture_on_commit_callbacks):
    created = send(
        {"kind": "notice", "title": "通知", "targets": ["340100"]}, django_capture_on_commit_callbacks
    ).json()
    entry_id = Delivery.objects.get(directive_id=created["id"]).pk
    # another jurisdiction's user on the sender's and the target's host: 403
    assert api("340000", "340200-admin").get(f"{URL}{created['id']}/").status_code == 403
    assert api("340000", "340200-admin").get(URL).status_code == 403
    assert api("340100", "340200-admin").get(URL + "inbox/").status_code == 403
    refused(api("340100", "340200-admin").post(f"{URL}inbox/{entry_id}/acknowledge/"), 403, "permission_denied")
    assert api("340100", "340123-admin").get(URL + "inbox/").status_code == 403  # a county does not read its city's
    # the directive is not the city's to read, nor the entry another target's: 404
    assert api("340100", "340100-admin").get(f"{URL}{created['id']}/").status_code == 404
    assert api("340200", "340200-admin").get(f"{URL}inbox/{entry_id}/").status_code == 404
    refused(api("340200", "340200-admin").post(f"{URL}inbox/{entry_id}/acknowledge/"), 404, "not_found")
    refused(api("340000", "340000-admin").post(f"{URL}999999/resend/"), 404, "not_found")
    # anonymous: 401
    assert api("340100").get(URL + "inbox/").status_code == 401


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_notice_carries_attachments_to_the_targets(tree, django_capture_on_commit_callbacks, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path

    upload = SimpleUploadedFile("通知附件.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = api("340000", "340000-admin").post(
            URL, {"kind": "notice", "title": "附件通知", "targets": ["340100", "340200"], "attachments": [upload]}
        )
    assert response.status_code == 201, response.json()
    created = response.json()
    [attachment] = created["attachments"]
    assert (attachment["name"], attachment["content_type"], attachment["size"]) == (
        "通知附件.pdf",
        "application/pdf",
        len(PDF),
    )
    entry = Delivery.objects.get(directive_id=created["id"], target__code="340100")
    detail = api("340100", "340100-drafter").get(f"{URL}inbox/{entry.pk}/").json()
    assert [a["name"] for a in detail["attachments"]] == ["通知附件.pdf"]
    download = api("340100", "340100-drafter").get(f"{URL}inbox/{entry.pk}/attachments/{attachment['id']}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    sender_copy = api("340000", "340000-supervisor").get(f"{URL}{created['id']}/attachments/{attachment['id']}/")
    assert sender_copy.status_code == 200 and b"".join(sender_copy.streaming_content) == PDF
    # not through another target's entry, nor by another jurisdiction's user
    other = Delivery.objects.get(directive_id=created["id"], target__code="340200")
    assert (
        api("340100", "340100-drafter").get(f"{URL}inbox/{other.pk}/attachments/{attachment['id']}/").status_code == 404
    )
    assert (
        api("340100", "340200-admin").get(f"{URL}inbox/{entry.pk}/attachments/{attachment['id']}/").status_code == 403
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("virus.exe", b"MZ\x90\x00not a pdf"), ("empty.pdf", b""), ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))],
)
def test_bad_attachments_are_400_and_send_nothing(
    tree, django_capture_on_commit_callbacks, settings, tmp_path, name, content
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path

    before = Directive.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = api("340000", "340000-admin").post(
            URL,
            {
                "kind": "notice",
                "title": "附件通知",
                "targets": ["340100"],
                "attachments": [SimpleUploadedFile(name, content)],
            },
        )
    assert response.status_code == 400 and "attachments" in response.json()
    assert Directive.objects.count() == before


def test_a_suspended_target_fails_with_a_readable_reason(tree, django_capture_on_commit_callbacks):
    created = send(
        {"kind": "notice", "title": "通知", "targets": ["340121"]}, django_capture_on_commit_callbacks
    ).json()
    delivery = Delivery.objects.get(directive_id=created["id"])
    # as if the jurisdiction were suspended between sending and delivery
    delivery.status, delivery.attempts = "sent", 0
    delivery.save()
    Jurisdiction.objects.filter(code="340121").update(status="suspended")
    app.conf.task_eager_propagates = False
    try:
        with in_tenant("340121"):
            assert directive_deliver.delay(delivery.pk).get() == "failed"
    finally:
        app.conf.task_eager_propagates = True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 5, "接收辖区已停用，无法送达。")


def test_a_delivered_task_is_written_by_receptions_service_with_one_audit_entry(
    tree, origin_task, django_capture_on_commit_callbacks
):
    """Reporting writes no reception row itself: the local letter, task, guests and items come
    from `reception.services.directives.directive_task_receive`, one audit entry for all of them."""
    created = send(
        {"kind": "task", "title": "沿线接待", "targets": ["340200"], "task": origin_task.pk},
        django_capture_on_commit_callbacks,
    ).json()
    delivery = Delivery.objects.get(directive_id=created["id"])
    entries = AuditEntry.objects.filter(chain="340200")
    received = entries.filter(action="reception.task.received", object_id=str(delivery.local_task_id))
    assert received.count() == 1
    assert received.get().after["directive"] == created["id"] and received.get().after["items"] == 2
    assert not entries.filter(action__in=["reception.letter.registered", "reception.task.created"]).exists()


def test_a_task_the_models_refuse_fails_the_delivery_and_writes_nothing(
    tree, origin_task, django_capture_on_commit_callbacks
):
    """The pushed rows pass the models' own validation; a guest with a grade the target does not
    know (a payload of a newer version, or a tampered one) fails the delivery, nothing written."""
    from reception.services.directives import directive_task_receive
    from tenants.models import Jurisdiction

    with in_tenant("340000"):
        payload = directives_materialise.task_payload(origin_task.pk)
    payload["guests"][0]["grade"] = "emperor"
    target, admin = Jurisdiction.objects.get(code="340200"), user("340000-admin")
    with in_tenant("340200"):
        before = (Letter.objects.count(), Task.objects.count(), AuditEntry.objects.filter(chain="340200").count())
        with pytest.raises(InvalidInput) as refused:
            directive_task_receive(actor=admin, jurisdiction=target, directive_id=1, origin="340000:1", **payload)
        assert refused.value.code == "invalid_payload"
        after = (Letter.objects.count(), Task.objects.count(), AuditEntry.objects.filter(chain="340200").count())
        assert after == before
        payload["guests"][0]["grade"] = "bureau"
        result = directive_task_receive(actor=admin, jurisdiction=target, directive_id=1, origin="340000:1", **payload)
        local = Task.objects.get(pk=result["local_task_id"])
        assert (local.guests.count(), local.items.count()) == (2, 2)
        assert set(result["origin_map"]["guests"]) == {str(g["id"]) for g in payload["guests"]}
        # Validating the rows reads nothing per row: twice the guests, the same statements.
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for guests in (payload["guests"], payload["guests"] * 3):
            with CaptureQueriesContext(connection) as statements:
                directive_task_receive(
                    actor=admin, jurisdiction=target, directive_id=1, origin="340000:1", **{**payload, "guests": guests}
                )
            counts.append(len(statements))
        assert counts[0] == counts[1]
