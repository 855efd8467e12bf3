"""In a real browser: a provider's workplace. Its inbox puts first the orders waiting for it (a new
one, and one an approved amendment changed, marked with what changed), then the rest; accepting
moves an order down; at 390 px nothing scrolls sideways; its orders of the day reload offline,
showing when each was last updated. Data is committed in 蚌埠市 (340300, host bengbu)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from provider_portal.models import OrderIndex
from provider_portal.services import provider_add
from reception.models import PlanItem
from tenants.services import user_ensure
from tests.conftest import PASSWORD, api, in_tenant
from tests.e2e.conftest import login
from tests.provider_portal.conftest import make_task
from tests.reception.conftest import skip_used_task_ids

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def hotel_orders(committed: Any) -> Any:
    """A new order and a changed one (accepted, then amended: two nights instead of four rooms)."""
    staff, _created = user_ensure(username="e2e-work-hotel", password=PASSWORD, display_name="工作台测试宾馆前台")
    hotel, _created = provider_add(
        actor=None, name="工作台测试宾馆", kind="hotel", serves=[committed], staff_user=staff
    )
    skip_used_task_ids("340300")
    changed = make_task("340300", {"hotel": hotel}, title="变更过的接待")
    new = make_task("340300", {"hotel": hotel}, title="新派的接待")
    handler = api("340300", "340300-handler")
    ids = {}
    for task in (changed, new):
        assert handler.post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
        (order,) = handler.get(f"/api/v1/tasks/{task.pk}/orders/").json()
        ids[task.title] = order["id"]
    portal = api(None, "e2e-work-hotel")
    assert portal.post(f"/api/v1/provider/orders/{ids['变更过的接待']}/accept/").status_code == 200
    assert handler.post(f"/api/v1/tasks/{changed.pk}/amend/", {"reason": "改为两间"}, format="json").status_code == 200
    with in_tenant("340300"):
        PlanItem.objects.filter(task=changed, kind="lodging").update(quantity=2)
    for username, action in [("340300-drafter", "submit"), ("340300-reviewer", "approve")]:
        answer = api("340300", username).post(f"/api/v1/tasks/{changed.pk}/{action}/", {}, format="json")
        assert answer.status_code == 200, answer.content
    yield ids
    OrderIndex.objects.filter(schema_name=committed.schema_name).delete()


def sideways(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_new_and_changed_orders_come_first_on_a_phone(hotel_orders: dict[str, str], chromium: Any, site: Any) -> None:
    context = chromium.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, site, "e2e-work-hotel", PASSWORD, site(None, "/provider/"))
        page.wait_for_url(site(None, "/provider/"))
        # the waiting orders come before the rest, at the top of the page
        first = page.locator("[data-testid=to-act], [data-testid=inbox]").first
        assert first.get_attribute("data-testid") == "to-act"
        assert page.get_by_test_id("to-act-count").inner_text() == "2"
        changed = page.locator(f"[data-testid=to-act-row][data-order='{hotel_orders['变更过的接待']}']")
        assert changed.get_attribute("data-changed") == "1"
        assert changed.get_by_test_id("changed-badge").is_visible()
        assert changed.get_by_test_id("change").all_inner_texts() == ["数量 4 → 2", "计划金额 1520.00 → 760.00"]
        new = page.locator(f"[data-testid=to-act-row][data-order='{hotel_orders['新派的接待']}']")
        assert new.get_by_test_id("new-badge").is_visible()
        assert page.locator("[data-testid=inbox-row]").count() == 0
        assert sideways(page) == 0
        # accepting the new order moves it down to the rest
        new.locator("a").first.click()
        page.wait_for_url(f"**/provider/orders/{hotel_orders['新派的接待']}/")
        page.get_by_test_id("accept").click()
        page.wait_for_selector("[data-testid=order-status]:has-text('已接单')")
        page.goto(site(None, "/provider/"))
        assert page.get_by_test_id("to-act-count").inner_text() == "1"
        assert page.locator("[data-testid=inbox-row][data-status=accepted]").count() == 1
        for path in ("/provider/", "/provider/today/", "/provider/bookings/"):
            page.goto(site(None, path))
            assert sideways(page) == 0, path
    finally:
        context.close()


def test_the_orders_of_the_day_reload_offline(hotel_orders: dict[str, str], chromium: Any, site: Any) -> None:
    today = timezone.now()
    OrderIndex.objects.filter(pk=hotel_orders["新派的接待"]).update(
        starts_at=today, ends_at=today + dt.timedelta(hours=1)
    )
    OrderIndex.objects.filter(pk=hotel_orders["变更过的接待"]).update(
        starts_at=today + dt.timedelta(days=3), ends_at=None
    )
    context = chromium.new_context(locale="zh-CN", viewport=PHONE, timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, site, "e2e-work-hotel", PASSWORD, site(None, "/provider/today/"))
        page.wait_for_url(site(None, "/provider/today/"))
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()  # now under the worker's control: this copy is kept
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        rows = page.locator("[data-testid=provider-today-row]")
        assert rows.count() == 1 and "新派的接待" in rows.inner_text()
        updated = page.get_by_test_id("updated-at").inner_text()
        context.set_offline(True)
        page.reload()
        assert page.get_by_test_id("offline-note").is_visible()
        assert page.locator("[data-testid=provider-today-row]").count() == 1
        assert page.get_by_test_id("order-updated-at").is_visible()
        assert page.get_by_test_id("updated-at").inner_text() == updated
    finally:
        context.close()
