"""Per-request context that is not business state: the request id, for logs and audit entries."""

from __future__ import annotations

import contextvars

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()
