"""Hardening (issue 13, data in): how fast hostile bodies are refused, and what the checks cost
an ordinary body. The JSON depth scan on the worst 2 MB bodies and on a 1 MB ordinary one; the
roster reader on decompression bombs and on a 5,000-row roster (the tag count it now does first)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from bench.bench_meetings import _roster
from bench.common import Context, Result, median_seconds

SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>单位</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>职务</t></is></c><c r="D1" t="inlineStr"><is><t>级别</t></is></c></row>'
)


def _bomb(empty_rows: int) -> bytes:
    original = zipfile.ZipFile(io.BytesIO(_roster(1)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in original.infolist():
            if info.filename != SHEET:
                archive.writestr(info, original.read(info.filename))
                continue
            with archive.open(SHEET, "w", force_zip64=True) as part:
                part.write(HEAD.encode())
                for start in range(0, empty_rows, 100_000):
                    part.write(b"<row/>" * min(100_000, empty_rows - start))
                part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _refused(content: bytes) -> str:
    from reception.roster import NotAWorkbook, WorkbookTooLarge, read_roster

    try:
        roster = read_roster(content)
    except (WorkbookTooLarge, NotAWorkbook) as exc:
        return type(exc).__name__
    return ",".join(sorted({e.code for e in roster.errors})) or "read"


def run(ctx: Context) -> list[Result]:
    from core.requestbody import MAX_DEPTH, loads, nests_deeper_than

    results = []
    worst = {"2 MB of []": b"[]" * 1_000_000, "2 MB of [": b"[" * 2_000_000, '2 MB of "\\"': b'"\\"' * 700_000}
    for name, body in worst.items():
        seconds = median_seconds(lambda body=body: nests_deeper_than(body, MAX_DEPTH), repeat=3)
        results.append(Result(f"JSON depth scan, {name}", seconds * 1000, "ms", "< 1000", ok=seconds < 1))
    ordinary = json.dumps(
        {"guests": [{"name": f"代表{n}", "unit": "安徽省财政厅", "items": [[n, n + 1]]} for n in range(12_000)]}
    ).encode()
    plain = median_seconds(lambda: json.loads(ordinary), repeat=5)
    checked = median_seconds(lambda: loads(ordinary), repeat=5)
    results.append(
        Result(
            f"JSON {len(ordinary) // 1024} KB ordinary body: checked vs json.loads",
            checked * 1000,
            "ms",
            note=f"json.loads alone {plain * 1000:.1f} ms",
        )
    )
    bombs: dict[str, Any] = {
        "5,000,000 empty rows (past the size)": 5_000_000,
        "1,600,000 empty rows (past the tags)": 1_600_000,
        "300,000 empty rows (past the rows read)": 300_000,
    }
    for name, rows in bombs.items():
        content = _bomb(rows)
        outcome = _refused(content)
        seconds = median_seconds(lambda content=content: _refused(content), repeat=3)
        note = f"{len(content) // 1024} KB zipped; {outcome}"
        results.append(Result(f"roster bomb refused, {name}", seconds * 1000, "ms", "< 1000", note, seconds < 1))
    roster = _roster(500 if ctx.quick else 5000)
    seconds = median_seconds(lambda: _refused(roster), repeat=3)
    note = f"{len(roster) // 1024} KB; {_refused(roster)}"
    results.append(Result("roster of 5,000 rows read, checks included", seconds * 1000, "ms", note=note))
    return results
