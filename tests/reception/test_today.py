"""A handler's day (今日任务, reception/selectors/today.py and /reception/today/): today's tasks
and what happens today only, today in the user's time zone, each task with when it last changed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from provider_portal.orders.models import Order
from reception.models import ScheduleEntry, Task, TaskStatus
from reception.selectors.today import handler_day
from tests.conftest import HOSTS, in_tenant, user
from tests.reception.factories import DAY, PlanItemFactory, TaskFactory, at, order_for

pytestmark = pytest.mark.django_db

BEFORE, AFTER = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)
RUNNING, APPROVED = TaskStatus.IN_PROGRESS, TaskStatus.APPROVED


def entry(task: Any, title: str, hour: int, day: dt.date = DAY, item: Any = None) -> ScheduleEntry:
    return ScheduleEntry.objects.create(
        task=task,
        title=title,
        venue="市政务中心",
        starts_at=at(hour, day=day),
        ends_at=at(hour + 1, day=day),
        item=item,
        created_by=user("340100-handler"),
    )


@pytest.fixture
def day_of_work(tree: dict[str, Any], hotel: Any) -> dict[str, Any]:
    """The handler's task running over DAY with things before, on and after it; and tasks that
    are not the handler's day: tomorrow's, another handler's, a draft, a completed one."""
    with in_tenant("340100"):
        me = user("340100-handler")
        task = TaskFactory(title="今天的接待", status=RUNNING, handler=me, start_date=BEFORE, end_date=AFTER)
        lunch = PlanItemFactory(task=task, starts_at=at(12), provider=hotel)
        PlanItemFactory(task=task, starts_at=at(12, day=AFTER), meal_type="lunch")  # tomorrow
        PlanItemFactory(task=task, starts_at=at(18, day=BEFORE), meal_type="dinner")  # yesterday
        lodging = PlanItemFactory(
            task=task,
            kind="lodging",
            meal_type="",
            menu="",
            room_type="standard",
            starts_at=at(18, day=BEFORE),
            ends_at=at(12, day=AFTER),
            venue="稻香楼宾馆",
        )
        meeting = entry(task, "座谈会", 15)
        entry(task, "午餐（日程）", 12, item=lunch)  # shows the lunch: listed once, as the item
        entry(task, "明天的考察", 9, day=AFTER)
        order = order_for(lunch, provider=hotel, status="accepted")
        others = [
            TaskFactory(title="明天的接待", status=APPROVED, handler=me, start_date=AFTER, end_date=AFTER),
            TaskFactory(title="别人的接待", status=RUNNING, handler=user("340100-admin"), start_date=DAY, end_date=DAY),
            TaskFactory(title="草稿接待", status=TaskStatus.DRAFT, handler=me, start_date=DAY, end_date=DAY),
            TaskFactory(title="已办结接待", status=TaskStatus.COMPLETED, handler=me, start_date=DAY, end_date=DAY),
        ]
    return {"task": task, "lunch": lunch, "lodging": lodging, "meeting": meeting, "order": order, "others": others}


def test_the_day_is_the_handlers_tasks_running_today_to_be_carried_out(day_of_work: dict[str, Any]) -> None:
    with in_tenant("340100"):
        days = handler_day(handler_id=user("340100-handler").pk, day=DAY)
        tomorrow = handler_day(handler_id=user("340100-handler").pk, day=AFTER)
    # not tomorrow's task, another handler's, a draft or a completed one
    assert [d.task.title for d in days] == ["今天的接待"]
    assert [d.task.title for d in tomorrow] == ["今天的接待", "明天的接待"]
    # while an amendment is drafted or reviewed, the approved plan stays in force: still on the day
    for status in (TaskStatus.AMENDING, TaskStatus.AMENDMENT_SUBMITTED):
        with in_tenant("340100"):
            Task.objects.filter(pk=day_of_work["task"].pk).update(status=status)
            assert [d.task.title for d in handler_day(handler_id=user("340100-handler").pk, day=DAY)] == ["今天的接待"]


def test_entries_are_in_time_order_and_a_stay_counts_on_each_of_its_days(day_of_work: dict[str, Any]) -> None:
    with in_tenant("340100"):
        (today,) = handler_day(handler_id=user("340100-handler").pk, day=DAY)
        days_after = handler_day(handler_id=user("340100-handler").pk, day=AFTER)
        (after,) = [d for d in days_after if d.task.title == "今天的接待"]
    assert [(line.starts_at, line.label, line.order_status_label) for line in today.entries] == [
        (at(18, day=BEFORE), "住宿（标准间）", ""),
        (at(12), "用餐（午餐）", "已接单"),
        (at(15), "座谈会", ""),
    ]
    assert [line.label for line in after.entries] == ["住宿（标准间）", "明天的考察", "用餐（午餐）"]


