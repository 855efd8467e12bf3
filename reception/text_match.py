"""Matching banned words in free text the way an auditor reads it, not the way it was typed.

Text and words are normalised alike before matching: NFKC (full-width letters and digits become
their ordinary forms), traditional characters become simplified ones (OpenCC's `t2s`, the
maintained conversion tables rather than a hand-made list), case is folded, and spaces,
punctuation and symbols are dropped (so "茅 台", "茅·台", "ＭＡＯＴＡＩ" and "茅臺" all read as
written plainly).

A word followed at once by the name of an organisation or a place (风景区**管委会**, 旅游**局**,
中华**路**) is part of that name, not the thing itself: "黄山风景区管委会调研座谈" names a place to
meet at, "游览黄山风景区" an outing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

#: What turns a banned word into part of a name when it follows the word at once: offices and
#: organisations (局, 管委会, 公司 …) and places (路, 镇, 园区 …). Longest first.
NAME_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            "管理委员会",
            "管委会",
            "管理局",
            "管理处",
            "管理所",
            "管理中心",
            "服务中心",
            "委员会",
            "研究院",
            "研究所",
            "办公室",
            "有限公司",
            "公司",
            "集团",
            "协会",
            "学会",
            "学院",
            "大学",
            "学校",
            "中心",
            "局",
            "委",
            "厅",
            "办",
            "处",
            "科",
            "所",
            "站",
            "镇",
            "乡",
            "村",
            "县",
            "市",
            "区",
            "路",
            "街",
            "巷",
            "大道",
            "广场",
            "大厦",
            "宾馆",
            "酒店",
            "饭店",
            "园区",
            "园",
            "基地",
            "厂",
        },
        key=len,
        reverse=True,
    )
)

_DROPPED_CATEGORIES = ("Z", "C", "P", "S")  # separators, controls and format, punctuation, symbols


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _keep(char: str) -> bool:
    return not unicodedata.category(char).startswith(_DROPPED_CATEGORIES)


@lru_cache(maxsize=4096)  # plans repeat their menus and venues; a check reads each text twice
def normalise(text: str) -> str:
    """The form both text and words are compared in: NFKC, simplified, case-folded, with spaces,
    punctuation and symbols removed."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text)
    simplified = _converter().convert(folded)
    return "".join(char for char in simplified.casefold() if _keep(char))


@lru_cache(maxsize=64)
def _by_first_char(words: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The words (as typed, and normalised) by the first character of their normalised form, in
    the standard's order; empty ones dropped. Built once per list."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for word in words:
        form = normalise(word)
        if form:
            grouped.setdefault(form[0], []).append((word, form))
    return {char: tuple(forms) for char, forms in grouped.items()}


def _names_something(text: str, end: int) -> bool:
    return text.startswith(NAME_SUFFIXES, end)


def banned_words_in(text: str, words: Iterable[str]) -> list[str]:
    """The words (as the standard spells them, in its order) that `text` contains, after
    normalising both, where the word is not the start of an organisation's or a place's name."""
    return list(_found(text, tuple(words)))


@lru_cache(maxsize=4096)  # plans and cost lines repeat their texts
def _found(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """One pass over the normalised text: at each character only the words starting with it are tried."""
    normalised = normalise(text)
    if not normalised:
        return ()
    by_first = _by_first_char(words)
    found: set[str] = set()
    for start, char in enumerate(normalised):
        for word, form in by_first.get(char, ()):
            end = start + len(form)
            if word not in found and normalised.startswith(form, start) and not _names_something(normalised, end):
                found.add(word)
    return tuple(word for word in dict.fromkeys(words) if word in found)
