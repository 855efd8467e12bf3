"""The pages of issue 8: meeting and roster, schedule, room grid, seating chart, suggestions, the
resource library and the guest database. Each role's view, read-only oversight, forms that post
to the services, refusals shown, no 500s."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from pypdf import PdfReader

from reception.models import LodgingAllocation, Meeting, ScheduleEntry, SeatingChart
from tests.conftest import in_tenant, refused_page
from tests.reception.arrangements import full_snapshot, set_status
from tests.reception.test_views import browser, text

pytestmark = pytest.mark.django_db


def page(task, section):
    return f"/reception/tasks/{task.pk}/{section}/"


SECTIONS = ("meeting", "schedule", "lodging", "seating", "suggestions")


@pytest.mark.parametrize("section", SECTIONS)
def test_every_member_and_overseer_reads_the_pages(meeting_task, section):
    for username in ("340100-drafter", "340100-counterpart", "340100-finance", "340000-supervisor"):
        response = browser(username).get(page(meeting_task, section))
        assert response.status_code == 200, (username, section)
        assert "全省财政工作会议" in text(response)
    assert browser("340200-drafter").get(page(meeting_task, section)).status_code == 403
    assert browser().get(page(meeting_task, section)).status_code == 302
    assert browser("340100-drafter").get(f"/reception/tasks/999999/{section}/").status_code == 404


def test_the_task_page_links_to_the_arrangements(meeting_task):
    html = text(browser("340100-drafter").get(f"/reception/tasks/{meeting_task.pk}/"))
    for section in SECTIONS:
        assert page(meeting_task, section) in html
    nav = text(browser("340100-finance").get("/reception/"))
    assert "/reception/resources/" in nav and "/reception/guests/" in nav


def test_overseers_and_other_roles_see_no_forms_and_may_not_post(meeting_task):
    html = text(browser("340000-supervisor").get(page(meeting_task, "schedule")))
    assert 'data-testid="schedule-form"' not in html and 'data-testid="read-only-arrangement"' in html
    before = full_snapshot()
    body = {
        "form": "entry",
        "entry-starts_at": "2026-05-06T09:00",
        "entry-ends_at": "2026-05-06T10:00",
        "entry-title": "会",
        "entry-venue": "厅",
    }
    refused_page(browser("340000-supervisor").post(page(meeting_task, "schedule"), body), 403, "forbidden")
    refused_page(browser("340100-reviewer").post(page(meeting_task, "schedule"), body), 403, "forbidden")
    assert full_snapshot() == before


def test_the_meeting_page_saves_the_meeting_and_sends_an_invitation(meeting_task):
    client = browser("340100-handler")
    response = client.post(
        page(meeting_task, "meeting"), {"form": "meeting", "venue": "安徽大剧院", "international": "on"}
    )
    assert response.status_code == 303
    with in_tenant("340100"):
        assert Meeting.objects.filter(task=meeting_task, venue="安徽大剧院", international=True).exists()
    client.post(page(meeting_task, "meeting"), {"form": "notice", "kind": "invitation"}, follow=True)
    html = text(client.get(page(meeting_task, "meeting")))
    assert "会议邀请：全省财政工作会议" in html and "2 人" in html


def roster(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "单位", "职务", "级别"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_roster_page_shows_each_bad_row_and_imports_nothing(meeting_task):
    content = roster([["陈一", "省统计局", "处长", "县处级"], ["陈二", "省统计局", "处长", "王级"]])
    before = full_snapshot()
    response = browser("340100-drafter").post(
        page(meeting_task, "meeting"), {"form": "roster", "file": SimpleUploadedFile("r.xlsx", content)}
    )
    assert response.status_code == 400
    html = text(response)
    assert 'data-testid="roster-errors"' in html
    assert '<tr data-code="invalid_grade"><td>3</td><td>级别</td>' in html
    assert full_snapshot() == before
    skipped = browser("340100-drafter").post(
        page(meeting_task, "meeting"),
        {"form": "roster", "file": SimpleUploadedFile("r.xlsx", content), "skip_bad_rows": "on"},
        follow=True,
    )
    assert "已导入 1 位来宾。跳过有误的行：3。" in text(skipped) and "陈一" in text(skipped)


def test_a_file_that_is_not_xlsx_is_refused_on_the_page(meeting_task):
    before = full_snapshot()
    response = browser("340100-drafter").post(
        page(meeting_task, "meeting"), {"form": "roster", "file": SimpleUploadedFile("r.xlsx", b"not a workbook")}
    )
    refused_page(response, 400, "not_xlsx")
    assert full_snapshot() == before


def test_the_schedule_page_adds_edits_deletes_and_shows_the_history(meeting_task):
    client = browser("340100-drafter")
    body = {
        "form": "entry",
        "entry-starts_at": "2026-05-06T09:00",
        "entry-ends_at": "2026-05-06T11:00",
        "entry-title": "开幕式",
        "entry-venue": "大剧院",
    }
    assert client.post(page(meeting_task, "schedule"), body).status_code == 303
    with in_tenant("340100"):
        entry = ScheduleEntry.objects.get(task=meeting_task)
    edit = text(client.get(page(meeting_task, "schedule") + f"?edit={entry.pk}"))
    assert f'name="entry" value="{entry.pk}"' in edit
    stale = {**body, "entry": entry.pk, "entry-title": "开幕式（改）", "entry-version": 1}
    client.post(page(meeting_task, "schedule"), stale)
    refused = client.post(page(meeting_task, "schedule"), {**stale, "entry-title": "旧稿"}, follow=True)
    refused_page(refused, 200, "stale_version")
    wrong = client.post(page(meeting_task, "schedule"), {**body, "entry-ends_at": "2026-05-06T08:00"}, follow=True)
    refused_page(wrong, 200, "end_before_start")
    client.post(page(meeting_task, "schedule"), {"form": "delete", "entry": entry.pk, "version": 2})
    html = text(client.get(page(meeting_task, "schedule")))
    assert html.count('data-testid="schedule-row"') == 0  # the wrong one was refused, the first deleted
    history = html.split('data-testid="schedule-history"')[1]
    assert history.count("<li>") == 3 and "开幕式（改）" in history  # added, changed, deleted


def test_the_lodging_page_allocates_and_moves_guests(meeting_task, hotel):
    client = browser("340100-drafter")
    response = client.post(
        page(meeting_task, "lodging"),
        {"form": "allocate", "provider": hotel.pk, "rooms": "801 套间\n601\n602 标准间\n701\n702"},
    )
    assert response.status_code == 303
    html = text(client.get(page(meeting_task, "lodging")))
    # the form offers the task's nights, and room types by their names
    assert f'name="check_in" value="{meeting_task.start_date:%Y-%m-%d}"' in html
    assert f'name="check_out" value="{meeting_task.end_date:%Y-%m-%d}"' in html
    assert html.count('data-testid="room"') == 5 and 'data-testid="room-grid"' in html
    assert "未分配的来宾（0）" in html
    with in_tenant("340100"):
        guest = meeting_task.guests.get(name="钱二")
    refused = client.post(
        page(meeting_task, "lodging"),
        {"form": "place", "provider": hotel.pk, "guest": guest.pk, "room": "801", "version": 1},
        follow=True,
    )
    refused_page(refused, 200, "suite_not_allowed")
    bad = client.post(
        page(meeting_task, "lodging"), {"form": "allocate", "provider": hotel.pk, "rooms": "601 palace"}, follow=True
    )
    refused_page(bad, 200, "invalid_room")
    dup = client.post(
        page(meeting_task, "lodging"), {"form": "allocate", "provider": hotel.pk, "rooms": "601\n601"}, follow=True
    )
    refused_page(dup, 200, "duplicate_room")
    with in_tenant("340100"):
        assert LodgingAllocation.objects.get().version == 1


def test_the_seating_page_generates_swaps_and_prints(meeting_task):
    client = browser("340100-handler")
    assert client.post(page(meeting_task, "seating"), {"form": "generate", "layout": "podium"}).status_code == 303
    html = text(client.get(page(meeting_task, "seating")))
    assert html.count('data-testid="seat"') == 5 and 'id="swap-form"' in html
    client.post(
        page(meeting_task, "seating"), {"form": "swap", "layout": "podium", "a": "1-0", "b": "1-2", "version": 1}
    )
    with in_tenant("340100"):
        chart = SeatingChart.objects.get()
        assert (chart.version, chart.seats[0]["name"]) == (2, "孙三")
    banquet = text(client.get(page(meeting_task, "seating") + "?layout=banquet"))
    assert 'data-testid="table"' in banquet and "预览" in banquet
    pdf = client.get(f"/reception/tasks/{meeting_task.pk}/seating.pdf?layout=podium")
    assert pdf["Content-Type"] == "application/pdf"
    assert "孙三" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert client.get(f"/reception/tasks/{meeting_task.pk}/seating.pdf?layout=round").status_code == 404


def test_only_the_admin_sets_the_seating_convention_on_the_page(meeting_task):
    assert 'action="/reception/seating/convention/"' not in text(
        browser("340100-drafter").get(page(meeting_task, "seating"))
    )
    refused_page(
        browser("340100-drafter").post("/reception/seating/convention/", {"senior_side": "right"}), 403, "forbidden"
    )
    response = browser("340100-admin").post(
        "/reception/seating/convention/", {"senior_side": "right", "next": page(meeting_task, "seating")}
    )
    assert response.status_code == 303 and response["Location"] == page(meeting_task, "seating")
    assert "以右为上" in text(browser("340100-drafter").get(page(meeting_task, "seating")))


@pytest.mark.parametrize("state", ["settled", "cancelled"])
def test_closed_tasks_show_no_forms(meeting_task, state):
    set_status(meeting_task, state)
    html = text(browser("340100-drafter").get(page(meeting_task, "lodging")))
    assert 'data-testid="allocate"' not in html and 'data-testid="read-only-arrangement"' in html


def test_the_library_pages(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = browser("340100-admin")
    created = admin.post("/reception/resources/", {"kind": "hotel", "name": "稻香楼宾馆", "address": "合肥市"})
    assert created.status_code == 303
    listing = text(browser("340100-counterpart").get("/reception/resources/?q=稻香"))
    assert "稻香楼宾馆" in listing and 'data-testid="add-resource"' not in listing
    from reception.models import Resource

    with in_tenant("340100"):
        hotel_id = Resource.objects.get().pk
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (20, 10)).save(image, "PNG")
    plan = admin.post(
        "/reception/resources/",
        {
            "kind": "floor_plan",
            "name": "一楼",
            "parent": hotel_id,
            "image": SimpleUploadedFile("p.png", image.getvalue()),
        },
    )
    assert plan.status_code == 303
    detail = text(browser("340100-drafter").get(f"/reception/resources/{hotel_id}/"))
    assert "一楼" in detail
    bad = admin.post("/reception/resources/", {"kind": "dish", "name": "清蒸鱼翅"})
    refused_page(bad, 400, "banned_item")
    refused_page(
        browser("340100-drafter").post("/reception/resources/", {"kind": "site", "name": "x"}), 403, "forbidden"
    )
    assert browser("340000-supervisor").get("/reception/resources/").status_code == 200
    deleted = admin.post(f"/reception/resources/{hotel_id}/", {"form": "delete", "version": 1})
    assert deleted.status_code == 303
    with in_tenant("340100"):
        assert Resource.objects.count() == 0


def test_the_guest_database_page(meeting_task):
    html = text(browser("340100-finance").get("/reception/guests/?q=财政部"))
    assert "孙三" in html and "赵一" not in html
    assert browser("340200-finance").get("/reception/guests/").status_code == 403


def test_the_plan_editor_offers_the_librarys_venues_and_dishes(draft):
    admin = browser("340100-admin")
    admin.post("/reception/resources/", {"kind": "restaurant", "name": "市政府机关食堂", "address": "合肥市"})
    from reception.models import Resource

    with in_tenant("340100"):
        restaurant = Resource.objects.get().pk
    admin.post("/reception/resources/", {"kind": "dish", "name": "臭鳜鱼", "parent": restaurant, "price": "68"})
    html = text(browser("340100-drafter").get(f"/reception/tasks/{draft.pk}/edit/"))
    assert '<datalist id="library-venues"><option value="市政府机关食堂">' in html
    assert '<option value="臭鳜鱼">臭鳜鱼（市政府机关食堂，68.00 元）</option>' in html
