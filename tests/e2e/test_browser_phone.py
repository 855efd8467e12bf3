"""On a phone (390 px wide, Chromium): no page scrolls sideways, tables read as labelled cards;
the product installs as an app (manifest, service worker) and a handler's day (today's tasks and
itineraries, in the user's time zone) reloads offline showing when it was last updated. Data is
committed in 蚌埠市 (340300, host bengbu)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from reception.models import TaskStatus
from tests.conftest import PASSWORD, in_tenant, user
from tests.e2e.conftest import login
from tests.reception.factories import LetterFactory, PlanItemFactory, TaskFactory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium: Any) -> Any:
    context = chromium.new_context(
        locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def bengbu(committed: Any) -> dict[str, Any]:
    with in_tenant("340300"):
        handler = user("340300-handler")
        task = TaskFactory(
            title="蚌埠手机端测试接待（一个相当长的任务名称，看看在窄屏上是否换行）",
            status=TaskStatus.IN_PROGRESS,
            handler=handler,
            created_by=user("340300-drafter"),
            counterpart_unit="蚌埠市发展和改革委员会综合协调科",
        )
        PlanItemFactory(task=task, kind="meal")
        PlanItemFactory(task=task, kind="lodging", meal_type="", room_type="standard", menu="")
        LetterFactory(number="蚌来〔2026〕2号", status="submitted_by_visitor")
    return {"task": task}


def sideways(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_no_page_scrolls_sideways_at_390_px(bengbu, phone, site):
    task = bengbu["task"]
    login(phone, site, "340300-handler", PASSWORD, site("bengbu"))
    phone.wait_for_url(site("bengbu", "/"))
    pages = [
        "/",
        "/reception/",
        "/reception/assigned/",
        "/reception/today/",
        f"/reception/tasks/{task.pk}/",
        "/reception/letters/",
        "/reception/standards/",
        "/reception/resources/",
        "/reception/guests/",
        "/providers/",
        "/accounts/profile/",
    ]
    wide = {}
    for path in pages:
        phone.goto(site("bengbu", path))
        if sideways(phone) > 0:
            wide[path] = sideways(phone)
    assert wide == {}
    # A table reads as cards, each value labelled by its column
    phone.goto(site("bengbu", "/reception/"))
    card = phone.locator("[data-testid=task-row]").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    labels = card.locator("td").evaluate_all("cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert '"任务"' in labels and '"状态"' in labels


def test_statistics_pages_fit_a_phone(bengbu, phone, site):
    login(phone, site, "340300-admin", PASSWORD, site("bengbu"))
    phone.wait_for_url(site("bengbu", "/"))
    wide = {}
    for path in [
        "/",
        "/reporting/",
        "/reporting/warnings/",
        "/reporting/budget/",
        "/reporting/disclosure/",
        "/reporting/inbox/",
        "/reporting/reports/",
        "/outbox/",
    ]:
        phone.goto(site("bengbu", path))
        if sideways(phone) > 0:
            wide[path] = sideways(phone)
    assert wide == {}


def test_it_installs_as_an_app(committed, page, site):
    login(page, site, "340300-handler", PASSWORD, site("bengbu"))
    page.wait_for_url(site("bengbu", "/"))
    href = page.get_attribute("link[rel=manifest]", "href")
    manifest = page.evaluate("url => fetch(url).then(r => r.json())", href)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert "蚌埠市" in manifest["name"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert page.evaluate("url => fetch(url).then(r => r.headers.get('content-type'))", icon["src"]) == "image/png"
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == site("bengbu", "/")


def test_a_handlers_day_reloads_offline_with_todays_tasks_and_itineraries_only(bengbu, chromium, site):
    """Today is the user's own (the browser's zone, here UTC+14): the day page lists the tasks
    running today with today's entries only, each with when it last changed, and reloads offline."""
    zone = ZoneInfo("Pacific/Kiritimati")
    today = timezone.now().astimezone(zone).date()
    tomorrow = today + dt.timedelta(days=1)
    with in_tenant("340300"):
        handler = user("340300-handler")
        task = TaskFactory(
            title="今天的手机端接待",
            status=TaskStatus.IN_PROGRESS,
            handler=handler,
            start_date=today,
            end_date=tomorrow,
        )
        PlanItemFactory(task=task, starts_at=dt.datetime.combine(today, dt.time(12), zone), venue="今天的午餐地点")
        PlanItemFactory(task=task, starts_at=dt.datetime.combine(tomorrow, dt.time(12), zone), venue="明天的午餐地点")
        TaskFactory(
            title="明天才开始的接待",
            status=TaskStatus.APPROVED,
            handler=handler,
            start_date=tomorrow,
            end_date=tomorrow,
        )
    context = chromium.new_context(locale="zh-CN", viewport=PHONE, timezone_id="Pacific/Kiritimati")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, site, "340300-handler", PASSWORD, site("bengbu", "/reception/today/"))
        page.wait_for_url(site("bengbu", "/reception/today/"))
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()  # now under the worker's control (and with the browser's zone): this copy is kept
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        assert page.get_by_test_id("today-date").inner_text().startswith(today.isoformat())
        assert sideways(page) == 0

        def shown() -> tuple[list[str], str]:
            tasks = page.locator("[data-testid=today-task] h2 a").all_inner_texts()
            return tasks, page.locator("[data-testid=today-itinerary]").inner_text()

        tasks, itinerary = shown()
        # not the older task of the fixture, not tomorrow's; today's lunch, not tomorrow's
        assert tasks == ["今天的手机端接待"]
        assert "今天的午餐地点" in itinerary and "明天的午餐地点" not in itinerary
        assert page.get_by_test_id("task-updated-at").is_visible()
        updated = page.get_by_test_id("updated-at").inner_text()
        assert page.get_by_test_id("offline-note").is_hidden()
        context.set_offline(True)
        page.reload()
        assert shown() == (tasks, itinerary)
        assert page.get_by_test_id("updated-at").inner_text() == updated
        assert page.get_by_test_id("offline-note").is_visible()
        # A page not kept for the road is not served from a stale copy
        from playwright.sync_api import Error as BrowserError

        with pytest.raises(BrowserError):
            page.goto(site("bengbu", "/reception/letters/"))
    finally:
        context.close()
