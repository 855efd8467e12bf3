"""An SMTP sink for the messages benchmark, run as its own process (`python -m aiosmtpd -c
bench.smtp_sink.CountingSink PATH`): accepts every message and appends one byte per message to
PATH, so the benchmark counts what arrived without sharing a process (or a GIL) with the worker."""

from __future__ import annotations

from typing import Any


class CountingSink:
    def __init__(self, path: str) -> None:
        self.path = path

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        with open(self.path, "ab") as counter:
            counter.write(b".")
        return "250 OK"

    @classmethod
    def from_cli(cls, parser: Any, *args: str) -> CountingSink:
        return cls(args[0])
