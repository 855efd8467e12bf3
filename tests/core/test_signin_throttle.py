"""One race-free failure count for every sign-in path: the API, the login page and /admin/login/."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.errors import InvalidInput
from core.models import LoginCounter
from core.services import LoginThrottled, login_attempt
from tests.conftest import PASSWORD, PUBLIC_HOST, api, refused, refused_page, user

LOGIN = "/api/v1/auth/login/"


def _admin_login(client: Client, username: str, password: str) -> int:
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return response.status_code


@pytest.mark.django_db
def test_admin_login_failures_lock_the_username_everywhere(tree):
    staff = user("340100-admin")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    browser = Client(HTTP_HOST=PUBLIC_HOST)
    for _attempt in range(5):
        assert _admin_login(browser, "340100-admin", "bad") == 200  # the form again, with its error
    assert LoginCounter.objects.get(kind="username", key="340100-admin").failures == 5
    # the right password is refused on the admin page, the API and the login page alike
    assert _admin_login(browser, "340100-admin", PASSWORD) == 200
    assert "_auth_user_id" not in browser.session
    refused(api().post(LOGIN, {"username": "340100-admin", "password": PASSWORD}, format="json"), 429, "throttled")
    page = Client(HTTP_HOST=PUBLIC_HOST).post("/accounts/login/", {"username": "340100-admin", "password": PASSWORD})
    refused_page(page, 429, "throttled")


@pytest.mark.django_db
def test_admin_login_succeeds_when_not_locked(tree):
    staff = user("340100-admin")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    browser = Client(HTTP_HOST=PUBLIC_HOST)
    response = browser.post("/admin/login/?next=/admin/", {"username": "340100-admin", "password": PASSWORD})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(staff.pk)
    assert LoginCounter.objects.get(kind="username", key="340100-admin").failures == 0


@pytest.mark.django_db
def test_every_path_adds_to_the_same_count(tree):
    page = Client(HTTP_HOST=PUBLIC_HOST)
    for _attempt in range(2):
        refused_page(
            page.post("/accounts/login/", {"username": "340100-reviewer", "password": "bad"}),
            400,
            "invalid_credentials",
        )
    for _attempt in range(2):
        refused(
            api().post(LOGIN, {"username": "340100-reviewer", "password": "bad"}, format="json"),
            400,
            "invalid_credentials",
        )
    assert _admin_login(Client(HTTP_HOST=PUBLIC_HOST), "340100-reviewer", "bad") == 200
    response = api().post(LOGIN, {"username": "340100-reviewer", "password": PASSWORD}, format="json")
    refused(response, 429, "throttled")


@pytest.mark.django_db
def test_a_success_after_the_lock_is_refused_until_it_expires(tree):
    for _attempt in range(5):
        with pytest.raises(InvalidInput) as refused:
            login_attempt(username="340100-finance", password="bad", ip="10.9.9.9")
        assert refused.value.code == "invalid_credentials"
    with pytest.raises(LoginThrottled):
        login_attempt(username="340100-finance", password=PASSWORD, ip="10.9.9.9")
    counter = LoginCounter.objects.get(kind="username", key="340100-finance")
    assert counter.failures == 5  # the refused attempt counted nothing
    # one minute before the lock ends: still refused
    LoginCounter.objects.filter(pk=counter.pk).update(locked_until=timezone.now() + timedelta(minutes=1))
    with pytest.raises(LoginThrottled):
        login_attempt(username="340100-finance", password=PASSWORD, ip="10.9.9.9")
    LoginCounter.objects.filter(pk=counter.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert login_attempt(username="340100-finance", password=PASSWORD, ip="10.9.9.9").username == "340100-finance"


def test_concurrent_failures_never_pass_the_limit(committed):
    """Twelve guesses at once on real connections (real commits): exactly five get a password check."""
    username = "race-guess-target"
    barrier = threading.Barrier(12)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def guess(n: int) -> None:
        try:
            barrier.wait()
            login_attempt(username=username, password=f"bad-{n}", ip=f"10.77.0.{n}")
        except InvalidInput:
            outcomes.append("checked")
        except LoginThrottled:
            outcomes.append("throttled")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(outcomes) == ["checked"] * 5 + ["throttled"] * 7
        counter = LoginCounter.objects.get(kind="username", key=username)
        assert counter.failures == 5
        assert counter.locked_until is not None and counter.locked_until > timezone.now()
    finally:
        LoginCounter.objects.filter(key=username).delete()
        LoginCounter.objects.filter(key__startswith="10.77.0.").delete()
