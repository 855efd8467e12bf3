"""Demo data for `seed_demo` (filled in below)."""

from __future__ import annotations

from typing import Any


def seed_reception(password: str, out: Any) -> None:
    pass
