"""400 bodies carry stable codes: DRF's `{field: [messages]}` plus `errors: [{field, code, message}]`."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.api import coded_errors
from reception.models import Letter, Task
from tests.conftest import api, error_codes, in_tenant, refused

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
    refused(response, 400, "required")
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


def test_drf_refusals_carry_their_code(tree):
    """401, 403 and 404 name their problem with DRF's stable code beside the message."""
    assert api("340100").get("/api/v1/tasks/").json()["code"] == "not_authenticated"
    assert api("340100", "340200-drafter").get("/api/v1/providers/").json()["code"] == "permission_denied"
    missing = api("340100", "340100-drafter").get("/api/v1/tasks/999999/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_the_onboarding_api_refusals_carry_codes(tree):
    bad = api(None, "340000-admin").get("/api/v1/onboarding/applications/?status=bogus")
    assert (bad.status_code, error_codes(bad)) == (400, {("status", "invalid_choice")})
    assert bad.json()["status"]  # DRF's `{field: [messages]}` stays
    unknown_host = APIClient(HTTP_HOST="nowhere.localhost").get("/api/v1/me/")
    assert (unknown_host.status_code, unknown_host.json()["code"]) == (404, "unknown_host")
