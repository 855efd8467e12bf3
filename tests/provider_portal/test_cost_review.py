"""Money checked where it is spent: reported costs judged by the plan's standards at approve-cost,
reported again after a refusal, shown in early warning as soon as reported, and an approved cost
reopened by finance (with a reason, audited) while the reception list can be corrected.

The task (tests/provider_portal/conftest.py): guests 厅局级 and 县处级, one accompanying; a lunch
at the restaurant for 3 covers (ceiling 90 per person at 厅局级), 4 room-nights at the hotel
(ceiling 480 per room-night at 厅局级).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from core.models import AuditEntry
from provider_portal.orders.models import Order, OrderCost
from provider_portal.services import PriceInput, designation_set
from reception.models import PlanItem, ReceptionList, Task
from tests.conftest import in_tenant, refused, unchanged, user
from tests.provider_portal.conftest import cost_body, provider_api, staff_api
from tests.provider_portal.test_orders import act, fulfilled

pytestmark = pytest.mark.django_db

WARNINGS = "/api/v1/warnings/"


def approve(order_id: str, role: str = "finance", code: str = "340100") -> Any:
    return staff_api(code, role).post(f"/api/v1/orders/{order_id}/approve-cost/", {}, format="json")


def reopen(order_id: str, reason: str = "清单退回：发票金额有误", role: str = "finance", code: str = "340100") -> Any:
    return staff_api(code, role).post(f"/api/v1/orders/{order_id}/reopen-cost/", {"reason": reason}, format="json")


def report(username: str, order_id: str, *amounts: str, description: str = "") -> Any:
    body = cost_body(*amounts)
    if description:
        body["lines"][0]["description"] = description
    return act(username, order_id, "costs", body)


def state(order_id: str) -> tuple[str, Any, Any]:
    with in_tenant("340100"):
        order = Order.objects.get(pk=order_id)
        cost = OrderCost.objects.filter(order=order).first()
        return order.status, order.cost_amount, cost.approved_at if cost else None


def rule_codes(response: Any) -> list[str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert "detail" in body
    return [error["code"] for error in body["errors"]]


@pytest.mark.parametrize(
    ("kind", "username", "amount", "refused"),
    [
        ("lodging", "p-hotel", "1920.00", False),  # 480 × 4 room-nights
        ("lodging", "p-hotel", "1920.01", True),
        ("meal", "p-restaurant", "270.00", False),  # 90 × 3 covers
        ("meal", "p-restaurant", "270.01", True),
    ],
)
def test_approve_cost_refuses_a_cost_over_the_standard(
    task: Any, kind: str, username: str, amount: str, refused: bool
) -> None:
    order_id = fulfilled(task)[kind]
    assert report(username, order_id, amount).status_code == 200
    audit = AuditEntry.objects.filter(chain="340100", action="provider_portal.order.cost_approved").count()
    response = approve(order_id)
    if refused:
        assert rule_codes(response) == ["actual_over_standard"]
        assert state(order_id) == ("cost_reported", Decimal(amount), None)
        assert AuditEntry.objects.filter(chain="340100", action="provider_portal.order.cost_approved").count() == audit
    else:
        assert response.status_code == 200
        assert state(order_id)[0] == "cost_approved"


def test_the_refusal_names_the_numbers_and_the_provider_reports_again(task: Any) -> None:
    order_id = fulfilled(task)["lodging"]
    report("p-hotel", order_id, "2400.00")
    refused = approve(order_id).json()["errors"][0]
    assert "报送费用 2400.00 元，4 间·晚，每间每晚 600.00 元" in refused["message"]
    assert "住宿标准 480.00 元/间·晚" in refused["message"]
    assert refused["source"].startswith("《党政机关国内公务接待管理规定》第")
    # The provider corrects the report without waiting for a return: the cost is replaced.
    assert report("p-hotel", order_id, "1520.00").status_code == 200
    with in_tenant("340100"):
        assert OrderCost.objects.filter(order_id=order_id).count() == 1
    assert approve(order_id).status_code == 200
    assert state(order_id)[:2] == ("cost_approved", Decimal("1520.00"))


def test_a_cost_above_the_agreed_price_is_refused(task: Any, providers: dict[str, Any], tree: Any) -> None:
    designation_set(
        actor=user("340100-admin"),
        jurisdiction=tree["340100"],
        provider_id=providers["restaurant"].pk,
        agreed_prices=[PriceInput(item="工作餐", unit="人·餐", price=Decimal("60.00"))],
    )
    order_id = fulfilled(task)["meal"]
    report("p-restaurant", order_id, "180.01")  # 3 covers at 60: within the meal standard (90), above 60
    errors = approve(order_id).json()["errors"]
    assert [e["code"] for e in errors] == ["actual_over_standard"]
    assert "高于徽园餐厅协议价（工作餐）60.00 元/人·餐" in errors[0]["message"]
    report("p-restaurant", order_id, "180.00")
    assert approve(order_id).status_code == 200


@pytest.mark.parametrize(
    "line", ["茅台酒 2瓶", "茅　台", "飛天茅臺", "ＷＵＬＩＡＮＧＹＥ 五 糧 液", "香菸一条", "紅 酒", "啤酒"]
)
def test_a_cost_line_naming_a_banned_item_is_refused_however_written(task: Any, line: str) -> None:
    order_id = fulfilled(task)["meal"]
    report("p-restaurant", order_id, "100.00", "50.00", description=line)
    assert rule_codes(approve(order_id)) == ["banned_item"]
    assert state(order_id)[0] == "cost_reported"


def test_reported_costs_appear_in_early_warning_as_soon_as_reported(task: Any) -> None:
    order_id = fulfilled(task)["lodging"]
    before = {w["code"] for w in staff_api("340100", "finance").get(WARNINGS).json() if w["task"] == task.pk}
    assert "actual_over_standard" not in before
    report("p-hotel", order_id, "5000.00", description="住宿费（含洋酒）")
    found = [w for w in staff_api("340100", "finance").get(WARNINGS).json() if w["task"] == task.pk]
    assert {("actual_over_standard", "error"), ("banned_item", "error")} <= {(w["code"], w["severity"]) for w in found}


def test_finance_reopens_an_approved_cost_with_a_reason(task: Any) -> None:
    order_id = fulfilled(task)["lodging"]
    report("p-hotel", order_id, "1520.00")
    assert approve(order_id).status_code == 200
    response = reopen(order_id)
    assert response.status_code == 200 and response.json()["status"] == "cost_reported"
    assert state(order_id) == ("cost_reported", Decimal("1520.00"), None)
    entry = AuditEntry.objects.get(chain="340100", action="provider_portal.order.cost_reopened")
    assert entry.comment == "清单退回：发票金额有误"
    assert entry.before["status"] == "cost_approved" and entry.after["status"] == "cost_reported"
    # Reopened, it is reviewed again: returned to the provider, reported, approved.
    assert (
        staff_api("340100", "finance")
        .post(f"/api/v1/orders/{order_id}/return-cost/", {"comment": "请按实际发票报送"}, format="json")
        .status_code
        == 200
    )
    report("p-hotel", order_id, "1480.00")
    assert approve(order_id).status_code == 200
    assert state(order_id)[:2] == ("cost_approved", Decimal("1480.00"))
    assert reopen(order_id).status_code == 200  # again, as often as the list needs


def test_reopening_needs_finance_a_reason_and_an_approved_cost(task: Any) -> None:
    order_id = fulfilled(task)["lodging"]
    report("p-hotel", order_id, "1520.00")
    assert reopen(order_id).status_code == 409  # not approved yet
    assert approve(order_id).status_code == 200
    for role in ("drafter", "reviewer", "handler", "admin", "supervisor", "counterpart"):
        refused(reopen(order_id, role=role), 403, "permission_denied")
    assert (
        staff_api("340100", "finance").post(f"/api/v1/orders/{order_id}/reopen-cost/", {}, format="json").status_code
        == 400
    )
    with unchanged():
        refused(reopen(order_id, reason="   "), 400, "required")
    assert reopen(order_id, code="340200").status_code in (403, 404)  # another jurisdiction's finance
    assert provider_api("p-hotel").post(f"/api/v1/orders/{order_id}/reopen-cost/", {"reason": "x"}).status_code in (
        403,
        404,
    )
    assert state(order_id)[0] == "cost_approved"
    assert not AuditEntry.objects.filter(chain="340100", action="provider_portal.order.cost_reopened").exists()


def _completed_with_list(task: Any) -> dict[str, str]:
    ids = fulfilled(task)
    report("p-hotel", ids["lodging"], "1520.00")
    report("p-restaurant", ids["meal"], "175.50")
    assert approve(ids["lodging"]).status_code == 200
    assert approve(ids["meal"]).status_code == 200
    assert (
        staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json").status_code == 200
    )
    assert (
        staff_api("340100", "finance").post(f"/api/v1/tasks/{task.pk}/reception-list/", {}, format="json").status_code
        == 201
    )
    return ids


def test_a_cost_reopens_only_while_the_reception_list_can_be_corrected(task: Any) -> None:
    ids = _completed_with_list(task)
    refusal = reopen(ids["lodging"])  # the list is under review
    refused(refusal, 409, "list_under_review")
    returned = staff_api("340100", "reviewer").post(
        f"/api/v1/tasks/{task.pk}/reception-list/return/", {"comment": "住宿发票金额有误"}, format="json"
    )
    assert returned.status_code == 200
    assert reopen(ids["lodging"]).status_code == 200  # the returned list is corrected
    report("p-hotel", ids["lodging"], "1480.00")
    assert approve(ids["lodging"]).status_code == 200
    redrafted = staff_api("340100", "finance").post(f"/api/v1/tasks/{task.pk}/reception-list/", {}, format="json")
    assert redrafted.status_code == 201
    assert redrafted.json()["items"][1]["cost"] in ("1480.00", "175.50")
    approved = staff_api("340100", "reviewer").post(
        f"/api/v1/tasks/{task.pk}/reception-list/approve/", {}, format="json"
    )
    assert approved.status_code == 200
    settled = reopen(ids["meal"])
    refused(settled, 409, "list_approved")
    with in_tenant("340100"):
        assert Task.objects.get(pk=task.pk).status == "settled"
        assert ReceptionList.objects.get(task=task).status == "approved"


def test_the_database_still_refuses_changing_an_approved_cost(task: Any) -> None:
    order_id = fulfilled(task)["lodging"]
    report("p-hotel", order_id, "1520.00")
    assert approve(order_id).status_code == 200
    with in_tenant("340100"):
        cost = OrderCost.objects.get(order_id=order_id)
        for statement, values in (
            ("UPDATE provider_orders_ordercost SET total = 1 WHERE id = %s", [cost.pk]),
            ("UPDATE provider_orders_ordercost SET approved_at = NULL, total = 1 WHERE id = %s", [cost.pk]),
            ("UPDATE provider_orders_order SET cost_amount = 1 WHERE id = %s", [order_id]),
            ("UPDATE provider_orders_order SET status = 'cost_reported', cost_amount = 1 WHERE id = %s", [order_id]),
            ("DELETE FROM provider_orders_ordercost WHERE id = %s", [cost.pk]),
        ):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, values)
        assert state(order_id) == ("cost_approved", Decimal("1520.00"), cost.approved_at)


def test_whoever_drafted_the_list_may_not_approve_or_return_it(task: Any, tree: Any) -> None:
    from tenants.services import membership_add

    membership_add(actor=None, user=user("340100-finance"), jurisdiction=tree["340100"], role="reviewer")
    _completed_with_list(task)  # drafted by 340100-finance
    finance = staff_api("340100", "finance")
    for action, body in (("approve/", {}), ("return/", {"comment": "自己退回"})):
        refusal = finance.post(f"/api/v1/tasks/{task.pk}/reception-list/{action}", body, format="json")
        refused(refusal, 403, "separation_of_duties")
    with in_tenant("340100"):
        assert ReceptionList.objects.get(task=task).status == "draft"
        assert Task.objects.get(pk=task.pk).status == "completed"
    approved = staff_api("340100", "reviewer").post(
        f"/api/v1/tasks/{task.pk}/reception-list/approve/", {}, format="json"
    )
    assert approved.status_code == 200


def test_one_orders_cost_is_judged_as_the_whole_plan_would_judge_it(task: Any) -> None:
    """Approve-cost reads only the ordered item (and counts its place in the plan); what it finds
    is exactly what judging the same cost inside the whole plan finds, the item's number included."""
    from provider_portal.orders.models import OrderCostLine
    from reception.rules_costs import ReportedCost, judge_cost
    from reception.selectors.rules import order_cost_findings, task_for_checks, task_plan_input
    from tenants.models import Jurisdiction

    orders = fulfilled(task)
    assert report("p-hotel", orders["lodging"], "1920.01", description="住宿费含茅台酒").status_code == 200
    assert report("p-restaurant", orders["meal"], "270.01").status_code == 200
    jurisdiction = Jurisdiction.objects.get(code="340100")
    with in_tenant("340100"):
        for order_id in (orders["lodging"], orders["meal"]):
            order = Order.objects.get(pk=order_id)
            lines = list(OrderCostLine.objects.filter(cost__order=order).order_by("id"))
            found = order_cost_findings(jurisdiction=jurisdiction, order=order, lines=lines)
            plan = task_plan_input(task_for_checks(order.task_id), jurisdiction=jurisdiction)
            item = next(item for item in plan.items if item.pk == order.item_id)
            whole = judge_cost(plan, item, ReportedCost(total=order.cost_amount, lines=[x.description for x in lines]))
            assert [f.as_dict() for f in found] == [f.as_dict() for f in whole]
            assert {f.code for f in found} >= {"actual_over_standard"}


def test_a_cost_is_judged_by_the_approved_plan_while_an_amendment_is_open(task: Any) -> None:
    """The meal was served to the approved 3 covers (270.00 at 90 a cover); an amendment in
    progress that cuts it to one cover does not make that cost over the standard."""
    order_id = fulfilled(task)["meal"]
    assert report("p-restaurant", order_id, "270.00").status_code == 200
    amended = staff_api("340100", "handler").post(
        f"/api/v1/tasks/{task.pk}/amend/", {"reason": "减少用餐人数"}, format="json"
    )
    assert amended.status_code == 200, amended.json()
    with in_tenant("340100"):
        item_id = Order.objects.get(pk=order_id).item_id
        PlanItem.objects.filter(pk=item_id).update(guests_count=1, accompanying_count=0, quantity=1)
    response = approve(order_id)
    assert response.status_code == 200, response.json()
    assert state(order_id)[0] == "cost_approved"
