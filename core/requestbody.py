"""JSON request bodies read safely: size and nesting are checked before anything is parsed.

Python's `json` recurses once per level, so about a thousand `[` raise `RecursionError` (a 500)
and a large body is parsed whole before anyone looks at it. Here the body is read up to
`JSON_MAX_BYTES` (one byte more tells it is too large), its depth is measured by a scan that does
not recurse, and only then is it parsed. Every refusal is a 400 with a stable code: `too_large`,
`too_deep`, `invalid_json`. Used by the API's parser (`JsonParser`) and by the few plain views
that read JSON (`loads`).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import accumulate, repeat
from operator import sub
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

from core.errors import InvalidInput

MAX_DEPTH = 64
DEFAULT_MAX_BYTES = 2 * 1024 * 1024

# Everything but quotes and brackets is dropped (in C) before the brackets are counted.
_OTHER_BYTES = bytes(b for b in range(256) if b not in b'"[]{}')
_SQUARE = bytes.maketrans(b"{}", b"[]")
# Opening brackets count +1 and closing ones -1 (bytes 2 and 0, minus 1).
_STEPS = bytes.maketrans(b"[]", b"\x02\x00")


def max_bytes() -> int:
    return int(getattr(settings, "JSON_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large() -> InvalidInput:
    return InvalidInput(_("请求内容过大（最多 %(n)s KB）。") % {"n": max_bytes() // 1024}, code="too_large")


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether `raw`'s arrays and objects nest deeper than `limit` (brackets inside strings do
    not count). Linear, no recursion, all in C but the last step; stops past the limit."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    # Escaped backslashes, then escaped quotes, go first; the quotes left then alternate, so the
    # text between them (the strings) is every other piece. Only the brackets stay, all square:
    # depth does not depend on their kind.
    kept = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _OTHER_BYTES)
    brackets = b"".join(kept.split(b'"')[::2]).translate(_SQUARE)
    # Each round drops every empty container, which lowers the depth by at most one: `rounds` plus
    # the depth of what is left bounds the depth from above (and equals it for well-formed JSON).
    rounds = 0
    while brackets and rounds < limit:
        shorter = brackets.replace(b"[]", b"")
        removed = len(brackets) - len(shorter)
        if removed:
            brackets, rounds = shorter, rounds + 1
        if removed * 16 < len(brackets) + removed:  # little gained: count what is left instead
            break
    level, room = 0, limit - rounds
    steps = brackets.translate(_STEPS)
    for start in range(0, len(steps), 65536):
        levels = list(accumulate(map(sub, steps[start : start + 65536], repeat(1)), initial=level))
        if max(levels) > room:
            return True
        level = levels[-1]
    return False


def loads(raw: bytes) -> Any:
    """`raw` parsed as JSON once its size and depth are known to be safe; InvalidInput if not."""
    if len(raw) > max_bytes():
        raise too_large()
    if nests_deeper_than(raw, MAX_DEPTH):
        raise InvalidInput(_("请求内容嵌套过深（最多 %(n)s 层）。") % {"n": MAX_DEPTH}, code="too_deep")
    try:
        text = raw.decode("utf-8")
        if api_settings.STRICT_JSON:
            return drf_json.loads(text, parse_constant=drf_json.strict_constant)
        return drf_json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInput(_("请求内容不是有效的 JSON。"), code="invalid_json") from None


def read_limited(stream: IO[bytes], meta: Mapping[str, Any]) -> bytes:
    """The body, refused as too large from its declared length or after one byte too many."""
    limit = max_bytes()
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large()
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise too_large()
    return raw


class JsonParser(JSONParser):
    """DRF's JSON parser with the limits above (the default parser of the API)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        request = (parser_context or {}).get("request")
        meta = request.META if request is not None else {}
        if stream is None:
            return {}
        return loads(read_limited(stream, meta))
