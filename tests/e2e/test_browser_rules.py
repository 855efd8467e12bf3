"""In a real browser, at a desk's width and a phone's (390 px): each finding stands beside the field
it concerns on the plan page, with its numbers and source; the standards page shows the lodging
ceilings and the lists a tenant edits; the designated-provider page shows what each agreed price
applies to and when. Screenshots go to .data/screenshots/. Data is committed in 蚌埠市 (340300)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import PASSWORD, user
from tests.e2e.conftest import SCREENSHOTS, login
from tests.reception.conftest import skip_used_task_ids

pytestmark = pytest.mark.browser

WIDTHS = {"pc": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


@pytest.fixture
def designated(committed: Any) -> Any:
    """A hotel designated by 蚌埠 with agreed prices; the designation (public rows) goes afterwards."""
    from provider_portal.models import ProviderServiceArea
    from provider_portal.services import PriceInput, designation_set, provider_add

    hotel, _created = provider_add(actor=None, name="浏览器规则宾馆", kind="hotel", serves=[committed])
    designation_set(
        actor=user("340300-admin"),
        jurisdiction=committed,
        provider_id=hotel.pk,
        agreed_prices=[
            PriceInput(item="标准间", unit="间·晚", price=Decimal("320.00"), effective_from=dt.date(2026, 1, 1)),
            PriceInput(item="普通套间", unit="间·晚", price=Decimal("520.00")),
        ],
    )
    yield hotel
    ProviderServiceArea.objects.filter(provider=hotel, jurisdiction=committed).delete()


def _task_with_findings(committed: Any, hotel: Any) -> Any:
    from reception.models import AccompanyingStaff, Guest, PlanItem
    from tenants.schema import tenant_context
    from tests.reception.factories import LetterFactory, TaskFactory, at

    day = dt.date(2026, 5, 6)
    with tenant_context(committed):
        task = TaskFactory(
            title="省发改委调研接待（规则演示）",
            level="provincial_ministerial",
            letter=LetterFactory(),
            created_by=user("340300-drafter"),
        )
        for name, grade in (("王明", "division"), ("李华", "section")):
            Guest.objects.create(task=task, name=name, unit="安徽省发展和改革委员会", post="处长", grade=grade)
        AccompanyingStaff.objects.create(task=task, name="赵强", unit="蚌埠市发改委", post="科长")
        common = {"task": task, "menu": "", "meal_type": "", "room_type": ""}
        PlanItem.objects.create(
            **{**common, "meal_type": "lunch", "menu": "家常菜四菜一汤，茅 台 一瓶"},
            kind="meal",
            starts_at=at(12, day=day),
            venue="市政府机关食堂",
            working_meal=True,
            guests_count=2,
            accompanying_count=4,
            unit_price=Decimal("100.00"),
            quantity=6,
            payer="host",
        )
        PlanItem.objects.create(
            **{**common, "meal_type": "dinner"},
            kind="meal",
            starts_at=at(18, day=day),
            venue="蚌埠饭店",
            guests_count=2,
            accompanying_count=0,
            unit_price=Decimal("60.00"),
            quantity=2,
            payer="host",
        )
        PlanItem.objects.create(
            **{**common, "room_type": "suite"},
            kind="lodging",
            starts_at=at(21, day=day),
            venue="浏览器规则宾馆",
            provider=hotel,
            guests_count=1,
            accompanying_count=0,
            unit_price=Decimal("560.00"),
            quantity=1,
            payer="guest",
        )
        PlanItem.objects.create(
            **common,
            kind="visit",
            starts_at=at(9, day=day + dt.timedelta(days=1)),
            venue="游览龙子湖风景区",
            guests_count=2,
            accompanying_count=0,
            unit_price=Decimal("0.00"),
            quantity=1,
            payer="host",
        )
    return task


def _shots(chromium: Any, site: Any, username: str, path: str, name: str) -> dict[str, Any]:
    """The page at both widths, screenshotted; returns the open pages by width (caller closes)."""
    pages = {}
    for width, viewport in WIDTHS.items():
        context = chromium.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15000)
        login(page, site, username, PASSWORD, site("bengbu", path))
        page.wait_for_url(site("bengbu", path))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        pages[width] = page
    return pages


def test_findings_beside_their_fields_at_both_widths(committed: Any, designated: Any, chromium: Any, site: Any) -> None:
    skip_used_task_ids("340300")
    task = _task_with_findings(committed, designated)
    pages = _shots(chromium, site, "340300-drafter", f"/reception/tasks/{task.pk}/edit/", "rules-plan")
    for page in pages.values():
        rows = page.get_by_test_id("item-row")
        lunch, dinner, suite, visit = (rows.nth(n) for n in range(4))

        def beside(row: Any) -> set[tuple[str, str]]:
            found = row.get_by_test_id("cell-finding").all()
            return {(f.get_attribute("data-code"), f.get_attribute("data-field")) for f in found}

        assert {("accompany_limit", "accompanying_count"), ("meal_headcount", "accompanying_count")} <= beside(lunch)
        assert {("meal_standard", "unit_price"), ("banned_item", "menu")} <= beside(lunch)
        assert ("hosted_meal_not_allowed", "payer") in beside(dinner)
        assert {("suite_not_allowed", "room_type"), ("agreed_price_exceeded", "unit_price")} <= beside(suite)
        assert ("lodging_standard", "unit_price") in beside(suite)
        assert ("banned_activity", "venue") in beside(visit)
        level = page.locator("[data-code=level_above_guests]").first
        assert "接待级别为省部级，高于来宾最高级别县处级" in level.inner_text()
        text = lunch.inner_text()
        assert "来宾最高级别为县处级，午餐标准 70.00 元/人，现为 100.00 元/人" in text
        assert "《党政机关国内公务接待管理规定》第十条" in text
        assert page.get_by_test_id("cell-finding").first.is_visible()
        page.context.close()


def test_the_standards_and_designated_provider_pages_at_both_widths(designated: Any, chromium: Any, site: Any) -> None:
    pages = _shots(chromium, site, "340300-admin", "/reception/standards/", "rules-standards")
    for page in pages.values():
        assert "480.00" in page.get_by_test_id("lodging-ceilings").inner_text()
        assert page.locator("#id_lodging_bureau").is_visible()
        assert "茅台" in page.locator("#id_banned_menu_words").input_value()
        page.context.close()
    pages = _shots(chromium, site, "340300-admin", "/providers/", "rules-providers")
    for page in pages.values():
        prices = page.get_by_test_id("agreed-price")
        assert "住宿·标准间" in prices.first.inner_text() and "2026-01-01 – …" in prices.first.inner_text()
        page.context.close()
