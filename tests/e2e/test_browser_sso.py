"""In a real browser: one login, two jurisdictions, sign-out everywhere."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import SCREENSHOTS, login

pytestmark = pytest.mark.browser


def test_one_login_opens_two_jurisdictions(page, site):
    # An anonymous visit to the province is sent to the one login page on the public host
    login(page, site, "340000-supervisor", PASSWORD, site("anhui"))
    page.wait_for_url(site("anhui"))
    assert page.get_by_test_id("jurisdiction-name").inner_text() == "安徽省"
    # The city opens with no second password: the public host hands it a code
    page.goto(site("hefei"))
    page.wait_for_url(site("hefei"))
    assert page.get_by_test_id("jurisdiction-name").inner_text() == "合肥市"
    assert "只读" in page.get_by_test_id("oversight").inner_text()
    # Chinese renders with a CJK font (no boxes): keep a screenshot for the record
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sso-hefei.png"))
    # The switcher lists the memberships
    page.click("summary:has-text('切换辖区')")
    assert page.locator(".switcher a", has_text="安徽省").count() == 1
    # Signing out on one host ends the session on the other
    page.click("button:has-text('退出')")
    page.wait_for_url("**/accounts/login/")
    page.goto(site("anhui"))
    page.wait_for_url("**/accounts/login/**")


def test_wrong_password_shows_one_message(page, site):
    page.goto(site(None, "/accounts/login/"))
    page.fill("input[name=username]", "340100-drafter")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert page.get_by_test_id("login-error").inner_text() == "用户名或密码错误。"
