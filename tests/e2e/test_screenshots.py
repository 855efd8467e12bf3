"""`make screenshots`: each role's workplace on a PC (1280 px) and a phone (390 px), written to
docs/screenshots/ from data committed in 蚌埠市 (340300, host bengbu): work waiting for every
role, orders (new, changed, costed) for the provider; the handler's and the provider's day. Not
part of `make test` (marker `screenshots`); it asserts that each page shows its to-do before writing the picture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from reception.models import PlanItem, ScheduleEntry, TaskStatus
from tests.conftest import PASSWORD, api, in_tenant, user
from tests.e2e.conftest import login
from tests.provider_portal.conftest import cost_body, make_task
from tests.reception.factories import LetterFactory, PlanItemFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.screenshots]
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"pc": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLES = ["drafter", "reviewer", "handler", "finance", "admin", "supervisor", "counterpart"]


@pytest.fixture
def bengbu(committed: Any) -> Any:
    from provider_portal.models import OrderIndex
    from provider_portal.services import provider_add
    from tenants.services import user_ensure

    staff, _created = user_ensure(username="shot-hotel-staff", password=PASSWORD, display_name="淮河宾馆前台")
    hotel, _created = provider_add(actor=None, name="淮河宾馆", kind="hotel", serves=[committed], staff_user=staff)
    from core.models import User
    from tenants.models import Role

    for role in Role.values:  # people named as the demo names them
        User.objects.filter(username=f"340300-{role}").update(display_name=f"蚌埠市{Role(role).label}")
    handler = user("340300-handler")
    with in_tenant("340300"):
        drafter = user("340300-drafter")
        for title, status, kwargs in [
            ("省财政厅预算执行检查接待", TaskStatus.RETURNED, {}),
            ("省农业农村厅高标准农田调研接待", TaskStatus.DRAFT, {}),
            ("省商务厅招商引资座谈接待", TaskStatus.SUBMITTED, {}),
            ("省生态环境厅督察接待", TaskStatus.SUBMITTED, {}),
            ("省科技厅创新平台考察接待", TaskStatus.APPROVED, {}),
            ("省交通厅项目验收接待", TaskStatus.IN_PROGRESS, {"handler": handler}),
        ]:
            TaskFactory(title=title, status=status, created_by=drafter, **kwargs)
        # The handler's day: a task running today, with today's lunch, a meeting and a night
        today = timezone.localdate()
        running = TaskFactory(
            title="省水利厅防汛检查接待",
            status=TaskStatus.IN_PROGRESS,
            handler=handler,
            created_by=drafter,
            start_date=today,
            end_date=today + dt.timedelta(days=1),
        )
        noon = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
        PlanItemFactory(task=running, starts_at=noon, venue="市政府机关食堂")
        PlanItemFactory(
            task=running,
            kind="lodging",
            meal_type="",
            menu="",
            room_type="standard",
            starts_at=noon + dt.timedelta(hours=6),
            ends_at=noon + dt.timedelta(days=1),
            venue="淮河宾馆",
            provider=hotel,
        )
        ScheduleEntry.objects.create(
            task=running,
            title="防汛工作座谈会",
            venue="市水利局三楼会议室",
            starts_at=noon + dt.timedelta(hours=2, minutes=30),
            ends_at=noon + dt.timedelta(hours=4),
            created_by=handler,
        )
        LetterFactory(
            number="苏发改函〔2026〕5号", sending_unit="江苏省发展和改革委员会", status="submitted_by_visitor"
        )
        LetterFactory(number="浙商函〔2026〕8号", sending_unit="浙江省商务厅")
    task = make_task("340300", {"hotel": hotel}, title="省发改委重点项目调研接待")
    assert (
        api("340300", "340300-handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
    )
    (order,) = api("340300", "340300-handler").get(f"/api/v1/tasks/{task.pk}/orders/").json()
    provider = api(None, "shot-hotel-staff")
    assert provider.post(f"/api/v1/provider/orders/{order['id']}/accept/", {}, format="json").status_code == 200
    assert provider.post(f"/api/v1/provider/orders/{order['id']}/fulfil/", {}, format="json").status_code == 200
    assert (
        provider.post(f"/api/v1/provider/orders/{order['id']}/costs/", cost_body("1480.00"), format="json").status_code
        == 200
    )
    # A second, new order for the provider's inbox
    second = make_task("340300", {"hotel": hotel}, title="省工信厅企业走访接待")
    assert (
        api("340300", "340300-handler").post(f"/api/v1/tasks/{second.pk}/dispatch/", {}, format="json").status_code
        == 200
    )
    # An order the provider accepted and an approved amendment changed: it waits again, marked
    third = make_task("340300", {"hotel": hotel}, title="省教育厅开学检查接待")
    handler_api = api("340300", "340300-handler")
    assert handler_api.post(f"/api/v1/tasks/{third.pk}/dispatch/", {}, format="json").status_code == 200
    (changed,) = handler_api.get(f"/api/v1/tasks/{third.pk}/orders/").json()
    assert provider.post(f"/api/v1/provider/orders/{changed['id']}/accept/", {}, format="json").status_code == 200
    assert (
        handler_api.post(f"/api/v1/tasks/{third.pk}/amend/", {"reason": "改为两间"}, format="json").status_code == 200
    )
    with in_tenant("340300"):
        PlanItem.objects.filter(task=third, kind="lodging").update(quantity=2)
    for username, action in [("340300-drafter", "submit"), ("340300-reviewer", "approve")]:
        assert api("340300", username).post(f"/api/v1/tasks/{third.pk}/{action}/", {}, format="json").status_code == 200
    # The provider's day: the new order and the changed one today
    now = timezone.now()
    OrderIndex.objects.filter(task_title__in=["省工信厅企业走访接待", "省教育厅开学检查接待"]).update(
        starts_at=now, ends_at=now + dt.timedelta(hours=20)
    )
    yield committed
    OrderIndex.objects.filter(schema_name=committed.schema_name).delete()
    for role in Role.values:
        User.objects.filter(username=f"340300-{role}").update(display_name=f"340300 {role}")


def shoot(chromium: Any, name: str, size: str, username: str, url: str, ready: str) -> Path:
    context = chromium.new_context(locale="zh-CN", viewport=SIZES[size], device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        login(page, site_of(url), username, PASSWORD, url)
        page.wait_for_url(url)
        page.wait_for_selector(ready)
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}-{size}.jpg"
        page.screenshot(path=str(path), full_page=True, type="jpeg", quality=70)
        return path
    finally:
        context.close()


def site_of(url: str) -> Any:
    return None  # login() only needs the page and the URL it opens first


@pytest.mark.parametrize("size", sorted(SIZES))
def test_each_roles_workplace(bengbu: Any, chromium: Any, site: Any, size: str) -> None:
    for role in ROLES:
        path = shoot(chromium, f"workplace-{role}", size, f"340300-{role}", site("bengbu", "/"), "[data-testid=todo]")
        assert path.stat().st_size > 10_000
    provider = shoot(
        chromium, "provider-inbox", size, "shot-hotel-staff", site(None, "/provider/"), "[data-testid=to-act-row]"
    )
    assert provider.stat().st_size > 10_000
    day = shoot(
        chromium,
        "handler-today",
        size,
        "340300-handler",
        site("bengbu", "/reception/today/"),
        "[data-testid=today-entry]",
    )
    assert day.stat().st_size > 10_000
    orders = shoot(
        chromium,
        "provider-today",
        size,
        "shot-hotel-staff",
        site(None, "/provider/today/"),
        "[data-testid=provider-today-row]",
    )
    assert orders.stat().st_size > 10_000


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_provinces_map_of_subordinates(committed: Any, chromium: Any, site: Any, size: str) -> None:
    url = site("anhui", "/reporting/oversight/")
    path = shoot(chromium, "oversight-map", size, "340000-admin", url, "[data-testid=subordinate-map][data-drawn]")
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_citys_map_of_counties(committed: Any, chromium: Any, site: Any, size: str) -> None:
    """芜湖's counties, from the newer boundaries (docs/ui.md, "The map of subordinates")."""
    url = site("wuhu", "/reporting/oversight/")
    path = shoot(chromium, "oversight-map-wuhu", size, "340200-admin", url, "[data-testid=subordinate-map][data-drawn]")
    assert path.stat().st_size > 10_000
