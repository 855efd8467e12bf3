"""The whole flow of issue 4 through the API: dispatch → two providers accept, fulfil and report
costs → finance approves → complete → the list is drafted → PDF → approved → settled → evaluations."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from core.models import AuditEntry, Notification
from provider_portal.models import OrderIndex
from provider_portal.orders.models import Order
from reception.figures import task_costs
from tests.conftest import api, in_tenant, refused, refused_page, user
from tests.provider_portal.conftest import cost_body, party_link, provider_api, staff_api

pytestmark = pytest.mark.django_db


def url(task: Any, suffix: str = "") -> str:
    return f"/api/v1/tasks/{task.pk}/{suffix}"


def test_dispatch_to_settlement_to_evaluation(task: Any, providers: dict[str, Any]) -> None:
    handler, finance = staff_api("340100", "handler"), staff_api("340100", "finance")

    # Dispatch: one order per item with a provider, the same UUID on both sides.
    response = handler.post(url(task, "dispatch/"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_progress"
    orders = staff_api("340100", "drafter").get(url(task, "orders/")).json()
    assert sorted((o["kind"], o["provider"], o["status"], o["amount"]) for o in orders) == [
        ("lodging", providers["hotel"].pk, "sent", "1520.00"),
        ("meal", providers["restaurant"].pk, "sent", "175.50"),
    ]
    by_kind = {o["kind"]: o["id"] for o in orders}
    assert set(OrderIndex.objects.filter(schema_name="j340100").values_list("id", flat=True)) == {
        __import__("uuid").UUID(i) for i in by_kind.values()
    }
    # The providers were told (their staff by e-mail/SMS where an address is known, the hotel's phone by SMS).
    told = Notification.objects.filter(event="provider_portal.order.sent")
    assert "13900000001" in set(told.values_list("address", flat=True))

    # Dispatching again with nothing new: 409.
    refused(handler.post(url(task, "dispatch/"), {}, format="json"), 409, "nothing_to_dispatch")
    # Not completable while orders are open.
    refused(handler.post(url(task, "complete/"), {}, format="json"), 409, "orders_outstanding")

    # Each provider sees its own order in its inbox, accepts, fulfils and reports its costs.
    for name, username, amounts in (
        ("lodging", "p-hotel", ("1500.00", "20.50")),
        ("meal", "p-restaurant", ("170.00",)),
    ):
        client = provider_api(username)
        inbox = client.get("/api/v1/provider/orders/").json()["results"]
        assert [row["id"] for row in inbox] == [by_kind[name]]
        assert inbox[0]["jurisdiction_code"] == "340100" and inbox[0]["task_title"] == task.title
        order_id = by_kind[name]
        for action in ("accept", "fulfil"):
            answer = client.post(f"/api/v1/provider/orders/{order_id}/{action}/", {}, format="json")
            assert answer.status_code == 200, answer.json()
        answer = client.post(f"/api/v1/provider/orders/{order_id}/costs/", cost_body(*amounts), format="json")
        assert answer.status_code == 200, answer.json()
        assert answer.json()["status"] == "cost_reported"
        # The tenant sees it at once, and the inbox snapshot is in step.
        with in_tenant("340100"):
            assert Order.objects.get(pk=order_id).status == "cost_reported"
        assert OrderIndex.objects.get(pk=order_id).status == "cost_reported"

    # Complete once every order is fulfilled or beyond (costs need not be approved yet).
    response = handler.post(url(task, "complete/"), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "completed"

    # The list cannot be drafted before finance approves the costs.
    refused(finance.post(url(task, "reception-list/"), {}, format="json"), 409, "costs_not_approved")

    for order_id in by_kind.values():
        approved = finance.post(f"/api/v1/orders/{order_id}/approve-cost/", {}, format="json")
        assert approved.status_code == 200 and approved.json()["status"] == "cost_approved"
        refused(finance.post(f"/api/v1/orders/{order_id}/approve-cost/", {}, format="json"), 409, "invalid_transition")

    # An approved cost can never be edited.
    again = provider_api("p-hotel").post(
        f"/api/v1/provider/orders/{by_kind['lodging']}/costs/", cost_body("1.00"), format="json"
    )
    refused(again, 409, "invalid_transition")
    with in_tenant("340100"):
        assert Order.objects.get(pk=by_kind["lodging"]).cost_amount == Decimal("1520.50")

    # Figures count the approved costs: 1520.50 + 170.00, and the visit's planned 0.00.
    with in_tenant("340100"):
        assert task_costs([task.pk])[task.pk] == {
            "lodging": Decimal("1520.50"),
            "meal": Decimal("170.00"),
            "visit": Decimal("0.00"),
        }

    # Drafted from approved costs.
    drafted = finance.post(url(task, "reception-list/"), {}, format="json")
    assert drafted.status_code == 201, drafted.json()
    body = staff_api("340100", "reviewer").get(url(task, "reception-list/")).json()
    assert body["status"] == "draft"
    assert body["total"] == "1690.50"
    assert body["guests"] == [
        {"name": "王明", "unit": "安徽省发展和改革委员会", "post": "副主任"},
        {"name": "李华", "unit": "安徽省发展和改革委员会", "post": "处长"},
    ]
    assert body["accompanying"] == [{"name": "张三", "unit": "合肥市发改委", "post": "科长"}]
    assert [(i["venue"], i["cost"]) for i in body["items"]] == [
        ("徽园餐厅二楼", "170.00"),
        ("稻香楼宾馆3号楼", "1520.50"),
        ("合肥高新区", "0.00"),
    ]

    # The PDF: official title, letter number, the total in figures and in capitals.
    pdf = staff_api("340100", "finance").get(f"/api/v1/tasks/{task.pk}/reception-list.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    squeezed = text.replace(" ", "").replace("\n", "")
    for expected in ("公务接待清单", task.letter.number, "王明", "徽园餐厅二楼", "1,690.50", "壹仟陆佰玖拾元伍角整"):
        assert expected in squeezed, expected
    assert "经办人" in squeezed and "审核人" in squeezed
    bundle = staff_api("340100", "finance").get(f"/api/v1/tasks/{task.pk}/reimbursement.pdf")
    bundle_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bundle.content)).pages).replace(" ", "")
    assert "发票汇总" in bundle_text and "No.00012345" in bundle_text and task.letter.sending_unit in bundle_text

    # The reviewer approves: the task is settled; approving again is 409.
    settled = staff_api("340100", "reviewer").post(url(task, "reception-list/approve/"), {}, format="json")
    assert settled.status_code == 200 and settled.json()["status"] == "settled"
    assert (
        staff_api("340100", "reviewer").post(url(task, "reception-list/approve/"), {}, format="json").status_code == 409
    )
    refused(finance.post(url(task, "reception-list/"), {}, format="json"), 409, "invalid_transition")
    assert AuditEntry.objects.filter(chain="340100", action="reception.task.settled").exists()

    # Evaluations through signed links, no login: staff see previews, the parties rate.
    links = staff_api("340100", "handler").get(url(task, "evaluation-links/")).json()
    assert set(links) == {"visiting_unit", "counterpart"}
    anonymous = api("340100")
    preview = links["visiting_unit"].split("hefei.localhost", 1)[1]
    assert anonymous.get(preview).status_code == 200
    refused(anonymous.post(preview, {"score": 1}, format="json"), 403, "preview_only")
    path = party_link(task)
    assert anonymous.get(path).status_code == 200
    created = anonymous.post(path, {"score": 5, "comment": "安排周到"}, format="json")
    assert created.status_code == 201, created.content
    refused(anonymous.post(path, {"score": 4}, format="json"), 409, "already_evaluated")
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert anonymous.get(tampered).status_code == 404
    refused_page(anonymous.post(tampered, {"score": 3}, format="json"), 404, "not_found")
    counterpart = party_link(task, "counterpart", f"user:{user('340100-counterpart').pk}")
    form = anonymous.post(counterpart, {"score": "4", "comment": "满意"})  # the HTML form, no CSRF token
    assert form.status_code == 201
    summary = staff_api("340100", "drafter").get(url(task, "evaluations/")).json()
    assert summary["average"] == "4.5"
    assert sorted((e["party"], e["score"]) for e in summary["evaluations"]) == [
        ("counterpart", 4),
        ("visiting_unit", 5),
    ]
