"""In a real browser: a user changes their password from the profile page, on a tenant host."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

# Shares no letters with the user names below ("e2e-pw-" and hex digits), so Django's
# similarity validator can never refuse it, whatever the random part of the name.
NEW = "Yuki-Zhong-Lin!"


def test_a_user_changes_their_password_in_the_browser(page, site):
    from tenants.models import Jurisdiction
    from tenants.services import membership_add, user_ensure

    # A user of their own (committed: the live server reads it), so no other test's password changes.
    username = f"e2e-pw-{uuid.uuid4().hex[:8]}"
    person, _created = user_ensure(username=username, password=PASSWORD, display_name="改密码的人")
    membership_add(actor=None, user=person, jurisdiction=Jurisdiction.objects.get(code="340100"), role="drafter")

    login(page, site, username, PASSWORD, site("hefei"))
    page.wait_for_url(site("hefei"))
    page.click("[data-testid=profile-link]")
    page.click("[data-testid=password-change-link]")
    page.wait_for_url("**/accounts/password/")
    # A wrong old password: the form again, with its message, nothing changed
    page.fill("input[name=old_password]", "not-my-password")
    page.fill("input[name=new_password]", NEW)
    page.fill("input[name=new_password_again]", NEW)
    page.click("[data-testid=password-change] button[type=submit]")
    assert page.get_by_test_id("old-password-error").inner_text() == "原密码不正确。"
    # The right one: back on the profile, still signed in, with the confirmation
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password]", NEW)
    page.fill("input[name=new_password_again]", NEW)
    page.click("[data-testid=password-change] button[type=submit]")
    page.wait_for_url("**/accounts/profile/")
    assert "密码已修改" in page.content()
    # Signing out and in again takes the new password only
    page.click("button:has-text('退出')")
    page.wait_for_url("**/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.get_by_test_id("login-error").inner_text() == "用户名或密码错误。"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", NEW)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # signed in: on to their work
    person.is_active = False  # leave nothing usable behind in the session's data
    person.save(update_fields=["is_active"])
