"""POST/GET letters/, registering or refusing a visitor's letter, attachments."""

from __future__ import annotations

import pytest

from core.models import AuditEntry
from reception.models import Letter, LetterStatus
from tests.conftest import api, error_fields, in_tenant, refused, unchanged
from tests.reception.conftest import snapshot
from tests.reception.factories import LetterFactory

pytestmark = pytest.mark.django_db

LETTERS = "/api/v1/letters/"
BODY = {
    "number": "皖发改函〔2026〕12号",
    "sending_unit": "安徽省发展和改革委员会",
    "purpose": "inspection_research",
    "content": "拟赴合肥市调研重点项目建设情况。",
    "itinerary": "5月6日抵达，7日返回。",
    "people_count": 5,
    "received_on": "2026-04-28",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize("role", ["counterpart", "drafter", "admin"])
def test_register_a_letter(tree, role):
    response = api("340100", f"340100-{role}").post(LETTERS, BODY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in BODY} == BODY
    assert body["status"] == "registered"
    assert body["attachments"] == []
    with in_tenant("340100"):
        letter = Letter.objects.get(pk=body["id"])
        assert (letter.registered_by.username, letter.status) == (f"340100-{role}", "registered")
    entry = AuditEntry.objects.filter(chain="340100", action="reception.letter.registered").latest("sequence")
    assert entry.actor_username == f"340100-{role}" and entry.object_id == str(body["id"])


def test_itinerary_is_optional(tree):
    body = {k: v for k, v in BODY.items() if k != "itinerary"}
    response = api("340100", "340100-drafter").post(LETTERS, body, format="json")
    assert response.status_code == 201
    assert response.json()["itinerary"] == ""


@pytest.mark.parametrize("role", ["reviewer", "handler", "finance", "supervisor"])
def test_other_roles_may_not_register(tree, role):
    before = snapshot()
    response = api("340100", f"340100-{role}").post(LETTERS, BODY, format="json")
    refused(response, 403, "permission_denied")
    assert snapshot() == before


@pytest.mark.parametrize("username", ["340200-drafter", "340123-admin", "340000-admin", "340000-supervisor"])
def test_other_jurisdictions_and_overseers_may_not_register(tree, username):
    before = snapshot()
    refused(api("340100", username).post(LETTERS, BODY, format="json"), 403, "permission_denied")
    assert snapshot() == before


def test_anonymous_is_401(tree):
    with unchanged():
        refused(api("340100").post(LETTERS, BODY, format="json"), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"purpose": "sightseeing"}, "purpose", "invalid_choice"),
        ({"people_count": -1}, "people_count", "min_value"),
        ({"people_count": 0}, "people_count", "min_value"),
        ({"people_count": "many"}, "people_count", "invalid"),
        ({"people_count": 10**12}, "people_count", "max_value"),
        ({"received_on": "2026-02-30"}, "received_on", "invalid"),
        ({"number": "x" * 101}, "number", "max_length"),
        ({"number": "  "}, "number", "blank"),
        ({"sending_unit": "省\x00委"}, "sending_unit", "null_characters_not_allowed"),
        ({"content": "y" * 5001}, "content", "max_length"),
        ({"content": ["list"]}, "content", "invalid"),
        ({"number": None}, "number", "null"),
    ],
)
def test_bad_input_is_400_on_the_field_and_changes_nothing(tree, change, field, code):
    before = snapshot()
    response = api("340100", "340100-drafter").post(LETTERS, {**BODY, **change}, format="json")
    refused(response, 400, code)
    assert error_fields(response) == [field]
    assert snapshot() == before


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'"text"', b"null"])
def test_malformed_bodies_are_400(tree, raw):
    before = snapshot()
    response = api("340100", "340100-drafter").post(LETTERS, raw, content_type="application/json")
    assert response.status_code == 400
    assert snapshot() == before


def test_list_newest_first_paginated_and_filtered(tree):
    with in_tenant("340100"):
        older = LetterFactory(number="A-1")
        pending = LetterFactory(number="B-2", status=LetterStatus.SUBMITTED_BY_VISITOR)
    client = api("340100", "340100-counterpart")
    body = client.get(LETTERS).json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    assert [row["id"] for row in body["results"]] == [pending.pk, older.pk]
    assert [r["number"] for r in client.get(LETTERS + "?status=submitted_by_visitor").json()["results"]] == ["B-2"]
    assert [r["number"] for r in client.get(LETTERS + "?q=A-").json()["results"]] == ["A-1"]
    assert client.get(LETTERS + "?status=bogus").status_code == 400
    assert client.get(LETTERS + "?q=%00").status_code == 400


