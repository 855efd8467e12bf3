"""Anonymous multipart bodies are refused before they are parsed: past the size limit (413
`too_large`) or past the rate per address (429 `rate_limited`); signed-in callers are not limited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser
from django.test import Client

from core.models import LoginCounter
from tests.conftest import PASSWORD, PUBLIC_HOST, api, refused

pytestmark = pytest.mark.django_db

LOGIN_PAGE = "/accounts/login/"
LOGIN_API = "/api/v1/auth/login/"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> Iterator[None]:
    settings.ANONYMOUS_MULTIPART_MAX_BYTES = 4096
    settings.ANONYMOUS_MULTIPART_RATE = 3
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def parsed(monkeypatch: Any) -> list[int]:
    """Counts the multipart bodies Django parses."""
    calls: list[int] = []
    parse = multipartparser.MultiPartParser.parse

    def counting(self: Any) -> Any:
        calls.append(1)
        return parse(self)

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", counting)
    return calls


def big() -> dict[str, Any]:
    return {"username": "340100-drafter", "file": SimpleUploadedFile("x.bin", b"x" * 10_000)}


@pytest.mark.parametrize("path", [LOGIN_PAGE, LOGIN_API, "/onboarding/apply/"])
def test_an_anonymous_body_past_the_limit_is_refused_unread(tree: Any, parsed: list[int], path: str) -> None:
    response = Client(HTTP_HOST=PUBLIC_HOST).post(path, big())
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"
    assert parsed == []
    assert not LoginCounter.objects.exists()


def test_anonymous_bodies_past_the_rate_are_refused_unread(tree: Any, parsed: list[int]) -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST, REMOTE_ADDR="203.0.113.7")
    for _n in range(3):
        refused(client.post(LOGIN_API, {"username": "nobody", "password": "x"}), 400, "invalid_credentials")
    assert len(parsed) == 3
    refusal = client.post(LOGIN_API, {"username": "nobody", "password": "x"})
    assert refusal.status_code == 429
    assert refusal.json()["errors"][0]["code"] == "rate_limited"
    assert 0 < int(refusal["Retry-After"]) <= 60
    assert len(parsed) == 3
    # another address has its own count; url-encoded forms are not multipart
    assert (
        Client(HTTP_HOST=PUBLIC_HOST, REMOTE_ADDR="203.0.113.8")
        .post(LOGIN_API, {"username": "x", "password": "x"})
        .status_code
        == 400
    )
    form = client.post(LOGIN_API, "username=x&password=x", content_type="application/x-www-form-urlencoded")
    refused(form, 400, "invalid_credentials")


def test_signed_in_callers_are_not_limited(tree: Any, parsed: list[int]) -> None:
    token_client = api("340100", "340100-drafter")
    for _n in range(5):
        response = token_client.post("/api/v1/tasks/", big(), format="multipart")
        assert response.status_code not in (413, 429)
    session = Client(HTTP_HOST="hefei.localhost")
    assert session.login(username="340100-drafter", password=PASSWORD)
    assert session.post("/reception/tasks/new/", big()).status_code not in (413, 429)
    assert len(parsed) == 6


def test_a_forged_token_does_not_lift_the_limit(tree: Any, parsed: list[int]) -> None:
    response = Client(HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION="Token " + "0" * 64).post(LOGIN_PAGE, big())
    assert response.status_code == 413
    assert parsed == []
