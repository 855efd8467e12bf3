"""JSON bodies: nesting past 64 levels and bodies past the size limit are refused with a 400 and
a code before anything is parsed, on every JSON endpoint (anonymous sign-in included); no
`RecursionError`, no 500, nothing changed."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser

from core.errors import InvalidInput
from core.models import AuditEntry, LoginCounter
from core.requestbody import MAX_DEPTH, JsonParser, loads, nests_deeper_than
from reception.models import Task
from tests.conftest import PASSWORD, api, error_codes, in_tenant

LOGIN = "/api/v1/auth/login/"
TASKS = "/api/v1/tasks/"


def nested(levels: int, inner: str = "1") -> bytes:
    return ("[" * levels + inner + "]" * levels).encode()


@pytest.mark.parametrize(
    ("raw", "deepest"),
    [
        (b"{}", 1),
        (nested(MAX_DEPTH), MAX_DEPTH),
        (nested(MAX_DEPTH + 1), MAX_DEPTH + 1),
        (b'{"a": "[[[[[[", "b": [[1]]}', 3),  # brackets in strings do not count
        (b'["\\"[[[[", [[1]]]', 3),  # nor after an escaped quote
        (b'["\\\\", [[[1]]]]', 4),  # an escaped backslash ends the string's escapes
        (b"[" * 100_000, 100_000),  # unclosed: json would recurse into every one
        (b"[" * 1000 + b"]" * 1000, 1000),
        (b'{"a": [{"b": [1]}, []], "c": {}}', 4),  # kinds mixed
        (b"[[[]],[[[]]]," + b"[]" * 100 + b"]", 4),  # siblings of different depths
    ],
)
def test_depth_is_measured_without_parsing(raw: bytes, deepest: int) -> None:
    assert nests_deeper_than(raw, deepest - 1)
    assert not nests_deeper_than(raw, deepest)


def test_the_depth_scan_is_fast_on_the_worst_bodies() -> None:
    worst = (
        b"[]" * 1_000_000,
        b"[" * 2_000_000,
        b"[" * 1_000_000 + b"]" * 1_000_000,
        (b"[" * 20 + b"]" * 20) * 50_000,
        b'"\\"' * 700_000,
        b'["a",' * 400_000,
    )
    for raw in worst:
        started = time.perf_counter()
        nests_deeper_than(raw, MAX_DEPTH)
        assert time.perf_counter() - started < 2.0  # tens of ms on a quiet machine


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (nested(MAX_DEPTH + 1), "too_deep"),
        (nested(1100), "too_deep"),
        (b"[" * 5000, "too_deep"),
        (b"[" * 1000 + b'"\\', "too_deep"),
        (b"{", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b"[NaN]", "invalid_json"),
    ],
)
def test_loads_refuses_with_a_code(raw: bytes, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        loads(raw)
    assert refused.value.code == code


def test_loads_reads_what_is_safe() -> None:
    assert loads(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    assert loads('{"标题": "[[["}'.encode()) == {"标题": "[[["}


def test_loads_refuses_a_body_past_the_limit(settings: Any) -> None:
    settings.JSON_MAX_BYTES = 1000
    with pytest.raises(InvalidInput) as refused:
        loads(b'"' + b"x" * 1000 + b'"')
    assert refused.value.code == "too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 1100, 50_000])
def test_anonymous_login_refuses_deep_json(tree: Any, levels: int) -> None:
    body = b'{"username": "340100-drafter", "password": ' + nested(levels) + b"}"
    response = api().post(LOGIN, body, content_type="application/json")
    assert response.status_code == 400
    assert error_codes(response) == {("non_field_errors", "too_deep")}
    assert not LoginCounter.objects.exists()  # refused before any password was checked


@pytest.mark.django_db
def test_a_body_past_the_limit_is_refused_before_it_is_read(tree: Any, settings: Any) -> None:
    settings.JSON_MAX_BYTES = 4096
    body = json.dumps({"username": "340100-drafter", "password": PASSWORD, "pad": "x" * 5000}).encode()
    response = api().post(LOGIN, body, content_type="application/json")
    assert response.status_code == 400
    assert error_codes(response) == {("non_field_errors", "too_large")}
    small = api().post(LOGIN, {"username": "340100-drafter", "password": PASSWORD}, format="json")
    assert small.status_code == 200


@pytest.mark.django_db
def test_a_tenant_endpoint_refuses_deep_json_and_changes_nothing(tree: Any) -> None:
    with in_tenant("340100"):
        tasks = Task.objects.count()
    audit = AuditEntry.objects.count()
    client = api("340100", "340100-drafter")
    response = client.post(TASKS, b'{"title": ' + nested(2000) + b"}", content_type="application/json")
    assert response.status_code == 400
    assert error_codes(response) == {("non_field_errors", "too_deep")}
    with in_tenant("340100"):
        assert Task.objects.count() == tasks
    assert AuditEntry.objects.count() == audit


def _views(patterns: list[Any]) -> list[Any]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if view is not None:
                found.append(view)
    return found


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_every_api_view_parses_json_with_the_limits(urlconf: str) -> None:
    views = _views(get_resolver(urlconf).url_patterns)
    assert views
    unsafe = [
        view.__name__
        for view in views
        for parser in view.parser_classes
        if issubclass(parser, JSONParser) and not issubclass(parser, JsonParser)
    ]
    assert unsafe == []
    assert any(JsonParser in view.parser_classes for view in views)