@pytest.mark.parametrize(("username", "expected"), [("340000-supervisor", 200), ("340200-admin", 403)])
def test_reading_letters_by_overseers_and_others(tree, username, expected):
    with in_tenant("340100"):
        letter = LetterFactory()
    client = api("340100", username)
    assert client.get(LETTERS).status_code == expected
    assert client.get(f"{LETTERS}{letter.pk}/").status_code == expected


def test_unknown_letter_is_404(tree):
    assert api("340100", "340100-drafter").get(f"{LETTERS}999999/").status_code == 404


def test_a_visitors_letter_is_registered_once(tree):
    with in_tenant("340100"):
        letter = LetterFactory(status=LetterStatus.SUBMITTED_BY_VISITOR)
    client = api("340100", "340100-counterpart")
    response = client.post(f"{LETTERS}{letter.pk}/register/")
    assert response.status_code == 200
    assert response.json()["status"] == "registered"
    before = snapshot()
    refused(client.post(f"{LETTERS}{letter.pk}/register/"), 409, "letter_not_pending")
    refused(client.post(f"{LETTERS}{letter.pk}/reject/", {"reason": "重复"}, format="json"), 409, "letter_not_pending")
    assert snapshot() == before


def test_a_visitors_letter_is_refused_with_a_reason(tree):
    with in_tenant("340100"):
        letter = LetterFactory(status=LetterStatus.SUBMITTED_BY_VISITOR)
    client = api("340100", "340100-drafter")
    before = snapshot()
    refused(client.post(f"{LETTERS}{letter.pk}/reject/", {"reason": ""}, format="json"), 400, "blank")
    refused(client.post(f"{LETTERS}{letter.pk}/reject/", {}, format="json"), 400, "required")
    assert snapshot() == before
    response = client.post(f"{LETTERS}{letter.pk}/reject/", {"reason": "非公务来访"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reject_reason"]) == ("rejected", "非公务来访")
    entry = AuditEntry.objects.filter(chain="340100", action="reception.letter.rejected").latest("sequence")
    assert entry.comment == "非公务来访"


@pytest.mark.parametrize("username", ["340100-reviewer", "340000-supervisor", "340200-counterpart"])
def test_registering_a_visitors_letter_needs_a_letter_role_here(tree, username):
    with in_tenant("340100"):
        letter = LetterFactory(status=LetterStatus.SUBMITTED_BY_VISITOR)
    before = snapshot()
    refused(api("340100", username).post(f"{LETTERS}{letter.pk}/register/"), 403, "permission_denied")
    assert snapshot() == before


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(client, letter, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"{LETTERS}{letter.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def test_attachments_are_checked_by_their_bytes_and_downloaded_by_members(tree, media):
    with in_tenant("340100"):
        letter = LetterFactory()
    client = api("340100", "340100-counterpart")
    response = _upload(client, letter, "公函.pdf", PDF)
    assert response.status_code == 201, response.json()
    assert {k: response.json()[k] for k in ("name", "content_type", "size")} == {
        "name": "公函.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
    }
    assert _upload(client, letter, "scan.png", PNG).json()["content_type"] == "image/png"
    attachment_id = response.json()["id"]
    download = api("340100", "340000-supervisor").get(f"{LETTERS}{letter.pk}/attachments/{attachment_id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert api("340100", "340200-admin").get(f"{LETTERS}{letter.pk}/attachments/{attachment_id}/").status_code == 403
    assert client.get(f"{LETTERS}{letter.pk}/").json()["attachments"][0]["name"] == "公函.pdf"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "file_type"),
        ("page.html", b"<html><script>alert(1)</script>", "file_type"),
        ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "file_too_large"),
    ],
)
def test_bad_attachments_are_refused(tree, media, name, content, code):
    with in_tenant("340100"):
        letter = LetterFactory()
    before = snapshot()
    response = _upload(api("340100", "340100-drafter"), letter, name, content)
    assert response.status_code == 400
    assert error_fields(response) == ["file"]
    assert snapshot() == before
    assert list(media.rglob("*.*")) == []


def test_attachment_upload_roles(tree, media):
    with in_tenant("340100"):
        letter = LetterFactory()
    for username in ("340100-reviewer", "340000-supervisor", "340200-drafter"):
        with unchanged("340100"):
            refused(_upload(api("340100", username), letter, "a.pdf", PDF), 403, "permission_denied")
    refused(_upload(api("340100", "340100-drafter"), letter, "empty.pdf", b""), 400, "empty")
