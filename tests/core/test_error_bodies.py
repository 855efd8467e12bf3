"""400 bodies carry stable codes: DRF's `{field: [messages]}` plus `errors: [{field, code, message}]`."""

from __future__ import annotations

import pytest

from core.api import coded_errors
from reception.models import Letter, Task
from tests.conftest import api, in_tenant

pytestmark = pytest.mark.django_db

LETTER = {
    "number": "皖发改函〔2026〕99号",
    "sending_unit": "安徽省发展和改革委员会",
    "purpose": "inspection_research",
    "content": "调研。",
    "people_count": 5,
    "received_on": "2026-04-28",
}


def codes(body):
    return sorted((e["field"], e["code"]) for e in body["errors"])


def test_serializer_errors_keep_drf_shape_and_add_codes(tree):
    body = {**LETTER, "purpose": "sightseeing", "people_count": "many"}
    del body["number"]
    response = api("340100", "340100-drafter").post("/api/v1/letters/", body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert set(data) == {"number", "purpose", "people_count", "errors"}
    assert all(isinstance(data[f], list) and data[f] for f in ("number", "purpose", "people_count"))
    assert codes(data) == [("number", "required"), ("people_count", "invalid"), ("purpose", "invalid_choice")]
    with in_tenant("340100"):
        assert not Letter.objects.filter(sending_unit=LETTER["sending_unit"], content="调研。").exists()


def test_a_task_without_a_letter_answers_required_on_letter(tree):
    response = api("340100", "340100-drafter").post(
        "/api/v1/tasks/",
        {
            "title": "调研",
            "level": "bureau",
            "counterpart_unit": "发改委",
            "start_date": "2026-05-06",
            "end_date": "2026-05-07",
        },
        format="json",
    )
    assert response.status_code == 400
    assert ("letter", "required") in codes(response.json())
    with in_tenant("340100"):
        assert not Task.objects.filter(title="调研", counterpart_unit="发改委").exists()


def test_nested_rows_are_named_by_path():
    details = {
        "guests": [
            {"name": [{"message": "必填", "code": "required"}]},
            {},
            {"grade": [{"message": "无效", "code": "invalid_choice"}]},
        ],
        "non_field_errors": [{"message": "x", "code": "unique"}],
    }
    assert [(e["field"], e["code"]) for e in coded_errors(details)] == [
        ("guests.0.name", "required"),
        ("guests.2.grade", "invalid_choice"),
        ("non_field_errors", "unique"),
    ]


def test_a_list_body_names_its_rows():
    details = [{"name": [{"message": "必填", "code": "required"}]}, {"grade": [{"message": "无效", "code": "invalid"}]}]
    assert [(e["field"], e["code"]) for e in coded_errors(details)] == [("0.name", "required"), ("1.grade", "invalid")]
