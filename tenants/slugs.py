"""Host names for jurisdictions: pinyin of the name, unique and stable once given."""

from __future__ import annotations

import re
from collections.abc import Callable

from pypinyin import Style, lazy_pinyin, load_phrases_dict, load_single_dict

# Place-name readings that pypinyin's general dictionary gets wrong.
load_single_dict({ord("长"): "cháng,zhǎng", ord("蚌"): "bèng,bàng"})
load_phrases_dict(
    {
        "长子": [["zhǎng"], ["zǐ"]],
        "涡阳": [["guō"], ["yáng"]],
        "六安": [["lù"], ["ān"]],
        "天长": [["tiān"], ["cháng"]],
    }
)

# Administrative suffixes dropped from host names (安徽省 → anhui, 合肥市 → hefei), longest first.
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "新区",
    "林区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
)
RESERVED = frozenset({"www", "api", "admin", "static", "media", "mail", "public", "login", "sso"})


def base_slug(name: str) -> str:
    core = name.strip()
    for suffix in _SUFFIXES:
        # Keep the suffix when dropping it would leave one character (泾县 → jingxian).
        if core.endswith(suffix) and len(core) - len(suffix) >= 2:
            core = core[: -len(suffix)]
            break
    slug = "".join(lazy_pinyin(core, style=Style.NORMAL, errors="ignore"))
    slug = re.sub(r"[^a-z0-9]+", "", slug.lower().replace("ü", "v"))
    return slug[:40] or "j"


def unique_slug(name: str, *, parent_slug: str | None, code: str, taken: Callable[[str], bool]) -> str:
    """The first free candidate: the name's pinyin, then prefixed by the parent's, then the code."""
    base = base_slug(name)
    candidates = [base]
    if parent_slug:
        candidates.append(f"{parent_slug}-{base}")
    candidates.append(f"{base}-{code}")
    for candidate in candidates:
        if candidate not in RESERVED and not taken(candidate):
            return candidate
    return f"j{code}"
