"""Chinese is the source language; the English catalogue is complete and compiles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.reception.rules_helpers import guests, meal, run, staff

PO = Path(__file__).resolve().parents[2] / "reception" / "locale" / "en" / "LC_MESSAGES" / "django.po"


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
    with translation.override("en"):
        yield
    trans_real._translations = {}
    trans_real._default = None


def test_findings_and_labels_read_in_english(english):
    checks = run(items=[meal(guests=12, accompanying=5)], guest_list=guests(12), staff_list=staff(5))
    assert checks.errors[0].message == (
        "Item 1 (Lunch 05-06 12:00 机关食堂): 12 guests allow at most 4 accompanying diners; 5 planned"
        " (Article 10 of the Regulations on Domestic Official Reception of Party and Government Organs;"
        " the built-in default standards)"
    )
    assert translation.gettext("提交审核") == "Submit for review"
