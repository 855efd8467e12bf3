"""The roster template the app serves, filled in with the grade labels it shows, is accepted
whatever language the user chose, and so are the labels of any other language."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from reception.models import Guest
from tests.conftest import in_tenant
from tests.reception.arrangements import client
from tests.reception.conftest import task_url
from tests.reception.test_api_meetings import upload

pytestmark = pytest.mark.django_db

LABELS = {
    "zh-hans": ["省部级", "厅局级", "县处级", "乡科级", "其他"],
    "en": ["Provincial/ministerial", "Bureau", "Division", "Section", "Other"],
}
CODES = ["provincial_ministerial", "bureau", "division", "section", "other"]


def served_template(task: Any, language: str) -> tuple[Any, bytes]:
    response = client("drafter").get(task_url(task, "roster/template.xlsx"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)), response.content


def shown_labels(book: Any) -> list[str]:
    (validation,) = book.active.data_validations.dataValidation
    assert str(validation.sqref).startswith("D2:")
    return validation.formula1.strip('"').split(",")


def post(task: Any, book: Any, language: str) -> Any:
    out = io.BytesIO()
    book.save(out)
    return client("drafter").post(
        task_url(task, "roster/"), {"file": upload(out.getvalue())}, format="multipart", HTTP_ACCEPT_LANGUAGE=language
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_served_template_filled_with_its_labels_is_accepted(meeting_task: Any, language: str) -> None:
    book, _content = served_template(meeting_task, language)
    labels = shown_labels(book)
    assert labels == LABELS[language]
    sheet = book.active
    assert sheet["D2"].value == LABELS[language][2]  # the example row, left as served
    for n, label in enumerate(labels):
        sheet.append([f"来宾{n}", "安徽省财政厅", "处长", label, f"1380000010{n}"])

    response = post(meeting_task, book, language)
    assert response.status_code == 201, response.content
    with in_tenant("340100"):
        stored = Guest.objects.filter(pk__in=[guest["id"] for guest in response.json()["guests"]])
        grades = dict(stored.values_list("name", "grade"))
    assert grades == {"张三": "division", **{f"来宾{n}": code for n, code in enumerate(CODES)}}


@pytest.mark.parametrize(("served", "chosen"), [("zh-hans", "en"), ("en", "zh-hans")])
def test_labels_of_another_language_are_accepted(meeting_task: Any, served: str, chosen: str) -> None:
    book, _content = served_template(meeting_task, served)
    for n, label in enumerate(LABELS[served]):
        book.active.append([f"来宾{n}", "安徽省财政厅", "处长", label.upper() if served == "en" else label])
    response = post(meeting_task, book, chosen)
    assert response.status_code == 201, response.content
    assert [guest["grade"] for guest in response.json()["guests"]] == ["division", *CODES]


def test_an_unknown_grade_is_still_refused(meeting_task: Any) -> None:
    book, _content = served_template(meeting_task, "en")
    book.active.append(["来宾", "安徽省财政厅", "处长", "Minister"])
    with in_tenant("340100"):
        before = Guest.objects.count()
    response = post(meeting_task, book, "en")
    assert response.status_code == 400
    assert [(e["row"], e["code"]) for e in response.json()["errors"]] == [(3, "invalid_grade")]
    with in_tenant("340100"):
        assert Guest.objects.count() == before
