"""POST auth/login/, auth/logout/, me/: tokens valid on every host, throttled guessing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from core.models import LoginCounter
from tests.conftest import PASSWORD, api, error_codes, refused, unchanged

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
FAILED = {("non_field_errors", "invalid_credentials")}


def test_login_returns_token_expiry_and_user(tree):
    response = api().post(LOGIN, {"username": "340100-drafter", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry", "user"}
    assert body["user"] == {"username": "340100-drafter", "display_name": "340100 drafter"}
    assert body["expiry"].endswith("Z") or "+" in body["expiry"]


def test_token_works_on_every_host_and_me_lists_memberships(tree):
    token = api().post(LOGIN, {"username": "340100-drafter", "password": PASSWORD}, format="json").json()["token"]
    for host in ("localhost", "hefei.localhost", "anhui.localhost"):
        client = api(host=host)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.get("/api/v1/me/")
        assert response.status_code == 200, host
        assert response.json() == {
            "username": "340100-drafter",
            "display_name": "340100 drafter",
            "memberships": [{"code": "340100", "name": "合肥市", "host": "hefei.localhost", "role": "drafter"}],
        }


@pytest.mark.parametrize(
    "username,password",
    [("340100-drafter", "wrong-password"), ("nobody-here", PASSWORD), ("340100-drafter", "")],
)
def test_every_failure_gives_the_same_message(tree, username, password):
    response = api().post(LOGIN, {"username": username, "password": password or "x"}, format="json")
    refused(response, 400, "invalid_credentials")
    assert error_codes(response) == FAILED
    assert len(response.json()["non_field_errors"]) == 1


def test_inactive_user_gets_the_same_message(tree):
    from tests.conftest import user

    inactive = user("340100-handler")
    inactive.is_active = False
    inactive.save()
    response = api().post(LOGIN, {"username": "340100-handler", "password": PASSWORD}, format="json")
    refused(response, 400, "invalid_credentials")
    assert error_codes(response) == FAILED
    assert len(response.json()["non_field_errors"]) == 1


def test_five_failures_lock_the_username_for_fifteen_minutes(tree):
    client = api()
    for _attempt in range(5):
        refused(
            client.post(LOGIN, {"username": "340100-reviewer", "password": "bad"}, format="json"),
            400,
            "invalid_credentials",
        )
    # the right password is refused too while locked
    locked = client.post(LOGIN, {"username": "340100-reviewer", "password": PASSWORD}, format="json")
    refused(locked, 429, "throttled")
    assert 800 <= int(locked["Retry-After"]) <= 900
    # another username from the same address is not affected
    assert client.post(LOGIN, {"username": "340100-handler", "password": PASSWORD}, format="json").status_code == 200


def test_four_failures_and_successes_do_not_lock(tree):
    client = api()
    for _attempt in range(4):
        client.post(LOGIN, {"username": "340100-finance", "password": "bad"}, format="json")
    for _attempt in range(3):
        ok = client.post(LOGIN, {"username": "340100-finance", "password": PASSWORD}, format="json")
        assert ok.status_code == 200
    assert LoginCounter.objects.get(kind="username", key="340100-finance").failures == 4


def test_lock_expires_after_the_window(tree):
    from datetime import timedelta

    from django.utils import timezone

    client = api()
    for _attempt in range(5):
        client.post(LOGIN, {"username": "340100-admin", "password": "bad"}, format="json")
    with unchanged():
        refused(client.post(LOGIN, {"username": "340100-admin", "password": PASSWORD}, format="json"), 429, "throttled")
    past = timezone.now() - timedelta(minutes=16)
    LoginCounter.objects.update(locked_until=past, window_started_at=past - timedelta(minutes=1))
    assert client.post(LOGIN, {"username": "340100-admin", "password": PASSWORD}, format="json").status_code == 200


def test_hundred_failures_from_one_address_lock_the_address(tree):
    client = api()
    for attempt in range(100):
        response = client.post(
            LOGIN, {"username": f"guess-{attempt}", "password": "bad"}, format="json", REMOTE_ADDR="10.1.2.3"
        )
        assert response.status_code == 400
    refused = client.post(
        LOGIN, {"username": "340100-drafter", "password": PASSWORD}, format="json", REMOTE_ADDR="10.1.2.3"
    )
    assert refused.status_code == 429
    other = client.post(
        LOGIN, {"username": "340100-drafter", "password": PASSWORD}, format="json", REMOTE_ADDR="10.1.2.4"
    )
    assert other.status_code == 200


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_forwarded_address_counts_only_behind_a_trusted_proxy(tree):
    client = api()
    client.post(
        LOGIN,
        {"username": "x", "password": "bad"},
        format="json",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
        REMOTE_ADDR="127.0.0.1",
    )
    assert LoginCounter.objects.get(kind="ip").key == "1.2.3.4"


def test_logout_revokes_the_token(tree):
    token = api().post(LOGIN, {"username": "340100-drafter", "password": PASSWORD}, format="json").json()["token"]
    client = api("340100")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    "payload,content_type",
    [
        ('{"username": "a", "password": ', "application/json"),
        ('{"username": ["a"], "password": {"x": 1}}', "application/json"),
        ('{"username": "a\\u0000b", "password": "x"}', "application/json"),
        ('{"username": "' + "a" * 151 + '", "password": "x"}', "application/json"),
        ("{}", "application/json"),
        ("[1, 2]", "application/json"),
    ],
)
def test_bad_input_is_a_400_and_counts_nothing(tree, payload, content_type):
    response = api().generic("POST", LOGIN, payload, content_type=content_type)
    assert response.status_code == 400
    assert isinstance(response.json(), dict)
    assert LoginCounter.objects.count() == 0


def test_me_requires_credentials(tree):
    assert api("340100").get("/api/v1/me/").status_code == 401
    bad = api("340100")
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/v1/me/").status_code == 401


def test_signing_in_deletes_the_users_expired_tokens_and_requests_do_not_sweep(tree):
    """A request reads only its own token (core.authentication); the user's other expired tokens
    go at the next sign-in."""
    import datetime as dt

    from knox.models import AuthToken

    from tests.conftest import user

    drafter = user("340100-drafter")
    stale, _token = AuthToken.objects.create(user=drafter, expiry=-dt.timedelta(minutes=1))
    client = api("340100", "340100-drafter")
    assert client.get("/api/v1/me/").status_code == 200
    assert AuthToken.objects.filter(pk=stale.pk).exists()

    answer = api("340100").post(
        "/api/v1/auth/login/", {"username": "340100-drafter", "password": PASSWORD}, format="json"
    )
    assert answer.status_code == 200
    assert not AuthToken.objects.filter(pk=stale.pk).exists()
    assert AuthToken.objects.filter(user=drafter).count() == 2  # the one `api` made, and the new one


def test_an_expired_token_is_refused_and_deleted(tree):
    import datetime as dt

    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from tests.conftest import HOSTS, user

    instance, token = AuthToken.objects.create(user=user("340100-drafter"), expiry=-dt.timedelta(seconds=1))
    client = APIClient(HTTP_HOST=HOSTS["340100"], HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(pk=instance.pk).exists()
