"""Meetings through the API: the meeting's settings, the .xlsx roster (row-by-row errors, nothing
imported from a bad file unless asked to skip bad rows), invitations and notices."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core.models import AuditEntry, Notification
from reception.models import Guest, GuestStay, MeetingNotice
from reception.roster import read_roster
from tests.conftest import api, in_tenant, refused
from tests.reception.arrangements import CLOSED_STATES, NOT_ARRANGERS, client, full_snapshot, set_status
from tests.reception.conftest import task_url

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "单位", "职务", "级别", "手机号", "抵达时间", "离开时间"]


def workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ["张三", "安徽省财政厅", "处长", "县处级", "13800000011", "2026-05-06 09:30", "2026-05-07 17:00"],
    ["李梅", "安徽省财政厅", "副厅长", "bureau", 13800000012, dt.datetime(2026, 5, 6, 8), dt.date(2026, 5, 8)],
    ["王强", "财政部预算司", "司长", "省部级", None, None, None],
]


def upload(content: bytes, name="roster.xlsx"):
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def import_roster(task, content, role="drafter", **fields):
    return client(role).post(task_url(task, "roster/"), {"file": upload(content), **fields}, format="multipart")


# --- The roster -------------------------------------------------------------------------------


def test_a_good_roster_imports_every_guest_with_phones_and_stays(meeting_task):
    response = import_roster(meeting_task, workbook(GOOD))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["imported"], body["skipped"]) == (3, [])
    assert [(g["name"], g["grade"], g["phone"]) for g in body["guests"]] == [
        ("张三", "division", "13800000011"),
        ("李梅", "bureau", "13800000012"),
        ("王强", "provincial_ministerial", ""),
    ]
    assert body["guests"][0]["arrives_at"] == "2026-05-06T09:30:00+08:00"
    assert body["guests"][1]["departs_at"] == "2026-05-08T00:00:00+08:00"
    assert body["guests"][2]["arrives_at"] is None
    with in_tenant("340100"):
        assert Guest.objects.filter(task=meeting_task).count() == 8
        assert GuestStay.objects.count() == 2
    entry = AuditEntry.objects.get(chain="340100", action="reception.roster.imported")
    assert (entry.after["imported"], entry.after["skipped_rows"]) == (3, [])
    assert client("drafter").get(task_url(meeting_task)).json()["version"] == 2


BAD = [
    *GOOD,
    ["", "安徽省财政厅", "科员", "乡科级", "", "", ""],  # row 5: no name
    ["赵六", "安徽省财政厅", "科员", "科级", "", "", ""],  # row 6: unknown grade
    ["钱七", "安徽省财政厅", "科员", "乡科级", "call me", "", ""],  # row 7: phone
    ["孙八", "安徽省财政厅", "科员", "乡科级", "", "明天", "2026-05-01"],  # row 8: arrival
    ["周九", "安徽省财政厅", "科员", "乡科级", "", "2026-05-07 09:00", "2026-05-06 09:00"],  # row 9
    ["张三", "安徽省财政厅", "处长", "县处级", "", "", ""],  # row 10: repeats row 2
    ["赵一", "省财政厅", "处长", "县处级", "", "", ""],  # row 11: already a guest of the task
    ["吴十", "单" * 201, "科员", "乡科级", "", "", ""],  # row 12: unit too long
]
EXPECTED_ERRORS = [
    {"row": 5, "column": "姓名", "code": "required", "message": "“姓名”不能为空。"},
    {"row": 6, "column": "级别", "code": "invalid_grade", "message": "级别应为省部级、厅局级、县处级、乡科级或其他。"},
    {"row": 7, "column": "手机号", "code": "invalid_phone", "message": "手机号格式不正确。"},
    {
        "row": 8,
        "column": "抵达时间",
        "code": "invalid_datetime",
        "message": "“抵达时间”不是有效的日期时间（如 2026-05-06 09:30）。",
    },
    {"row": 9, "column": "离开时间", "code": "departure_before_arrival", "message": "离开时间不能早于抵达时间。"},
    {"row": 10, "column": "姓名", "code": "duplicate", "message": "与第 2 行重复（同名同单位）。"},
    {"row": 11, "column": "姓名", "code": "duplicate", "message": "该来宾已在名单中。"},
    {"row": 12, "column": "单位", "code": "too_long", "message": "“单位”过长（最多 200 字）。"},
]


def test_a_bad_roster_reports_every_bad_row_and_imports_nothing(meeting_task):
    before = full_snapshot()
    response = import_roster(meeting_task, workbook(BAD))
    assert response.status_code == 400
    assert response.json() == {
        "detail": "名单有误，未导入任何来宾。",
        "code": "roster_invalid",
        "errors": EXPECTED_ERRORS,
    }
    assert full_snapshot() == before


def test_asked_to_skip_bad_rows_it_imports_the_good_ones_and_lists_the_rest(meeting_task):
    response = import_roster(meeting_task, workbook(BAD), skip_bad_rows="true")
    assert response.status_code == 201
    assert response.json()["imported"] == 3
    assert response.json()["skipped"] == EXPECTED_ERRORS
    assert AuditEntry.objects.get(chain="340100", action="reception.roster.imported").after["skipped_rows"] == list(
        range(5, 13)
    )


def test_headers_in_english_and_in_any_order(meeting_task):
    content = workbook([["bureau", "陈一", "处长", "省统计局"]], header=["grade", "name", "post", "unit"])
    response = import_roster(meeting_task, content)
    assert response.status_code == 201
    assert response.json()["guests"][0] | {"id": 0} == {
        "id": 0,
        "name": "陈一",
        "unit": "省统计局",
        "post": "处长",
        "grade": "bureau",
        "phone": "",
        "version": 1,
        "arrives_at": None,
        "departs_at": None,
    }


@pytest.mark.parametrize(
    "content, code",
    [
        (b"name,unit\n", "not_xlsx"),
        (b"PK\x03\x04 but not a zip", "not_xlsx"),
        (b"%PDF-1.7", "not_xlsx"),
        (b"", "not_xlsx"),
    ],
)
def test_a_file_that_is_not_xlsx_is_400_on_file(meeting_task, content, code):
    before = full_snapshot()
    response = import_roster(meeting_task, content)
    assert response.status_code == 400 and "file" in response.json()
    assert full_snapshot() == before


def test_missing_columns_empty_rosters_and_no_file_are_400(meeting_task):
    before = full_snapshot()
    missing = import_roster(
        meeting_task, workbook([["张三", "省财政厅"]], header=["姓名", "单位"]), skip_bad_rows="true"
    )
    assert missing.status_code == 400
    assert [(e["row"], e["column"], e["code"]) for e in missing.json()["errors"]] == [
        (1, "职务", "missing_column"),
        (1, "级别", "missing_column"),
    ]
    before = full_snapshot()
    empty = import_roster(meeting_task, workbook([]))
    assert refused(empty, 400, "roster_invalid")["errors"] == []  # no bad row: no guest at all
    assert full_snapshot() == before
    refused(client("drafter").post(task_url(meeting_task, "roster/"), {}, format="multipart"), 400, "required")
    refused(
        client("drafter").post(task_url(meeting_task, "roster/"), {"file": "x"}, format="json"),
        415,
        "unsupported_media_type",
    )
    assert full_snapshot() == before


def test_roster_follows_the_guest_list_rules_drafter_while_editable(meeting_task):
    before = full_snapshot()
    for role in ("handler", "reviewer", "admin", "supervisor", "counterpart"):
        refused(import_roster(meeting_task, workbook(GOOD), role=role), 403, "permission_denied")
    assert (
        api("340100", "340000-supervisor")
        .post(task_url(meeting_task, "roster/"), {"file": upload(workbook(GOOD))}, format="multipart")
        .status_code
        == 403
    )
    assert full_snapshot() == before
    set_status(meeting_task, "approved")
    before = full_snapshot()
    refused(import_roster(meeting_task, workbook(GOOD)), 409, "not_editable")
    assert full_snapshot() == before
    assert (
        client("drafter", "340200")
        .post(task_url(meeting_task, "roster/"), {"file": upload(workbook(GOOD))}, format="multipart")
        .status_code
        == 404
    )


def test_the_template_reads_back_as_a_valid_roster(meeting_task):
    response = client("counterpart").get(task_url(meeting_task, "roster/template.xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADER
    roster = read_roster(response.content)
    assert (roster.errors, [r.name for r in roster.rows]) == ([], ["张三"])


def test_a_thousand_row_roster_imports_in_a_few_seconds(meeting_task):
    import time

    rows = [
        [f"代表{n}", f"单位{n % 40}", "处长", "县处级", f"139{n:08d}", "2026-05-06 09:00", "2026-05-07 12:00"]
        for n in range(1000)
    ]
    content = workbook(rows)
    started = time.perf_counter()
    response = import_roster(meeting_task, content)
    assert response.status_code == 201 and response.json()["imported"] == 1000
    assert time.perf_counter() - started < 10  # the benchmark holds it to 5 s on a quiet machine


# --- The meeting ------------------------------------------------------------------------------


def test_a_task_becomes_a_meeting(meeting_task):
    url = task_url(meeting_task, "meeting/")
    assert client("drafter").get(url).status_code == 404
    made = client("handler").put(url, {"venue": "安徽大剧院", "international": True}, format="json")
    assert made.status_code == 200
    assert {k: made.json()[k] for k in ("task", "venue", "international", "guests_count", "version")} == {
        "task": meeting_task.pk,
        "venue": "安徽大剧院",
        "international": True,
        "guests_count": 5,
        "version": 1,
    }
    changed = client("drafter").put(url, {"venue": "省政务中心", "version": 1}, format="json")
    assert (changed.json()["venue"], changed.json()["international"], changed.json()["version"]) == (
        "省政务中心",
        False,
        2,
    )
    before = full_snapshot()
    refused(client("drafter").put(url, {"venue": "旧", "version": 1}, format="json"), 409, "stale_version")
    refused(client("drafter").put(url, {"venue": "会" * 201}, format="json"), 400, "max_length")
    refused(client("drafter").put(url, {"international": "maybe"}, format="json"), 400, "invalid")
    refused(client("reviewer").put(url, {"venue": "x"}, format="json"), 403, "permission_denied")
    assert api("340100", "340000-supervisor").get(url).status_code == 200
    assert full_snapshot() == before
    set_status(meeting_task, "settled")
    before = full_snapshot()
    refused(client("drafter").put(url, {"venue": "x"}, format="json"), 409, "not_arrangeable")
    assert full_snapshot() == before


# --- Invitations and notices ------------------------------------------------------------------


def test_an_invitation_goes_to_every_guest_with_a_phone(meeting_task):
    client("drafter").put(task_url(meeting_task, "meeting/"), {"venue": "安徽大剧院"}, format="json")
    response = client("handler").post(task_url(meeting_task, "notices/"), {"kind": "invitation"}, format="json")
    assert response.status_code == 201, response.json()
    notice = response.json()
    assert (notice["kind"], notice["recipients"], notice["sent_by"]) == ("invitation", 2, "340100-handler")
    assert notice["subject"] == "会议邀请：全省财政工作会议"
    assert "地点 安徽大剧院" in notice["body"]
    sms = Notification.objects.filter(event="reception.meeting.invitation")
    assert sorted(sms.values_list("channel", "address")) == [("sms", "13800000001"), ("sms", "13800000003")]
    assert "/itinerary/" not in sms.first().body  # no link before approval
    assert client("supervisor").get(task_url(meeting_task, "notices/")).json()[0]["id"] == notice["id"]


def test_a_notice_after_approval_carries_the_itinerary_link(meeting_task):
    set_status(meeting_task, "in_progress")
    body = {"kind": "notice", "subject": "报到通知", "body": "请于5月6日9时前到市政务中心报到。"}
    assert client("drafter").post(task_url(meeting_task, "notices/"), body, format="json").status_code == 201
    sms = Notification.objects.filter(event="reception.meeting.notice").first()
    assert sms.subject == "报到通知"
    # The SMS reads "subject：body link"; the link is absolute.
    assert sms.body.startswith("报到通知：请于5月6日9时前到市政务中心报到。")
    assert "http://hefei.localhost:8000/itinerary/" in sms.body
    assert sms.task_id == meeting_task.pk


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "notice"}, "body"),
        ({"kind": "notice", "body": "  "}, "body"),
        ({"kind": "memo", "body": "x"}, "kind"),
        ({"kind": "notice", "body": "x", "subject": "题" * 201}, "subject"),
        ({"kind": "notice", "body": "a\x00b"}, "body"),
        ({"kind": "notice", "body": ["x"]}, "body"),
    ],
)
def test_bad_notices_are_400_and_tell_nobody(meeting_task, body, field):
    before = full_snapshot()
    response = client("drafter").post(task_url(meeting_task, "notices/"), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert full_snapshot() == before


@pytest.mark.parametrize("role", NOT_ARRANGERS)
def test_other_roles_may_not_send(meeting_task, role):
    before = full_snapshot()
    assert (
        client(role).post(task_url(meeting_task, "notices/"), {"kind": "invitation"}, format="json").status_code == 403
    )
    assert full_snapshot() == before


@pytest.mark.parametrize("state", CLOSED_STATES)
def test_no_notices_once_settled_or_cancelled(meeting_task, state):
    set_status(meeting_task, state)
    before = full_snapshot()
    assert (
        client("drafter").post(task_url(meeting_task, "notices/"), {"kind": "invitation"}, format="json").status_code
        == 409
    )
    assert full_snapshot() == before
    with in_tenant("340100"):
        assert MeetingNotice.objects.count() == 0


def test_other_jurisdictions_may_not_send(meeting_task):
    before = full_snapshot()
    assert (
        api("340100", "340200-drafter")
        .post(task_url(meeting_task, "notices/"), {"kind": "invitation"}, format="json")
        .status_code
        == 403
    )
    assert (
        api("340100", "340000-supervisor")
        .post(task_url(meeting_task, "notices/"), {"kind": "invitation"}, format="json")
        .status_code
        == 403
    )
    assert (
        client("drafter", "340200")
        .post(task_url(meeting_task, "notices/"), {"kind": "invitation"}, format="json")
        .status_code
        == 404
    )
    assert full_snapshot() == before


def test_the_openapi_document_stays_valid_and_names_every_new_operation(tree, tmp_path):
    from django.core.management import call_command
    from django.test import Client

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    paths = Client(HTTP_HOST="hefei.localhost").get("/api/schema/?format=json").json()["paths"]
    for path, methods in {
        "/api/v1/tasks/{task_id}/schedule/": {"get", "post"},
        "/api/v1/tasks/{task_id}/schedule/{entry_id}/": {"get", "patch", "delete"},
        "/api/v1/tasks/{task_id}/schedule/history/": {"get"},
        "/api/v1/tasks/{task_id}/lodging/allocate/": {"post"},
        "/api/v1/tasks/{task_id}/lodging/place/": {"post"},
        "/api/v1/tasks/{task_id}/seating/": {"get", "post"},
        "/api/v1/tasks/{task_id}/seating.pdf": {"get"},
        "/api/v1/tasks/{task_id}/roster/": {"post"},
        "/api/v1/tasks/{task_id}/notices/": {"get", "post"},
        "/api/v1/tasks/{task_id}/meeting/": {"get", "put"},
        "/api/v1/tasks/{task_id}/suggestions/": {"get"},
        "/api/v1/resources/": {"get", "post"},
        "/api/v1/resources/{resource_id}/": {"get", "patch", "delete"},
        "/api/v1/guests/": {"get"},
        "/api/v1/seating/convention/": {"get", "put"},
    }.items():
        assert methods <= set(paths[path]), path
        assert all(paths[path][method]["operationId"] for method in methods)
