"""Chinese is the source language; every English catalogue of the project is complete, and the
shared pages (core, project templates) read in English when asked."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p for p in ROOT.glob("**/locale/en/LC_MESSAGES/django.po") if ".venv" not in p.parts and ".data" not in p.parts
)


def test_every_app_with_text_has_an_english_catalogue() -> None:
    owners = {p.relative_to(ROOT).parts[0] for p in CATALOGUES}
    assert {"core", "locale", "tenants", "reception", "provider_portal", "reporting"} <= owners


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(catalogue: Path) -> None:
    entries = catalogue.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [
        e for e in entries if "msgid" in e and re.search(r'^msgstr(\[\d\])? ""\n?(?!")', e + "\n", re.MULTILINE)
    ]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == [] and fuzzy == []


def _entries(catalogue: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of each singular entry, continuation lines joined, escapes decoded."""
    pairs = []
    for entry in catalogue.read_text(encoding="utf-8").split("\n\n")[1:]:
        if "msgid_plural" in entry or "msgid" not in entry:
            continue
        fields: dict[str, str] = {}
        key = ""
        for line in entry.splitlines():
            if line.startswith(("msgid ", "msgstr ", "msgctxt ")):
                key, _space, rest = line.partition(" ")
                fields[key] = ast.literal_eval(rest)
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if "msgctxt" not in fields:
            pairs.append((fields["msgid"], fields["msgstr"]))
    return pairs


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_committed_binary_catalogue_matches_its_source(catalogue: Path) -> None:
    """The .mo files are committed (a machine without gettext cannot compile them): each must say
    what its .po says."""
    with catalogue.with_suffix(".mo").open("rb") as binary:
        compiled = gettext.GNUTranslations(binary)
    stale = [msgid for msgid, msgstr in _entries(catalogue) if compiled.gettext(msgid) != msgstr]
    assert stale == [], f"run `make messages` and commit the .mo files: {stale[:5]}"


def test_the_sign_in_page_reads_in_english(tree: dict[str, Any]) -> None:
    page = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/")
    text = page.content.decode()
    assert "Sign in" in text and "Official Reception Platform" in text
    chinese = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="zh-hans").get("/accounts/login/").content.decode()
    assert "公务接待管理平台" in chinese
