"""A password change page for every signed-in user; an admin's reset link sent by e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from core.models import AuditEntry, LoginCounter, Notification
from tests.conftest import HOSTS, PASSWORD, PUBLIC_HOST, api, error_codes, refused, user

pytestmark = pytest.mark.django_db

NEW = "Another-pass-2027?"
CHANGE = "/accounts/password/"
LOGIN = "/api/v1/auth/login/"


def _browser(username: str, host: str = PUBLIC_HOST) -> Client:
    client = Client(HTTP_HOST=host)
    client.post("/accounts/login/", {"username": username, "password": PASSWORD}, HTTP_HOST=PUBLIC_HOST)
    return client


def _change(client: Client, old: str, new: str, again: str | None = None, host: str = PUBLIC_HOST) -> Any:
    body = {"old_password": old, "new_password": new, "new_password_again": again or new}
    return client.post(CHANGE, body, HTTP_HOST=host)


def _signs_in(username: str, password: str) -> bool:
    return api().post(LOGIN, {"username": username, "password": password}, format="json").status_code == 200


def test_a_user_changes_their_password_and_other_sessions_end(tree: Any) -> None:
    browser = _browser("340100-drafter")
    other_browser = _browser("340100-drafter")
    token_client = api("340100", "340100-drafter")
    assert browser.get(CHANGE).status_code == 200
    response = _change(browser, PASSWORD, NEW)
    assert response.status_code == 303 and response["Location"] == "/accounts/profile/"
    assert browser.get("/accounts/profile/").status_code == 200  # this session stays
    assert other_browser.get("/accounts/profile/").status_code == 302  # the other one ended
    assert token_client.get("/api/v1/me/").status_code == 401  # API tokens ended
    assert _signs_in("340100-drafter", NEW) and not _signs_in("340100-drafter", PASSWORD)
    entry = AuditEntry.objects.filter(action="core.user.password_changed").get()
    assert entry.actor == user("340100-drafter")


def test_the_page_works_on_a_jurisdictions_host_too(tree: Any) -> None:
    client = Client(HTTP_HOST=HOSTS["340100"])
    client.force_login(user("340100-finance"))
    assert client.get(CHANGE).status_code == 200
    assert _change(client, PASSWORD, NEW, host=HOSTS["340100"]).status_code == 303
    assert _signs_in("340100-finance", NEW)


@pytest.mark.parametrize(
    "old,new,again,field",
    [
        ("wrong-password", NEW, NEW, "old-password-error"),
        (PASSWORD, NEW, NEW + "x", "new-password-again-error"),
        (PASSWORD, "12345678", "12345678", "new-password-error"),  # refused by the validators
        (PASSWORD, PASSWORD, PASSWORD, "new-password-error"),  # unchanged
    ],
)
def test_a_refused_change_changes_nothing(tree: Any, old: str, new: str, again: str, field: str) -> None:
    browser = _browser("340100-reviewer")
    response = _change(browser, old, new, again)
    assert response.status_code == 400
    assert f'data-testid="{field}"' in response.content.decode()
    assert _signs_in("340100-reviewer", PASSWORD)
    assert not AuditEntry.objects.filter(action="core.user.password_changed").exists()


def test_wrong_old_passwords_count_as_failed_sign_ins(tree: Any) -> None:
    browser = _browser("340100-handler")
    for _attempt in range(5):
        assert _change(browser, "guess", NEW).status_code == 400
    assert LoginCounter.objects.get(kind="username", key="340100-handler").failures == 5
    assert _change(browser, PASSWORD, NEW).status_code == 429  # locked, as for every sign-in path
    refused(api().post(LOGIN, {"username": "340100-handler", "password": PASSWORD}, format="json"), 429, "throttled")


def test_anonymous_callers_are_sent_to_sign_in(tree: Any) -> None:
    response = Client(HTTP_HOST=PUBLIC_HOST).get(CHANGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- An admin's reset link ---------------------------------------------------------------------


def _reset(username: str, target: str) -> Any:
    return api("340100", username).post(f"/api/v1/members/{user(target).pk}/password-reset/")


def _with_email(username: str, email: str) -> None:
    person = user(username)
    person.email = email
    person.save(update_fields=["email"])


def _reset_path() -> str:
    row = Notification.objects.filter(event="core.user.password_reset_sent").latest("id")
    return re.search(r"http://localhost(?::\d+)?(/accounts/reset/[^\s]+/)", row.body).group(1)


def test_an_admin_sends_a_reset_link_and_the_member_sets_a_new_password(tree: Any) -> None:
    _with_email("340100-drafter", "drafter@hefei.gov.cn")
    response = _reset("340100-admin", "340100-drafter")
    assert response.status_code == 202 and response.json() == {"queued": 1}
    row = Notification.objects.get(event="core.user.password_reset_sent")
    assert (row.channel, row.address, row.jurisdiction_code) == ("email", "drafter@hefei.gov.cn", "340100")
    entry = AuditEntry.objects.get(action="core.user.password_reset_sent")
    assert (entry.actor, entry.chain) == (user("340100-admin"), "340100")
    path = _reset_path()
    browser = Client(HTTP_HOST=PUBLIC_HOST)
    assert browser.get(path).status_code == 200
    weak = browser.post(path, {"new_password": "12345678", "new_password_again": "12345678"})
    assert weak.status_code == 400 and _signs_in("340100-drafter", PASSWORD)
    done = browser.post(path, {"new_password": NEW, "new_password_again": NEW})
    assert done.status_code == 303 and done["Location"] == "/accounts/login/"
    assert _signs_in("340100-drafter", NEW)
    # the link is used up
    again = browser.post(path, {"new_password": PASSWORD, "new_password_again": PASSWORD})
    assert again.status_code == 400 and 'data-testid="reset-invalid"' in again.content.decode()
    assert _signs_in("340100-drafter", NEW)
    assert AuditEntry.objects.filter(action="core.user.password_reset").count() == 1


def test_a_tampered_reset_link_is_refused(tree: Any) -> None:
    _with_email("340100-drafter", "drafter@hefei.gov.cn")
    _reset("340100-admin", "340100-drafter")
    path = _reset_path()
    tampered = path[:-3] + ("a" if path[-3] != "a" else "b") + path[-2:]
    assert Client(HTTP_HOST=PUBLIC_HOST).get(tampered).status_code == 400
    assert Client(HTTP_HOST=PUBLIC_HOST).get("/accounts/reset/xx/yy/").status_code == 400


@pytest.mark.parametrize(
    "actor,target,status",
    [
        ("340100-drafter", "340100-reviewer", 403),  # not an admin
        ("340000-admin", "340100-reviewer", 403),  # overseer of the province: not a member here
        ("340200-admin", "340100-reviewer", 403),  # another jurisdiction
        ("340100-admin", "340200-drafter", 404),  # not a member of this jurisdiction
    ],
)
def test_a_reset_is_refused_to_others_and_changes_nothing(tree: Any, actor: str, target: str, status: int) -> None:
    _with_email(target, "someone@example.gov.cn")
    assert _reset(actor, target).status_code == status
    assert not Notification.objects.filter(event="core.user.password_reset_sent").exists()
    assert not AuditEntry.objects.filter(action="core.user.password_reset_sent").exists()


def test_a_member_without_email_cannot_get_a_link(tree: Any) -> None:
    _with_email("340100-reviewer", "")
    response = _reset("340100-admin", "340100-reviewer")
    assert response.status_code == 400 and ("user", "no_email") in error_codes(response)
    assert not Notification.objects.filter(event="core.user.password_reset_sent").exists()


def test_platform_staff_send_reset_links_from_the_admin(tree: Any) -> None:
    from core.models import User

    staff = User.objects.create_superuser(username="platform-staff", password=PASSWORD, email="ops@example.gov.cn")
    _with_email("340100-finance", "finance@hefei.gov.cn")
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(staff)
    response = client.post(
        "/admin/core/user/",
        {"action": "send_password_reset", "_selected_action": [user("340100-finance").pk]},
    )
    assert response.status_code == 302
    row = Notification.objects.get(event="core.user.password_reset_sent")
    assert row.address == "finance@hefei.gov.cn"
    assert AuditEntry.objects.get(action="core.user.password_reset_sent").actor == staff
