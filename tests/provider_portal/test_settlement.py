"""The reception list and evaluations at their edges; the OpenAPI document names every new operation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.models import AuditEntry
from reception.models import Evaluation, ReceptionList, Task
from tests.conftest import api, in_tenant, refused, unchanged, user
from tests.provider_portal.conftest import party_link, staff_api

pytestmark = pytest.mark.django_db


def set_status(task: Any, status: str) -> None:
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status=status)


def draft(task: Any, role: str = "drafter") -> Any:
    return staff_api("340100", role).post(f"/api/v1/tasks/{task.pk}/reception-list/", {}, format="json")


def test_a_task_without_orders_drafts_from_its_plan(task: Any) -> None:
    """No provider was dispatched to: every item counts its planned amount."""
    assert draft(task).status_code == 409  # in progress
    set_status(task, "completed")
    for role in ("handler", "reviewer", "admin", "counterpart", "supervisor"):
        refused(draft(task, role), 403, "permission_denied")
    assert staff_api("340100", "drafter").get(f"/api/v1/tasks/{task.pk}/reception-list/").status_code == 404
    response = draft(task)
    assert response.status_code == 201
    assert response.json()["total"] == "1695.50"  # 58.50 × 3 + 380 × 4 + 0
    # Redrafted while not approved: one list, recorded twice.
    assert draft(task, "finance").status_code == 201
    with in_tenant("340100"):
        assert ReceptionList.objects.filter(task=task).count() == 1
    actions = AuditEntry.objects.filter(chain="340100", object_id=str(task.pk), action__startswith="reception.list.")
    assert sorted(actions.values_list("action", flat=True)) == ["reception.list.drafted", "reception.list.redrafted"]


def test_only_the_reviewer_approves_and_only_a_drafted_list(task: Any) -> None:
    set_status(task, "completed")
    approve = f"/api/v1/tasks/{task.pk}/reception-list/approve/"
    refusal = staff_api("340100", "reviewer").post(approve)
    refused(refusal, 409, "list_missing")
    assert draft(task).status_code == 201
    for role in ("drafter", "finance", "handler", "admin"):
        refused(staff_api("340100", role).post(approve), 403, "permission_denied")
    with unchanged():
        refused(api("340100", "340000-reviewer").post(approve), 403, "permission_denied")
    with in_tenant("340100"):
        assert Task.objects.get(pk=task.pk).status == "completed"
    assert staff_api("340100", "reviewer").post(approve).json()["status"] == "settled"


def test_pdf_before_a_list_is_404(task: Any) -> None:
    assert staff_api("340100", "finance").get(f"/api/v1/tasks/{task.pk}/reception-list.pdf").status_code == 404
    assert staff_api("340100", "finance").get("/api/v1/tasks/999999/reception-list/").status_code == 404


def _link(task: Any, party: str = "visiting_unit") -> str:
    return party_link(task, party, "contact" if party == "visiting_unit" else f"user:{user('340100-counterpart').pk}")


@pytest.mark.parametrize(
    "body",
    [{"score": 0}, {"score": 6}, {"score": "abc"}, {"score": True}, {"score": 2.5}, {}, {"score": 3, "comment": ["x"]}],
)
def test_bad_evaluations_are_400(task: Any, body: dict[str, Any]) -> None:
    response = api("340100").post(_link(task), body, format="json")
    assert response.status_code == 400, response.content
    with in_tenant("340100"):
        assert not Evaluation.objects.exists()


def test_malformed_json_is_400(task: Any) -> None:
    response = Client(HTTP_HOST="hefei.localhost").post(_link(task), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_evaluation_needs_a_reception_that_took_place(task: Any) -> None:
    set_status(task, "draft")
    response = api("340100").post(_link(task), {"score": 5}, format="json")
    refused(response, 409, "not_evaluable")


def test_evaluation_links_need_a_staff_role(task: Any) -> None:
    assert staff_api("340100", "counterpart").get(f"/api/v1/tasks/{task.pk}/evaluation-links/").status_code == 403
    assert api("340100", "340200-admin").get(f"/api/v1/tasks/{task.pk}/evaluation-links/").status_code == 403
    assert api("340100").get(f"/api/v1/tasks/{task.pk}/evaluation-links/").status_code == 401


def test_links_are_bound_to_the_jurisdiction(task: Any) -> None:
    assert _link(task) != _link(task, "counterpart")
    assert api("340200").get(_link(task)).status_code == 404


def test_openapi_documents_every_new_operation(tmp_path: Any) -> None:
    from django.core.management import call_command

    for urlconf in ("config.urls_tenant", "config.urls_public"):
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--urlconf", urlconf, "--file", str(tmp_path / "s.yaml")
        )
    tenant = Client(HTTP_HOST="hefei.localhost").get("/api/schema/?format=json").json()["paths"]
    for path, methods in {
        "/api/v1/providers/": {"get", "post"},
        "/api/v1/providers/{provider_id}/": {"get", "put", "delete"},
        "/api/v1/providers/catalogue/": {"get"},
        "/api/v1/tasks/{task_id}/dispatch/": {"post"},
        "/api/v1/tasks/{task_id}/complete/": {"post"},
        "/api/v1/tasks/{task_id}/orders/": {"get"},
        "/api/v1/orders/{order_id}/approve-cost/": {"post"},
        "/api/v1/orders/{order_id}/return-cost/": {"post"},
        "/api/v1/tasks/{task_id}/reception-list/": {"get", "post"},
        "/api/v1/tasks/{task_id}/reception-list/approve/": {"post"},
        "/api/v1/tasks/{task_id}/reception-list.pdf": {"get"},
        "/api/v1/tasks/{task_id}/reimbursement.pdf": {"get"},
        "/api/v1/tasks/{task_id}/evaluation-links/": {"get"},
    }.items():
        assert methods <= set(tenant[path]), path
    public = Client(HTTP_HOST="localhost").get("/api/schema/?format=json").json()["paths"]
    for action in ("accept", "decline", "fulfil", "costs"):
        assert "post" in public[f"/api/v1/provider/orders/{{order_id}}/{action}/"]
    assert "get" in public["/api/v1/provider/orders/"]


def test_guests_receive_their_itinerary_link_by_sms(task: Any) -> None:
    """The task fixture has one guest with a phone (13800000000)."""
    from core.models import Notification

    response = staff_api("340100", "handler").post(
        f"/api/v1/tasks/{task.pk}/itinerary-link/", {"sms": True}, format="json"
    )
    assert response.status_code == 201 and response.json()["sms_sent"] == 1
    sms = Notification.objects.get(event="reception.task.itinerary_sent")
    assert (sms.channel, sms.address) == ("sms", "13800000000")
    assert response.json()["url"] in sms.body
    plain = staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/itinerary-link/")
    assert plain.status_code == 201 and plain.json()["sms_sent"] == 0
    assert Notification.objects.filter(event="reception.task.itinerary_sent").count() == 1
    page = Client(HTTP_HOST="hefei.localhost")
    page.force_login(__import__("tests.conftest", fromlist=["user"]).user("340100-handler"))
    assert page.post(f"/reception/tasks/{task.pk}/itinerary-link/", {"action": "sms"}).status_code == 303
    assert Notification.objects.filter(event="reception.task.itinerary_sent").count() == 2


def test_markup_characters_in_user_text_print_as_typed(task: Any) -> None:
    """Venues, units, letters and invoices are user text: `&`, `<` and `>` must print, not be read as
    reportlab markup (which would fail the PDF with a 500)."""
    import io

    from pypdf import PdfReader

    from reception.models import Guest, PlanItem

    with in_tenant("340100"):
        PlanItem.objects.filter(task=task, kind="meal").update(venue="A&B <二楼> 餐厅")
        Guest.objects.filter(task=task, name="王明").update(unit="省发改委<综合处> & 办公室")
        task.letter.__class__.objects.filter(pk=task.letter_id).update(
            sending_unit="安徽省<发改委>", content="请接洽 & 安排 <b>调研</b>"
        )
    set_status(task, "completed")
    assert draft(task).status_code == 201

    def text_of(path: str) -> str:
        response = staff_api("340100", "finance").get(f"/api/v1/tasks/{task.pk}/{path}")
        assert response.status_code == 200, response.content[:300]
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)

    text = text_of("reception-list.pdf")
    assert "A&B <二楼> 餐厅" in text
    assert "省发改委<综合处> & 办公室" in text
    assert "安徽省<发改委>" in text
    approve = staff_api("340100", "reviewer").post(f"/api/v1/tasks/{task.pk}/reception-list/approve/")
    assert approve.status_code == 200
    bundle = text_of("reimbursement.pdf")
    assert "请接洽 & 安排 <b>调研</b>" in bundle and "A&B <二楼> 餐厅" in bundle
