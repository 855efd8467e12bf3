"""Schema-driven fuzzing: schemathesis over the OpenAPI document, against a live server, with real
tokens. No response may be a 5xx, and every documented response must match its schema.

Bounded (FUZZ_EXAMPLES per operation, default 8) so that it fits CI's budget; it runs in
`make test-slow`. Writes land in 蚌埠 (340300, the committed-data jurisdiction), whose rows are
removed afterwards.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest

from tests.conftest import user
from tests.e2e.conftest import live_server_port  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))


def _token(username: str) -> str:
    from django.db import connection
    from knox.models import AuthToken

    connection.set_schema_to_public()
    _instance, token = AuthToken.objects.create(user=user(username))
    return token


def _fuzz(port: int, host: str, token: str | None, statuses: Counter[int]) -> list[str]:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Ok
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    # Name resolution of *.localhost is the browser's; here the Host header picks the jurisdiction.
    base_url = f"http://127.0.0.1:{port}"
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json", headers={"Host": host})
    headers = {"Host": host, **({"Authorization": f"Token {token}"} if token else {})}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI document has an invalid operation: {result}"
        operation = result.ok()
        operations += 1
        if operation.path.endswith("/auth/logout/"):
            continue  # it would revoke the fuzzer's own token (tested in tests/core)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(base_url=base_url, headers=headers)
            statuses[response.status_code] += 1
            case.validate_response(
                response,
                headers=headers,
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
            )

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure, report them all
            failures.append(f"{operation.label}: {str(error)[:800]}")
    assert operations >= 10, "the schema lists too few operations: is the document complete?"
    return failures


@pytest.mark.parametrize("username", ["340000-admin", None])
def test_the_public_api_survives_fuzzing(
    committed: Any,
    live_server_port: int,  # noqa: F811
    django_db_blocker: Any,
    username: str | None,
) -> None:
    """The public host: onboarding (anonymous applications, an admin's review), the provider
    portal and the directory."""
    with django_db_blocker.unblock():
        token = _token(username) if username else None
    statuses: Counter[int] = Counter()
    failures = _fuzz(live_server_port, "localhost", token, statuses)
    assert not failures, "\n\n".join(failures)
    assert statuses, "no request reached the server"


@pytest.mark.parametrize("username", ["340300-admin", "340300-drafter", None])
def test_the_tenant_api_survives_fuzzing(
    committed: Any,
    live_server_port: int,  # noqa: F811
    django_db_blocker: Any,
    username: str | None,
) -> None:
    with django_db_blocker.unblock():
        token = _token(username) if username else None
    statuses: Counter[int] = Counter()
    failures = _fuzz(live_server_port, "bengbu.localhost", token, statuses)
    assert not failures, "\n\n".join(failures)
    # The fuzzer reached the views: with a token, reads succeed and bad input is refused.
    expected = {401} if username is None else {200, 400}
    assert expected <= set(statuses), statuses
