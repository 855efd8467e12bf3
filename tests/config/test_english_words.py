"""The English catalogue says what the Chinese means: 级别 is a grade (of a guest or a reception),
never a severity; languages are named in their own script; Chinese comes first."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.test import Client

from tests.config.test_catalogues import CATALOGUES, _entries
from tests.conftest import HOSTS, user


def test_jibie_is_a_grade_and_only_the_warning_grade_is_a_severity() -> None:
    wrong = []
    for catalogue in CATALOGUES:
        for msgid, msgstr in _entries(catalogue):
            if msgid == "级别" and msgstr != "Grade":
                wrong.append((str(catalogue), msgid, msgstr))
            if "Severity" in msgstr and "预警等级" not in msgid:
                wrong.append((str(catalogue), msgid, msgstr))
    assert wrong == []


def test_languages_are_named_in_their_own_script_chinese_first() -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.LANGUAGES == [("zh-hans", "简体中文"), ("en", "English")]


def options(page: str) -> list[str]:
    select = re.search(r'<select name="language".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r"<option [^>]*>([^<]+)</option>", select.group(0))


def test_the_language_switch_reads_the_same_in_both_languages(tree: Any) -> None:
    client = Client(HTTP_HOST="localhost")
    assert options(client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()) == ["简体中文", "English"]
    assert options(client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()) == ["简体中文", "English"]
    # Without a preference the page is Chinese
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_the_warnings_table_heads_its_grade_column_severity_in_english(tree: Any) -> None:
    client = Client(HTTP_HOST=HOSTS["340100"])
    client.force_login(user("340100-supervisor"))
    english = client.get("/reporting/warnings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<th>Severity</th>" in english
    chinese = client.get("/reporting/warnings/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>预警等级</th>" in chinese
