"""In a real browser: pages load under the Content-Security-Policy with no violation (no inline
script or style left), and what used to be inline still works (the language switcher, the
seating chart's layout, printing)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login
from tests.e2e.test_browser_arrangements import _task

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def watched(page: Any) -> list[str]:
    """Console messages about the policy, across every page this tab loads."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    return messages


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    assert page.evaluate("window.__csp") == [], url


def test_pages_load_without_policy_violations(committed: Any, page: Any, site: Any) -> None:
    console = watched(page)
    task = _task(committed)
    seating = site("bengbu", f"/reception/tasks/{task.pk}/seating/")
    login(page, site, "340300-drafter", PASSWORD, seating)
    page.wait_for_url(seating)
    page.click("[data-testid=generate] button")
    page.wait_for_load_state()
    assert page.evaluate("window.__csp") == []
    # the seats' layout, computed by the server, applied by static/js/app.js through the CSSOM
    row = page.locator(".podium-row").first
    assert (
        "repeat(5" in row.evaluate("e => e.style.gridTemplateColumns")
        or row.evaluate("e => getComputedStyle(e).gridTemplateColumns.split(' ').length") == 5
    )
    pages = ("/reception/", f"/reception/tasks/{task.pk}/", f"/reception/tasks/{task.pk}/edit/", "/api/docs/")
    for path in pages:
        visit(page, site("bengbu", path))
    page.wait_for_selector(".swagger-ui .info")  # the docs' start-up script ran from its own file
    assert page.evaluate("window.__csp") == []

    visit(page, site("bengbu", "/reception/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")  # submits its form: no inline handler
    assert page.locator("html").get_attribute("lang") == "en"
    assert console == []


def test_reporting_pages_load_without_policy_violations(committed: Any, page: Any, site: Any) -> None:
    console = watched(page)
    dashboard = site("bengbu", "/reporting/")
    login(page, site, "340300-admin", PASSWORD, dashboard)
    page.wait_for_url(dashboard)
    assert page.evaluate("window.__csp") == []
    for path in ("/reporting/disclosure/", "/reporting/directives/new/", "/reporting/oversight/"):
        visit(page, site("bengbu", path))
    visit(page, site(None, "/accounts/login/"))
    assert console == []
