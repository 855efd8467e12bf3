"""Mainland China mobile numbers (中国大陆手机号): 11 digits starting 13–19, optionally +86."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value: str) -> str | None:
    """The 11-digit number, or None when `value` is not a mainland mobile number."""
    text = _SEPARATORS.sub("", value or "")
    for prefix in ("+86", "0086", "86"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
            break
    return text if _MOBILE.match(text) else None


def is_mobile(value: str) -> bool:
    return normalise_mobile(value) is not None
