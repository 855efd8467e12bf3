"""Domain errors with stable codes. The API turns them into status codes; pages into messages."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused action. `code` is stable (tests, clients); `message` is translated for people."""

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.extra = extra or {}


class InvalidInput(DomainError):
    """Bad input for a service; answered as 400 (on `field` when given)."""

    status_code = 400
    default_code = "invalid"


class RateLimited(DomainError):
    """Too many of one action within a window; answered as 429, with `Retry-After` when
    `extra["retry_after"]` (seconds) is given."""

    status_code = 429
    default_code = "rate_limited"


class Forbidden(DomainError):
    """The actor's role or membership does not allow this; answered as 403."""

    status_code = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The current state forbids this transition, or the object changed meanwhile; answered 409."""

    status_code = 409
    default_code = "conflict"


class RuleViolation(DomainError):
    """Business rules block the action; answered 400 with the list of findings."""

    status_code = 400
    default_code = "rules_failed"

    def __init__(self, message: str | Promise, *, errors: list[dict[str, str]]) -> None:
        super().__init__(message, code=self.default_code, extra={"errors": errors})
        self.errors = errors