def test_a_task_was_last_updated_when_it_its_schedule_or_an_order_last_changed(day_of_work: dict[str, Any]) -> None:
    task, order, meeting = day_of_work["task"], day_of_work["order"], day_of_work["meeting"]
    handler = user("340100-handler").pk
    with in_tenant("340100"):
        later = task.updated_at + dt.timedelta(hours=3)
        Order.objects.filter(pk=order.pk).update(updated_at=later)
        assert handler_day(handler_id=handler, day=DAY)[0].updated_at == later
        latest = later + dt.timedelta(minutes=5)
        ScheduleEntry.objects.filter(pk=meeting.pk).update(updated_at=latest)
        assert handler_day(handler_id=handler, day=DAY)[0].updated_at == latest


def test_the_day_is_read_in_four_queries_whatever_the_number_of_tasks(day_of_work: dict[str, Any]) -> None:
    handler = user("340100-handler")
    with in_tenant("340100"):
        with CaptureQueriesContext(connection) as one:
            handler_day(handler_id=handler.pk, day=DAY)
        for n in range(3):
            extra = TaskFactory(title=f"又一个{n}", status=APPROVED, handler=handler, start_date=DAY, end_date=DAY)
            PlanItemFactory(task=extra, starts_at=at(10))
            entry(extra, "会见", 16)
        with CaptureQueriesContext(connection) as four:
            days = handler_day(handler_id=handler.pk, day=DAY)
    assert len(days) == 4
    assert reads(one) == reads(four) == 4


def reads(queries: CaptureQueriesContext) -> int:
    """Queries other than switching schemas."""
    return sum(1 for query in queries.captured_queries if not query["sql"].startswith("SET search_path"))


# --- The page ------------------------------------------------------------------------------


def page(username: str, code: str = "340100", zone: str | None = None) -> Any:
    client = Client(HTTP_HOST=HOSTS[code])
    client.force_login(user(username))
    if zone:
        client.cookies["tz"] = zone
    return client.get("/reception/today/")


def titles(response: Any) -> list[str]:
    return re.findall(r'data-testid="today-task">\s*<h2><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_today_is_the_users_own_day(tree: dict[str, Any]) -> None:
    """Kiritimati (UTC+14) and Pago Pago (UTC−11) are always on different days: each user sees
    the task of their own today."""
    now = timezone.now()
    east, west = (now.astimezone(ZoneInfo(zone)).date() for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"))
    assert east != west
    with in_tenant("340100"):
        me = user("340100-handler")
        TaskFactory(title="东边今天", status=RUNNING, handler=me, start_date=east, end_date=east)
        TaskFactory(title="西边今天", status=RUNNING, handler=me, start_date=west, end_date=west)
    assert titles(page("340100-handler", zone="Pacific/Kiritimati")) == ["东边今天"]
    assert titles(page("340100-handler", zone="Pacific/Pago_Pago")) == ["西边今天"]


def test_the_page_shows_each_task_with_its_itinerary_and_when_it_was_updated(tree: dict[str, Any], hotel: Any) -> None:
    today = timezone.localdate()
    with in_tenant("340100"):
        me = user("340100-handler")
        task = TaskFactory(title="页面上的接待", status=RUNNING, handler=me, start_date=today, end_date=today)
        item = PlanItemFactory(task=task, starts_at=timezone.make_aware(dt.datetime.combine(today, dt.time(12))))
        order_for(item, provider=hotel, status="sent")
    response = page("340100-handler")
    assert response.status_code == 200
    html = response.content.decode()
    assert titles(response) == ["页面上的接待"]
    assert html.count('data-testid="today-entry"') == 1 and "已派单" in html
    assert html.count('data-testid="task-updated-at"') == 1
    assert 'data-testid="updated-at"' in html  # the page's own time, in the footer


def test_the_page_is_a_handlers_and_only_in_their_jurisdiction(tree: dict[str, Any]) -> None:
    assert page("340100-handler").status_code == 200
    assert page("340100-drafter").status_code == 403
    assert page("340200-handler").status_code == 403  # another jurisdiction's handler
    assert "today-none" in page("340100-handler").content.decode()  # nothing today: said so
