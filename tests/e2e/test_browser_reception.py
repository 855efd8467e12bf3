"""In a real browser: letter → task → plan → a rule error in Chinese blocks submission → fix →
submit → return with a comment → resubmit → approve → assign. Data is committed in 蚌埠市
(340300, host bengbu), which the `committed` fixture empties afterwards."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import SCREENSHOTS, login
from tests.reception.conftest import skip_used_task_ids

pytestmark = pytest.mark.browser

DAY = dt.date.today() + dt.timedelta(days=10)


def signed_in(chromium, site, username, path):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, site, username, PASSWORD, site("bengbu", path))
    page.wait_for_url(site("bengbu", path))
    return context, page


def test_the_whole_cycle_in_the_browser(committed, chromium, page, site):
    skip_used_task_ids("340300")
    # The drafter registers a letter and opens a task from it
    login(page, site, "340300-drafter", PASSWORD, site("bengbu", "/reception/letters/new/"))
    page.wait_for_url(site("bengbu", "/reception/letters/new/"))
    page.fill("#id_number", "皖发改函〔2026〕66号")
    page.fill("#id_sending_unit", "安徽省发展和改革委员会")
    page.select_option("#id_purpose", "inspection_research")
    page.fill("#id_content", "调研蚌埠市重点项目。")
    page.fill("#id_people_count", "10")
    page.fill("#id_received_on", DAY.isoformat())
    page.click("button:has-text('登记')")
    page.click("a:has-text('创建接待任务')")
    page.fill("#id_title", "省发改委调研接待")
    page.select_option("#id_level", "bureau")
    page.fill("#id_counterpart_unit", "蚌埠市发展和改革委员会")
    page.fill("#id_start_date", DAY.isoformat())
    page.fill("#id_end_date", DAY.isoformat())
    page.click("button:has-text('创建')")
    page.wait_for_url("**/edit/")
    editor = page.url
    # A guest, three accompanying officials, and a lunch with four accompanying diners
    page.fill("#id_guest-name", "王明")
    page.fill("#id_guest-unit", "安徽省发展和改革委员会")
    page.fill("#id_guest-post", "副主任")
    page.select_option("#id_guest-grade", "bureau")
    page.click("[data-testid=add-guest] button")
    for name in ("李强", "张伟", "刘洋"):
        page.fill("#id_staff-name", name)
        page.fill("#id_staff-unit", "蚌埠市发展和改革委员会")
        page.fill("#id_staff-post", "科长")
        page.click("[data-testid=add-staff] button")
    page.select_option("#id_item-kind", "meal")
    page.fill("#id_item-starts_at", f"{DAY.isoformat()}T12:00")
    page.fill("#id_item-venue", "市政府机关食堂")
    page.select_option("#id_item-meal_type", "lunch")
    page.fill("#id_item-guests_count", "1")
    page.fill("#id_item-accompanying_count", "4")
    page.fill("#id_item-unit_price", "95")
    page.fill("#id_item-quantity", "5")
    page.click("[data-testid=add-item] button")
    side = page.locator("[data-testid=finding-error][data-code=accompany_limit]")
    assert "客人 1 人，陪餐最多 3 人，现为 4 人（《党政机关国内公务接待管理规定》第十条" in side.inner_text()
    # Each finding also stands beside its field, in the item's row
    row = page.get_by_test_id("item-row")
    beside = {
        (f.get_attribute("data-code"), f.get_attribute("data-field")) for f in row.get_by_test_id("cell-finding").all()
    }
    assert {("accompany_limit", "accompanying_count"), ("meal_headcount", "accompanying_count")} <= beside
    assert ("meal_standard", "unit_price") in beside  # 厅局级 lunch: 90 per person
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reception-rule-error.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "reception-rule-error-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    # Submitting is refused while the error stands
    page.click("[data-testid=submit]")
    assert "方案不符合接待规定，不能提交。" in page.locator(".messages").inner_text()
    # Fix the item and submit
    page.goto(editor)
    page.click("[data-testid=item-row] a:has-text('修改')")
    page.fill("#id_item-accompanying_count", "3")
    page.fill("#id_item-quantity", "4")
    page.fill("#id_item-unit_price", "60")
    page.click("button:has-text('保存')")
    page.wait_for_url(editor)
    assert page.get_by_test_id("findings-clean").is_visible()
    page.click("[data-testid=submit]")
    assert page.get_by_test_id("task-status").get_attribute("data-status") == "submitted"
    task_path = urlparse(page.url).path

    # The reviewer returns it with a comment from the queue
    reviewer_context, reviewer = signed_in(chromium, site, "340300-reviewer", "/reception/review/")
    reviewer.click("[data-testid=task-row] summary:has-text('退回')")
    reviewer.fill("[data-testid=task-row] textarea[name=comment]", "工作餐请从简")
    reviewer.click("[data-testid=task-row] button:has-text('退回修改')")
    assert "已退回拟办人修改。" in reviewer.locator(".messages").inner_text()

    # The drafter sees the comment and resubmits
    page.goto(site("bengbu", task_path))
    assert page.get_by_test_id("task-status").get_attribute("data-status") == "returned"
    assert "工作餐请从简" in page.get_by_test_id("history").inner_text()
    page.click("[data-testid=submit]")
    assert page.get_by_test_id("task-status").get_attribute("data-status") == "submitted"

    # The reviewer approves and assigns the handler
    reviewer.goto(site("bengbu", task_path))
    reviewer.once("dialog", lambda dialog: dialog.accept())  # approving asks first
    reviewer.click("[data-testid=approve]")
    assert reviewer.get_by_test_id("task-status").get_attribute("data-status") == "approved"
    reviewer.select_option("#id_handler", "340300-handler")
    reviewer.click("[data-testid=assign]")
    assert reviewer.get_by_test_id("task-status").get_attribute("data-status") == "in_progress"
    assert reviewer.get_by_test_id("task-handler").inner_text() != "—"
    actions = reviewer.locator("[data-testid=history] li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions == [
        "reception.task.created",
        "reception.task.submitted",
        "reception.task.returned",
        "reception.task.submitted",
        "reception.task.approved",
        "reception.task.assigned",
    ]
    reviewer_context.close()


def test_a_supervisor_sees_the_pages_read_only(committed, page, site):
    login(page, site, "340000-supervisor", PASSWORD, site("bengbu", "/reception/"))
    page.wait_for_url(site("bengbu", "/reception/"))
    assert page.get_by_test_id("read-only").is_visible()
    assert page.locator("a:has-text('从公函创建接待任务')").count() == 0
    page.goto(site("bengbu", "/reception/letters/"))
    assert page.locator("a:has-text('登记公函')").count() == 0
