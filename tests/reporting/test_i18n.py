"""Chinese is the source language; the English catalogue of reporting is complete and compiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.conftest import api

PO = Path(__file__).resolve().parents[2] / "reporting" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    entries = PO.read_text().split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.MULTILINE) and "msgid" in e]
    assert untranslated == []


@pytest.fixture
def english():
    from django.utils.translation import trans_real

    call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    yield
    trans_real._translations = {}
    trans_real._default = None


@pytest.mark.django_db
def test_errors_read_in_english(tree, english):
    response = api("340100", "340100-admin").post(
        "/api/v1/reports/", {"period": "2999-01"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["period"] == ["A future month cannot be reported."]
    assert response.json()["errors"][0]["code"] == "future_period"
    with translation.override("en"):
        assert translation.gettext("直报监督") == "Report oversight"
