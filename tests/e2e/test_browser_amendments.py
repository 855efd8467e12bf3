"""In a real browser: the handler amends an in-progress task from its page (with a reason); the
drafter changes the lodging and the reviewer approves the amendment; the hotel's staff open the
order in the portal, see what changed and why, and confirm it again. Data is committed in 蚌埠市
(340300, host bengbu), which the `committed` fixture empties afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from provider_portal.services import provider_add
from reception.models import PlanItem
from tenants.services import user_ensure
from tests.conftest import PASSWORD, api, in_tenant
from tests.e2e.conftest import login
from tests.provider_portal.conftest import make_task
from tests.reception.conftest import skip_used_task_ids

pytestmark = pytest.mark.browser

REASON = "来宾改为住两晚"


@pytest.fixture
def order_index_removed(committed: Any) -> Any:
    yield committed
    from provider_portal.models import BookingIndex, OrderIndex

    OrderIndex.objects.filter(schema_name=committed.schema_name).delete()
    BookingIndex.objects.filter(jurisdiction=committed).delete()


def test_amend_an_in_progress_task_and_the_provider_confirms_the_change(
    order_index_removed: Any, chromium: Any, page: Any, site: Any
) -> None:
    committed = order_index_removed
    staff, _created = user_ensure(username="e2e-amend-hotel", password=PASSWORD, display_name="变更测试宾馆前台")
    hotel, _created = provider_add(
        actor=None, name="浏览器变更测试宾馆", kind="hotel", serves=[committed], staff_user=staff
    )
    skip_used_task_ids("340300")
    task = make_task("340300", {"hotel": hotel}, title="浏览器变更测试接待")
    handler = api("340300", "340300-handler")
    assert handler.post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
    (order,) = handler.get(f"/api/v1/tasks/{task.pk}/orders/").json()
    assert api(None, "e2e-amend-hotel").post(f"/api/v1/provider/orders/{order['id']}/accept/").status_code == 200

    # The handler opens the task page and amends it, giving the reason.
    path = f"/reception/tasks/{task.pk}/"
    login(page, site, "340300-handler", PASSWORD, site("bengbu", path))
    page.wait_for_url(site("bengbu", path))
    form = page.locator("[data-testid=amend-form]")
    form.locator("summary").click()
    form.locator("textarea[name=reason]").fill(REASON)
    questions: list[str] = []

    def accept(dialog: Any) -> None:  # amending asks first
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    form.locator("[data-testid=amend]").click()
    page.wait_for_selector("[data-testid=current-amendment]")
    assert REASON in page.inner_text("[data-testid=current-amendment]")
    assert handler.get(f"/api/v1/tasks/{task.pk}/").json()["status"] == "amending"
    assert len(questions) == 1 and task.title in questions[0]

    # The drafter changes the lodging (four room-nights to six), submits; the reviewer approves.
    with in_tenant("340300"):
        lodging = PlanItem.objects.get(task=task, kind="lodging")
    drafter = api("340300", "340300-drafter")
    edit = drafter.patch(f"/api/v1/tasks/{task.pk}/items/{lodging.pk}/", {"quantity": 6}, format="json")
    assert edit.status_code == 200, edit.json()
    assert drafter.post(f"/api/v1/tasks/{task.pk}/submit/", {}, format="json").status_code == 200
    approved = api("340300", "340300-reviewer").post(f"/api/v1/tasks/{task.pk}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "in_progress"

    # The hotel's staff open the order: it waits for confirmation again, with the change and why.
    context = chromium.new_context(locale="zh-CN")
    portal = context.new_page()
    portal.set_default_timeout(15000)
    order_path = f"/provider/orders/{order['id']}/"
    login(portal, site, "e2e-amend-hotel", PASSWORD, site(None, order_path))
    portal.wait_for_url(site(None, order_path))
    assert portal.inner_text("[data-testid=amendment-reason]") == REASON
    changes = portal.locator("[data-testid=amendment-change]").all_inner_texts()
    assert any("4" in row and "6" in row for row in changes), changes
    portal.click("[data-testid=accept]")
    portal.wait_for_selector("[data-testid=order-status]:has-text('已接单')")
    assert handler.get(f"/api/v1/tasks/{task.pk}/orders/").json()[0]["status"] == "accepted"
    context.close()
