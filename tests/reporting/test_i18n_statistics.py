"""Chinese is the source language; reporting's English catalogue is complete and compiles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "reporting" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation() -> None:
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.MULTILINE) and "msgid" in e]
    assert untranslated == []


@pytest.fixture
def english() -> Any:
    from django.utils.translation import trans_real

    call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    with translation.override("en"):
        yield
    trans_real._translations = {}
    trans_real._default = None


def test_statistics_read_in_english(english: Any, hefei_receptions: Any) -> None:
    from tests.conftest import api

    response = api("340100", "340100-finance").get(
        "/api/v1/statistics/?from=2026-05-01&to=2026-06-30&group_by=level&format=csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Reception level,Receptions,Guests (person-times)")
    bad = api("340100", "340100-finance").get("/api/v1/statistics/?from=x", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.json()["from"] == ["Dates are written YYYY-MM-DD."]


def test_statistics_by_provider_read_in_english(english: Any, tree: Any) -> None:
    import datetime as dt

    from tests.conftest import api, in_tenant
    from tests.reporting.conftest import held

    with in_tenant("340100"):
        held(status="completed", start=dt.date(2026, 5, 6), guests=2, items=[("vehicle", "", "10.00", 1)])
    response = api("340100", "340100-finance").get(
        "/api/v1/statistics/?from=2026-05-01&to=2026-06-30&group_by=provider&format=csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Provider,Receptions,")
    assert lines[1].startswith("No provider（none）,1,2,")
    assert lines[2].startswith('"Total (each reception counted once in receptions and guests, not the sum of the rows;')
