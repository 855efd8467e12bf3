"""Web pages: the provider portal on the public host (inbox, order, actions) and settlement on the
task page (dispatch, cost review, complete, list draft/approve/PDF, evaluation links and results)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from provider_portal.models import OrderIndex
from provider_portal.orders.models import Order
from reception.models import Task
from tests.conftest import HOSTS, PUBLIC_HOST, in_tenant, refused_page, user
from tests.provider_portal.conftest import cost_body, party_link, provider_api, staff_api

pytestmark = pytest.mark.django_db


def page_client(code: str | None, username: str | None = None) -> Client:
    client = Client(HTTP_HOST=HOSTS[code] if code else PUBLIC_HOST)
    if username:
        client.force_login(user(username))
    return client


def text(response: Any) -> str:
    return response.content.decode()


def _order_ids(task: Any) -> dict[str, str]:
    with in_tenant("340100"):
        return {o.kind: str(o.pk) for o in Order.objects.filter(task_id=task.pk).exclude(status="declined")}


def test_provider_portal_pages_carry_an_order_through(task: Any) -> None:
    handler = page_client("340100", "340100-handler")
    detail = text(handler.get(f"/reception/tasks/{task.pk}/"))
    assert 'data-testid="dispatch"' in detail
    assert handler.post(f"/reception/tasks/{task.pk}/dispatch/", {"version": task.version + 0}).status_code == 303
    ids = _order_ids(task)
    assert set(ids) == {"meal", "lodging"}

    hotel = page_client(None, "p-hotel")
    inbox = hotel.get("/provider/")
    assert inbox.status_code == 200
    # the new order waits in "new and changed orders" first; nothing acted on yet below it
    assert text(inbox).count('data-testid="to-act-row"') == 1 and task.title in text(inbox)
    assert text(inbox).count('data-testid="inbox-row"') == 0
    assert 'name="viewport"' in text(inbox)  # phone-friendly base layout
    page = hotel.get(f"/provider/orders/{ids['lodging']}/")
    assert page.status_code == 200 and "稻香楼宾馆3号楼" in text(page) and 'data-testid="accept"' in text(page)
    assert "王明" not in text(page) and "13800000000" not in text(page)

    assert hotel.post(f"/provider/orders/{ids['lodging']}/", {"action": "accept"}).status_code == 303
    assert hotel.post(f"/provider/orders/{ids['lodging']}/", {"action": "fulfil"}).status_code == 303
    form = {
        "action": "costs",
        "invoice_number": "INV-1",
        "description_0": "房费",
        "amount_0": "1500.00",
        "payment_method_0": "cash",
    }
    refused = hotel.post(f"/provider/orders/{ids['lodging']}/", form)
    refused_page(refused, 400, "cash_refused")
    assert OrderIndex.objects.get(pk=ids["lodging"]).status == "fulfilled"
    form["payment_method_0"] = "official_card"
    form.update(description_1="服务费", amount_1="20.00", payment_method_1="transfer")
    assert hotel.post(f"/provider/orders/{ids['lodging']}/", form).status_code == 303
    with in_tenant("340100"):
        order = Order.objects.get(pk=ids["lodging"])
        assert (order.status, str(order.cost_amount)) == ("cost_reported", "1520.00")
    # A repeated action answers 409 with the message.
    refused_page(hotel.post(f"/provider/orders/{ids['lodging']}/", {"action": "accept"}), 409, "invalid_transition")

    # The restaurant declines through its page.
    restaurant = page_client(None, "p-restaurant")
    assert restaurant.post(f"/provider/orders/{ids['meal']}/", {"action": "decline", "reason": ""}).status_code == 400
    assert (
        restaurant.post(f"/provider/orders/{ids['meal']}/", {"action": "decline", "reason": "厨师请假"}).status_code
        == 303
    )
    assert restaurant.get(f"/provider/orders/{ids['lodging']}/").status_code == 404

    # Finance approves on the task page; the handler completes.
    finance = page_client("340100", "340100-finance")
    detail = text(finance.get(f"/reception/tasks/{task.pk}/"))
    assert 'data-testid="approve-cost"' in detail and "厨师请假" in detail
    assert finance.post(f"/reception/orders/{ids['lodging']}/approve/").status_code == 303
    with in_tenant("340100"):
        assert Order.objects.get(pk=ids["lodging"]).status == "cost_approved"
        version = Task.objects.get(pk=task.pk).version
    assert handler.post(f"/reception/tasks/{task.pk}/complete/", {"version": version}).status_code == 303
    with in_tenant("340100"):
        assert Task.objects.get(pk=task.pk).status == "completed"

    # The list: drafted by finance, approved by the reviewer, printed.
    assert 'data-testid="draft-list"' in text(finance.get(f"/reception/tasks/{task.pk}/"))
    assert finance.post(f"/reception/tasks/{task.pk}/reception-list/draft/").status_code == 303
    reviewer = page_client("340100", "340100-reviewer")
    detail = text(reviewer.get(f"/reception/tasks/{task.pk}/"))
    # The declined meal counts its planned amount (175.50) and the lodging its approved 1520.00.
    assert 'data-testid="list-total">1695.50<' in detail and 'data-testid="approve-list"' in detail
    pdf = reviewer.get(f"/reception/tasks/{task.pk}/reception-list.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "壹仟陆佰玖拾伍元伍角整" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace(" ", "")
    assert reviewer.get(f"/reception/tasks/{task.pk}/reimbursement.pdf").status_code == 200
    assert reviewer.post(f"/reception/tasks/{task.pk}/reception-list/approve/").status_code == 303
    with in_tenant("340100"):
        assert Task.objects.get(pk=task.pk).status == "settled"


def test_provider_pages_refuse_others(task: Any) -> None:
    anonymous = page_client(None).get("/provider/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert page_client(None, "340100-handler").get("/provider/").status_code == 403
    assert page_client("340100", "p-hotel").get("/provider/").status_code == 404
    # A provider on a tenant page: no membership, 403.
    assert page_client("340100", "p-hotel").get(f"/reception/tasks/{task.pk}/").status_code == 403


def test_settlement_actions_on_pages_check_roles(task: Any) -> None:
    assert (
        staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
    )
    ids = _order_ids(task)
    handler = page_client("340100", "340100-handler")
    refused_page(handler.post(f"/reception/orders/{ids['lodging']}/approve/"), 403, "forbidden")
    assert (
        page_client("340100", "340200-finance").post(f"/reception/orders/{ids['lodging']}/approve/").status_code == 403
    )
    refused_page(
        page_client("340100", "340100-finance").post(f"/reception/orders/{ids['lodging']}/bogus/"), 404, "not_found"
    )
    refused_page(handler.post(f"/reception/tasks/{task.pk}/reception-list/draft/"), 403, "forbidden")
    # Drafting before completion: a message, nothing drafted.
    response = page_client("340100", "340100-finance").post(
        f"/reception/tasks/{task.pk}/reception-list/draft/", follow=True
    )
    refused_page(response, 200, "invalid_transition")


def test_evaluation_form_page_and_results_on_the_task_page(task: Any) -> None:
    path = party_link(task)
    browser = Client(HTTP_HOST="hefei.localhost", enforce_csrf_checks=True)
    form = browser.get(path)
    assert form.status_code == 200 and 'data-testid="evaluation-form"' in text(form)
    bad = browser.post(path, {"score": "9"})
    refused_page(bad, 400, "invalid_score")
    done = browser.post(path, {"score": "3", "comment": "用餐偏咸"})
    assert done.status_code == 201 and 'data-testid="evaluation-done"' in text(done)
    refused_page(browser.post(path, {"score": "5"}), 409, "already_evaluated")
    assert Client(HTTP_HOST="wuhu.localhost").get(path).status_code == 404  # another jurisdiction's host
    detail = text(page_client("340100", "340100-reviewer").get(f"/reception/tasks/{task.pk}/"))
    assert 'data-testid="evaluation-average">3.0<' in detail and "用餐偏咸" in detail
    assert 'data-testid="evaluation-link-visiting"' in detail
    # Counterpart users see the results but get no links.
    counterpart = text(page_client("340100", "340100-counterpart").get(f"/reception/tasks/{task.pk}/"))
    assert "用餐偏咸" in counterpart and 'data-testid="evaluation-link-visiting"' not in counterpart
    assert provider_api("p-hotel").get(f"/api/v1/tasks/{task.pk}/evaluations/").status_code in (403, 404)


def test_costs_api_and_page_agree(task: Any) -> None:
    assert (
        staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
    )
    ids = _order_ids(task)
    client = provider_api("p-hotel")
    client.post(f"/api/v1/provider/orders/{ids['lodging']}/accept/")
    client.post(f"/api/v1/provider/orders/{ids['lodging']}/fulfil/")
    client.post(f"/api/v1/provider/orders/{ids['lodging']}/costs/", cost_body("99.90"), format="json")
    page = text(page_client(None, "p-hotel").get(f"/provider/orders/{ids['lodging']}/"))
    assert 'data-testid="cost"' in page and "99.90" in page and "No.00012345" in page


def test_provider_staff_find_the_portal_from_the_public_site(providers: dict[str, Any]) -> None:
    assert 'data-testid="provider-portal"' in text(page_client(None, "p-hotel").get("/"))
    assert 'data-testid="provider-portal"' not in text(page_client(None, "340100-handler").get("/"))
    assert 'data-testid="provider-portal"' not in text(page_client(None).get("/"))
