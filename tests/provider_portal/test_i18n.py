"""The provider portal's English catalogue is complete; refusals read in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "provider_portal" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation() -> None:
    entries = PO.read_text().split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.MULTILINE) and "msgid" in e]
    assert untranslated == []


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    from django.utils.translation import trans_real

    call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    with translation.override("en"):
        yield
    trans_real._translations = {}
    trans_real._default = None


def test_cash_refusal_and_list_wording_read_in_english(english: None) -> None:
    from core.errors import InvalidInput
    from provider_portal.orders.services import CostLineInput, clean_cost_lines

    with pytest.raises(InvalidInput) as refused:
        clean_cost_lines([CostLineInput("房费", __import__("decimal").Decimal("1"), "cash")])
    assert str(refused.value.message) == (
        "Official reception costs may not be paid in cash: choose the official card or a bank transfer."
    )
    assert translation.gettext("公务接待清单") == "Official reception list"
