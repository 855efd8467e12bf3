"""In a real browser: sign-in lands on work, each role's to-do, and the statistics chart's bars.

Data is committed in 蚌埠市 (340300, host bengbu), which the `committed` fixture empties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from reception.models import TaskStatus
from tests.conftest import PASSWORD, in_tenant, user
from tests.reception.factories import LetterFactory, TaskFactory

pytestmark = pytest.mark.browser


def sign_in(page: Any, site: Any, username: str) -> None:
    page.goto(site(None, "/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.fixture
def bengbu_work(committed: Any) -> dict[str, Any]:
    with in_tenant("340300"):
        drafter = user("340300-drafter")
        returned = TaskFactory(title="蚌埠退回待改的方案", status=TaskStatus.RETURNED, created_by=drafter)
        TaskFactory(title="蚌埠起草中的方案", status=TaskStatus.DRAFT, created_by=drafter)
        submitted = TaskFactory(title="蚌埠待审核的方案", status=TaskStatus.SUBMITTED, created_by=drafter)
        LetterFactory(number="蚌来〔2026〕1号", status="submitted_by_visitor")
    return {"returned": returned, "submitted": submitted}


@pytest.mark.parametrize(
    ("role", "panel", "first"),
    [
        ("drafter", "reception.returned_and_drafts", "蚌埠退回待改的方案"),
        ("reviewer", "reception.plans_to_review", "蚌埠待审核的方案"),
        ("counterpart", "reception.letters_to_register", "蚌来〔2026〕1号"),
    ],
)
def test_sign_in_lands_on_the_workplace_with_the_roles_to_do(bengbu_work, page, site, role, panel, first):
    sign_in(page, site, f"340300-{role}")
    page.wait_for_url(site("bengbu", "/"))
    assert page.get_by_test_id("jurisdiction-name").inner_text() == "蚌埠市"
    todo = page.locator(f"[data-panel='{panel}']")
    assert todo.is_visible()
    assert first in todo.locator(".todo-list li").first.inner_text()
    # the to-do comes before the shortcuts on the page
    todo_box = page.get_by_test_id("todo").bounding_box()
    shortcuts_box = page.get_by_test_id("shortcuts").bounding_box()
    assert todo_box["y"] < shortcuts_box["y"]
    # the first row opens its page, and the login form is never shown again
    todo.locator(".todo-list a").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(site("bengbu", "/reception/"))
    page.goto(site(None, "/accounts/login/"))
    page.wait_for_url(site("bengbu", "/"))


def test_a_provider_lands_on_its_orders(committed, page, site):
    from provider_portal.services import provider_add
    from tenants.services import user_ensure

    staff, _created = user_ensure(username="e2e-landing-staff", password=PASSWORD, display_name="落地宾馆前台")
    provider_add(actor=None, name="落地测试宾馆", kind="hotel", serves=[committed], staff_user=staff)
    sign_in(page, site, "e2e-landing-staff")
    page.wait_for_url(site(None, "/provider/"))


def test_the_statistics_bars_are_as_tall_as_their_values(committed, page, site):
    """The chart with the pages' real stylesheets: no rule may override the bars' heights."""
    from reporting.common.charts import bar_chart

    values = [Decimal("1200"), Decimal("300"), Decimal("600"), Decimal("0"), Decimal("900")]
    svg = bar_chart(["一", "二", "三", "四", "五"], values, title="接待费用", unit="元")
    styles = "".join(
        f'<link rel="stylesheet" href="{site(None, path)}">'
        for path in ("/static/css/app.css", "/static/reception/reception.css", "/static/reporting/reporting.css")
    )
    page.goto(site(None, "/static/css/app.css"))  # same origin for the stylesheets
    page.set_content(
        f"<html><head>{styles}</head><body><section class='card charts'><figure>{svg}</figure></section></body></html>"
    )
    page.wait_for_load_state("load")
    heights = page.eval_on_selector_all(
        "svg.bar-chart rect.bar", "rects => rects.map(r => r.getBoundingClientRect().height)"
    )
    assert len(heights) == 5
    tallest = heights[0]
    assert tallest > 50
    for value, height in zip(values, heights, strict=True):
        assert abs(height - tallest * float(value) / 1200) < 1.0, (value, height)
