"""In a real browser: the admin's outbox (filter, open a message, send a failed one again), the
task page's messages, and the profile page where a user sets their e-mail and mobile number.
Data is committed in 蚌埠市 (340300, host bengbu); the outbox rows it makes (public schema) are
removed afterwards. Screenshots at PC and phone width go to .data/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Notification
from reception.models import Letter
from reception.services.transitions import task_approve, task_submit
from tests.conftest import PASSWORD, in_tenant, user
from tests.e2e.conftest import SCREENSHOTS, login
from tests.reception.factories import GuestFactory, PlanItemFactory, StaffFactory, TaskFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def approved(committed: Any) -> Any:
    """A task of 蚌埠 approved for real (its messages queued and sent), and one failed SMS."""
    try:
        with in_tenant("340300") as bengbu:
            task = TaskFactory(title="浏览器消息测试接待", created_by=user("340300-drafter"))
            Letter.objects.filter(pk=task.letter_id).update(
                contact_name="张联络", contact_phone="13955559001", contact_email="liaison@e2e.gov.cn"
            )
            GuestFactory(task=task, name="王明", grade="bureau", post="副主任", phone="13955559002")
            StaffFactory(task=task, name="赵强")  # the lunch's accompanying diner, on the staff list
            PlanItemFactory(task=task, guests_count=1, accompanying_count=1, quantity=2, venue="蚌埠宾馆一楼")
            task_submit(actor=user("340300-drafter"), jurisdiction=bengbu, task_id=task.pk)
            task_approve(actor=user("340300-reviewer"), jurisdiction=bengbu, task_id=task.pk)
        Notification.objects.filter(jurisdiction_code="340300", address="13955559002").update(
            status="failed", error_code="isv.MOBILE_NUMBER_ILLEGAL", last_error="isv.MOBILE_NUMBER_ILLEGAL: 号码非法"
        )
        yield task
    finally:
        Notification.objects.filter(jurisdiction_code="340300").delete()
        from core.models import User

        User.objects.filter(username="340300-drafter").update(email="", phone="")


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_outbox_task_messages_and_profile(approved: Any, chromium: Any, page: Any, site: Any) -> None:
    task = approved
    login(page, site, "340300-admin", PASSWORD, site("bengbu", "/outbox/"))
    page.wait_for_url(site("bengbu", "/outbox/"))
    rows = page.locator("[data-testid=outbox-rows] tbody tr")
    assert rows.count() == Notification.objects.filter(jurisdiction_code="340300").count() >= 3
    assert page.locator("text=liaison@e2e.gov.cn").count() >= 1
    _shot(page, "outbox-pc")
    page.click("[data-testid=filter-failed]")
    page.wait_for_url("**/outbox/?status=failed")
    assert page.locator("[data-testid=outbox-rows] tbody tr").count() == 1
    page.locator("[data-testid=outbox-rows] summary").first.click()  # the message's text opens
    assert "13955559002" in page.inner_text("[data-testid=outbox-rows]")
    failed = Notification.objects.get(jurisdiction_code="340300", address="13955559002")
    page.click(f"[data-testid=retry-{failed.pk}]")
    page.wait_for_selector(".messages li")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)  # queued again and delivered after the commit
    assert page.locator("[data-testid=outbox-empty]").is_visible()  # nothing failed any more

    phone = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    login(small, site, "340300-admin", PASSWORD, site("bengbu", "/outbox/"))
    small.wait_for_url(site("bengbu", "/outbox/"))
    _shot(small, "outbox-390")
    path = f"/reception/tasks/{task.pk}/"
    small.goto(site("bengbu", path))
    assert "liaison@e2e.gov.cn" in small.inner_text("[data-testid=task-messages]")
    small.locator("[data-testid=task-messages]").scroll_into_view_if_needed()
    _shot(small, "task-messages-390")
    phone.close()

    # The drafter reads the task's messages; then sets their own e-mail and mobile number.
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    drafter = context.new_page()
    login(drafter, site, "340300-drafter", PASSWORD, site("bengbu", path))
    drafter.wait_for_url(site("bengbu", path))
    messages = drafter.inner_text("[data-testid=task-messages]")
    assert "liaison@e2e.gov.cn" in messages and "13955559001" in messages
    drafter.locator("[data-testid=task-messages]").screenshot(path=str(SCREENSHOTS / "task-messages-pc.png"))
    drafter.click("[data-testid=profile-link]")
    drafter.wait_for_url("**/accounts/profile/")
    drafter.fill("input[name=email]", "drafter@bengbu.gov.cn")
    drafter.fill("input[name=phone]", "12345")
    drafter.click("button[type=submit].primary")
    drafter.wait_for_selector("[data-testid=phone-error]")
    drafter.fill("input[name=phone]", "+86 139 5555 9003")
    drafter.click("button[type=submit].primary")
    drafter.wait_for_selector(".messages li")
    _shot(drafter, "profile-pc")
    me = user("340300-drafter")
    assert (me.email, me.phone) == ("drafter@bengbu.gov.cn", "13955559003")
    context.close()
