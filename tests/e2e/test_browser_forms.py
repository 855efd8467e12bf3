"""In a real browser: approving, amending and cancelling ask first; the item form shows only its kind's
fields; required fields are marked. Data is committed in 蚌埠市 (340300, host bengbu)."""

from __future__ import annotations

from typing import Any

import pytest

from reception.models import Task, TaskStatus
from tests.conftest import PASSWORD, in_tenant, user
from tests.e2e.conftest import login
from tests.reception.factories import PlanItemFactory, TaskFactory

pytestmark = pytest.mark.browser


def status_of(task: Task) -> str:
    with in_tenant("340300"):
        return Task.objects.get(pk=task.pk).status


def test_approve_asks_first_and_a_no_changes_nothing(committed: Any, page: Any, site: Any) -> None:
    with in_tenant("340300"):
        task = TaskFactory(title="蚌埠确认测试方案", status=TaskStatus.SUBMITTED, created_by=user("340300-drafter"))
    url = site("bengbu", f"/reception/tasks/{task.pk}/")
    login(page, site, "340300-reviewer", PASSWORD, url)
    page.wait_for_url(url)
    questions: list[str] = []

    def refuse(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.click("[data-testid=approve]")
    page.wait_for_timeout(300)
    assert questions and "蚌埠确认测试方案" in questions[0]
    assert status_of(task) == TaskStatus.SUBMITTED  # refused: nothing sent, nothing changed

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=task-status][data-status=approved]")
    assert status_of(task) == TaskStatus.APPROVED


def test_cancel_asks_first(committed: Any, page: Any, site: Any) -> None:
    with in_tenant("340300"):
        task = TaskFactory(title="蚌埠取消测试", status=TaskStatus.DRAFT, created_by=user("340300-drafter"))
    url = site("bengbu", f"/reception/tasks/{task.pk}/")
    login(page, site, "340300-drafter", PASSWORD, url)
    page.wait_for_url(url)
    page.click("summary:has-text('取消任务')")
    page.fill("textarea[name=reason]", "来访取消")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('确认取消')")
    page.wait_for_timeout(300)
    assert status_of(task) == TaskStatus.DRAFT
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('确认取消')")
    page.wait_for_selector("[data-testid=task-status][data-status=cancelled]")


def test_amend_asks_first_and_a_no_changes_nothing(committed: Any, page: Any, site: Any) -> None:
    with in_tenant("340300"):
        task = TaskFactory(
            title="蚌埠变更确认测试",
            status=TaskStatus.IN_PROGRESS,
            handler=user("340300-handler"),
            created_by=user("340300-drafter"),
        )
    url = site("bengbu", f"/reception/tasks/{task.pk}/")
    login(page, site, "340300-handler", PASSWORD, url)
    page.wait_for_url(url)
    form = page.locator("[data-testid=amend-form]")
    form.locator("summary").click()
    form.locator("textarea[name=reason]").fill("来宾改为住两晚")
    questions: list[str] = []

    def refuse(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.click("[data-testid=amend]")
    page.wait_for_timeout(300)
    assert questions and "蚌埠变更确认测试" in questions[0]
    assert status_of(task) == TaskStatus.IN_PROGRESS  # refused: nothing sent, nothing changed
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=amend]")
    page.wait_for_selector("[data-testid=task-status][data-status=amending]")
    assert status_of(task) == TaskStatus.AMENDING


def test_the_item_form_shows_only_its_kinds_fields_and_marks_required_ones(
    committed: Any, page: Any, site: Any
) -> None:
    with in_tenant("340300"):
        task = TaskFactory(title="蚌埠表单测试", status=TaskStatus.DRAFT, created_by=user("340300-drafter"))
        meal = PlanItemFactory(task=task, kind="meal")
    url = site("bengbu", f"/reception/tasks/{task.pk}/item/{meal.pk}/")
    login(page, site, "340300-drafter", PASSWORD, url)
    page.wait_for_url(url)
    assert page.locator("#id_item-meal_type").is_visible()
    assert not page.locator("#id_item-room_type").is_visible()
    page.select_option("#id_item-kind", "lodging")
    assert page.locator("#id_item-room_type").is_visible()
    assert not page.locator("#id_item-meal_type").is_visible()
    marks = page.eval_on_selector("label[for=id_item-venue]", "label => getComputedStyle(label, '::after').content")
    assert "*" in marks
    optional = page.eval_on_selector("label[for=id_item-menu]", "label => getComputedStyle(label, '::after').content")
    assert "*" not in optional
