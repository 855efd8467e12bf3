"""The tenants app's English catalogue is complete; onboarding answers in English when asked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from tests.conftest import api
from tests.tenants.onboarding_helpers import APPLY, application, apply

PO = Path(__file__).resolve().parents[2] / "tenants" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_english_translation():
    entries = PO.read_text().split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.MULTILINE) and "msgid" in e]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text()


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
def test_onboarding_errors_in_english(tree, english):
    cache.clear()
    client = api()
    body = client.post(
        APPLY, application(code="350124", contact_phone="call me"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert body["code"] == ["The code is not in the same province as its parent."]
    assert body["contact_phone"] == ["Enter a valid contact phone number."]
    assert apply(code="350124").json()["code"] == ["代码与上级不属于同一省份。"]
    page = Client(HTTP_HOST="localhost").get("/onboarding/apply/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Pilot jurisdiction application" in page.content.decode()


@pytest.mark.django_db
def test_refusal_pages_follow_the_request_language_not_the_previous_request(tree, english):
    from tenants.models import Jurisdiction

    Jurisdiction.objects.filter(code="340200").update(status=Jurisdiction.Status.SUSPENDED)
    client = Client(HTTP_HOST="wuhu.localhost")
    assert "suspended" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # the same thread, the next visitor reads Chinese
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 503
    assert "已停用" in page.content.decode()
    assert "已停用" in Client(HTTP_HOST="wuhu.localhost").get("/").content.decode()
