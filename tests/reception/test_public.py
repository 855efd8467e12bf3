"""Pages without login: the intake form (rate-limited), its tracking link, the guests' itinerary."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.models import AuditEntry
from reception.models import Letter, Task
from reception.tokens import intake_token, itinerary_token
from tests.conftest import in_tenant, refused_page
from tests.reception.conftest import snapshot
from tests.reception.factories import PlanItemFactory, at

pytestmark = pytest.mark.django_db

FORM = {
    "number": "苏发改函〔2026〕3号",
    "sending_unit": "江苏省发展和改革委员会",
    "purpose": "study_exchange",
    "content": "拟来合肥学习交流营商环境建设经验。",
    "itinerary": "5月20日至21日",
    "people_count": "6",
    "contact_name": "周九",
    "contact_phone": "025-12345678",
}


def visitor(ip: str = "203.0.113.7", host: str = "hefei.localhost") -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=ip)


def test_the_form_opens_without_login(tree):
    page = visitor().get("/intake/")
    assert page.status_code == 200
    assert "向合肥市公务接待部门提交来访公函" in page.content.decode()


def test_a_visitors_letter_lands_in_the_inbox_with_a_tracking_link(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = {
        **FORM,
        "scans": [SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"), SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0 jpg")],
    }
    response = visitor().post("/intake/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "公函 苏发改函〔2026〕3号 已提交，等待对口接待单位登记。" in html
    with in_tenant("340100"):
        letter = Letter.objects.get(number=FORM["number"])
        assert (letter.status, letter.contact_name, letter.created_by) == ("submitted_by_visitor", "周九", None)
        assert sorted(a.content_type for a in letter.attachments.all()) == ["application/pdf", "image/jpeg"]
    entry = AuditEntry.objects.filter(chain="340100", action="reception.letter.submitted").latest("sequence")
    assert (entry.actor_id, entry.object_id) == (None, str(letter.pk))
    token = intake_token(schema="j340100", letter_id=letter.pk)
    assert f"http://hefei.localhost/intake/track/{token}/" in html
    track = visitor("198.51.100.1").get(f"/intake/track/{token}/")
    assert track.status_code == 200 and "待登记" in track.content.decode()


def test_tracking_links_are_signed_and_bound_to_their_jurisdiction(tree):
    with in_tenant("340100"):
        from tests.reception.factories import LetterFactory

        letter = LetterFactory()
    token = intake_token(schema="j340100", letter_id=letter.pk)
    assert visitor().get(f"/intake/track/{token}/").status_code == 200
    assert visitor().get(f"/intake/track/{token[:-2]}xx/").status_code == 404
    assert visitor(host="wuhu.localhost").get(f"/intake/track/{token}/").status_code == 404
    forged = intake_token(schema="j340100", letter_id=letter.pk + 1000)
    assert visitor().get(f"/intake/track/{forged}/").status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"purpose": "tourism"},
        {"people_count": "0"},
        {"contact_phone": ""},
        {"number": "x" * 101},
        {"content": "a\x00b"},
    ],
)
def test_bad_submissions_are_400_and_keep_nothing(tree, change):
    before = snapshot()
    assert visitor().post("/intake/", {**FORM, **change}).status_code == 400
    assert snapshot() == before


def test_a_fake_scan_is_refused(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = snapshot()
    response = visitor().post("/intake/", {**FORM, "scans": SimpleUploadedFile("x.pdf", b"<?php echo 1;")})
    refused_page(response, 400, "file_type")
    html = response.content.decode()
    assert re.search(r'id="id_scans_error"[^>]*>\s*<li data-code="file_type">', html)
    assert snapshot() == before


def test_ten_submissions_per_address_per_hour_then_429(tree, settings):
    settings.RECEPTION_INTAKE_PER_HOUR = 10
    for n in range(10):
        assert visitor("192.0.2.50").post("/intake/", {**FORM, "number": f"N{n}"}).status_code == 200
    before = snapshot()
    refused = visitor("192.0.2.50").post("/intake/", {**FORM, "number": "N10"})
    assert refused.status_code == 429 and 'data-testid="throttled"' in refused.content.decode()
    assert snapshot() == before
    assert visitor("192.0.2.51").post("/intake/", {**FORM, "number": "N11"}).status_code == 200


def test_intake_is_only_on_tenant_hosts(tree):
    assert Client(HTTP_HOST="localhost").get("/intake/").status_code == 404


# --- Itinerary --------------------------------------------------------------------------------


@pytest.fixture
def approved(draft):
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="approved")
        PlanItemFactory(
            task=draft, kind="lodging", meal_type="", room_type="standard", venue="稻香楼宾馆", starts_at=at(21)
        )
        PlanItemFactory(
            task=draft, kind="vehicle", meal_type="", venue="市政府南门", starts_at=at(8, 30, draft.end_date)
        )
    return draft


def test_the_itinerary_shows_where_and_when_without_prices(approved):
    token = itinerary_token(schema="j340100", task_id=approved.pk, generation=0)
    page = visitor().get(f"/itinerary/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    for expected in (
        "5月6日",
        "5月7日",
        "12:00",
        "市政府机关食堂",
        "21:00",
        "稻香楼宾馆",
        "08:30",
        "市政府南门",
        "午餐",
    ):
        assert expected in html, expected
    assert "60.00" not in html and "单价" not in html
    assert 'name="viewport"' in html


def test_itinerary_links_are_revocable_and_stay_in_their_jurisdiction(approved):
    token = itinerary_token(schema="j340100", task_id=approved.pk, generation=0)
    assert visitor().get(f"/itinerary/{token}/").status_code == 200
    assert visitor(host="wuhu.localhost").get(f"/itinerary/{token}/").status_code == 404
    assert visitor().get(f"/itinerary/{token}x/").status_code == 404
    with in_tenant("340100"):
        Task.objects.filter(pk=approved.pk).update(itinerary_generation=1)
    assert visitor().get(f"/itinerary/{token}/").status_code == 404


def test_an_itinerary_link_expires(approved, monkeypatch):
    import time

    token = itinerary_token(schema="j340100", task_id=approved.pk, generation=0)
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now + timedelta(days=29).total_seconds())
    assert visitor().get(f"/itinerary/{token}/").status_code == 200
    monkeypatch.setattr("django.core.signing.time.time", lambda: now + timedelta(days=31).total_seconds())
    assert visitor().get(f"/itinerary/{token}/").status_code == 404


def test_a_cancelled_or_draft_task_has_no_itinerary(approved):
    token = itinerary_token(schema="j340100", task_id=approved.pk, generation=0)
    for status in ("cancelled", "draft"):
        with in_tenant("340100"):
            Task.objects.filter(pk=approved.pk).update(status=status)
        assert visitor().get(f"/itinerary/{token}/").status_code == 404
