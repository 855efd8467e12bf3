"""Internal links are reversed by name (`{% url %}`), never written as paths in templates: a
renamed route then fails at once in every page that links to it, instead of leaving dead links
(the crawl tests would only find those a demo role happens to reach)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: `href="/…"`, `action="/…"` and `{% may_open "/…" %}`; `//host/` (another host) is not a path here.
HARD_CODED = re.compile(r'(?:href|action|src)="/(?!/)|may_open "/')


def hard_coded_links() -> list[str]:
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in path.parts or ".data" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if HARD_CODED.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    return found


def test_no_template_hard_codes_an_internal_link() -> None:
    assert hard_coded_links() == []


def test_the_scan_finds_each_shape() -> None:
    assert HARD_CODED.search('<a href="/reception/">')
    assert HARD_CODED.search('<form action="/reception/tasks/1/submit/">')
    assert HARD_CODED.search('{% may_open "/reporting/" as ok %}')
    assert not HARD_CODED.search("<a href=\"{% url 'reception-tasks' %}\">")
    assert not HARD_CODED.search('<a href="//{{ host }}/">')
