"""In a real browser: the seating chart (generate by rank, swap two seats by dragging) and the room
grid (one-click allocation, drag a guest onto another room, a suite refused to a lower grade).
Data is committed in 蚌埠市 (340300, host bengbu), which the `committed` fixture empties afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import PASSWORD, user
from tests.e2e.conftest import SCREENSHOTS, login
from tests.reception.conftest import skip_used_task_ids

pytestmark = pytest.mark.browser

DAY = dt.date.today() + dt.timedelta(days=10)
GUESTS = [
    ("赵一", "division", "省财政厅"),
    ("钱二", "bureau", "省财政厅"),
    ("孙三", "provincial_ministerial", "财政部"),
    ("李四", "section", "市财政局"),
    ("周五", "division", "市财政局"),
]


def _task(jurisdiction):
    from reception.models import Guest, Letter, Task
    from tenants.schema import tenant_context

    skip_used_task_ids("340300")
    with tenant_context(jurisdiction):
        letter = Letter.objects.create(
            number="皖财函〔2026〕8号",
            sending_unit="安徽省财政厅",
            purpose="attend_meeting",
            content="全省财政工作会议。",
            people_count=5,
            received_on=DAY,
        )
        task = Task.objects.create(
            letter=letter,
            title="全省财政工作会议",
            level="bureau",
            counterpart_unit="蚌埠市财政局",
            start_date=DAY,
            end_date=DAY + dt.timedelta(days=1),
            created_by=user("340300-drafter"),
        )
        for name, grade, unit in GUESTS:
            Guest.objects.create(task=task, name=name, grade=grade, unit=unit, post="处长")
        return task


def seat_names(page):
    return [name.strip() for name in page.locator("[data-testid=chart] .seat .name").all_inner_texts()]


def test_seating_chart_generate_and_swap_by_dragging(committed, page, site):
    task = _task(committed)
    url = site("bengbu", f"/reception/tasks/{task.pk}/seating/")
    login(page, site, "340300-drafter", PASSWORD, url)
    page.wait_for_url(url)
    assert "预览" in page.locator("main").inner_text()
    page.click("[data-testid=generate] button")
    page.wait_for_load_state()
    assert "座次图已生成。" in page.locator(".messages").inner_text()
    # five seats read 5 3 1 2 4 from the audience's left
    assert seat_names(page) == ["李四", "赵一", "孙三", "钱二", "周五"]
    page.drag_and_drop("[data-seat='1-0'][data-drag]", "[data-seat='1-2'][data-drop]")
    page.wait_for_selector(".messages li.success")
    assert seat_names(page) == ["孙三", "赵一", "李四", "钱二", "周五"]
    # or click one seat, then the other
    page.click("[data-seat='1-0'][data-drag]")
    page.click("[data-seat='1-2'][data-drag]")
    page.wait_for_load_state()
    assert seat_names(page) == ["李四", "赵一", "孙三", "钱二", "周五"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "seating-chart.png"), full_page=True)
    pdf_type = page.evaluate(
        "url => fetch(url).then(r => r.headers.get('content-type'))", f"/reception/tasks/{task.pk}/seating.pdf"
    )
    assert pdf_type == "application/pdf"


def test_room_grid_allocate_and_move_by_dragging(committed, page, site):
    from provider_portal.services import provider_add

    provider_add(actor=None, name="蚌埠宾馆", kind="hotel", serves=[committed])
    task = _task(committed)
    url = site("bengbu", f"/reception/tasks/{task.pk}/lodging/")
    login(page, site, "340300-handler", PASSWORD, url)
    page.wait_for_url(url)
    page.select_option("#id_provider", label="蚌埠宾馆")
    page.fill("#id_rooms", "801 suite\n802 suite\n601\n602\n701\n702")
    page.click("[data-testid=allocate] button")
    page.wait_for_selector("[data-testid=room-grid]")
    grid = {room.get_attribute("data-number"): room.inner_text() for room in page.locator("[data-testid=room]").all()}
    assert "孙三" in grid["801"] and "钱二" not in grid["801"] + grid["802"]
    assert "未分配的来宾（0）" in page.locator("[data-testid=unassigned]").inner_text()
    # a lower grade dragged onto the free suite is refused (in the page and by the server)
    page.drag_and_drop("[data-testid=guest-chip]:has-text('钱二')", "[data-number='802']")
    assert "钱二" not in page.locator("[data-number='802']").inner_text()
    # 周五 dragged onto 钱二's room: they swap
    room_of_qian = next(number for number, text in grid.items() if "钱二" in text)
    room_of_zhou = next(number for number, text in grid.items() if "周五" in text)
    page.drag_and_drop("[data-testid=guest-chip]:has-text('周五')", f"[data-number='{room_of_qian}']")
    page.wait_for_selector(".messages li.success")
    assert "周五" in page.locator(f"[data-number='{room_of_qian}']").inner_text()
    assert "钱二" in page.locator(f"[data-number='{room_of_zhou}']").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "room-grid.png"), full_page=True)
