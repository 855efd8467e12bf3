"""What page sources may not hold: emoji used as symbols (government PCs' fonts show them as
boxes), inline scripts or inline event handlers (behaviour lives in static/js/app.js)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")
APPS = ("core", "tenants", "provider_portal", "reception", "reporting", "templates", "static")


def test_no_template_script_or_style_uses_emoji() -> None:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix in {".html", ".js", ".css", ".py", ".txt"} and path.is_file():
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                    if EMOJI.search(line):
                        found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []


def test_the_pattern_finds_the_legend_emoji_that_were_removed() -> None:
    assert EMOJI.search("🟩 已报") and EMOJI.search("🟥") and not EMOJI.search("已报 · 未报 — ¥")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son(click|change|submit|load|input)=", re.IGNORECASE)


def test_no_template_holds_an_inline_script_or_handler() -> None:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.html"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if INLINE_SCRIPT.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
    assert INLINE_SCRIPT.search('<select onchange="this.form.submit()">')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
