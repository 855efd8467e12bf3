"""The web pages: each role's page, read-only oversight, forms that send versions, no 500s."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from reception.models import Letter, LetterStatus, PlanItem, Task
from tests.conftest import in_tenant, refused_page, user
from tests.reception.conftest import snapshot
from tests.reception.factories import DAY, LetterFactory, PlanItemFactory, TaskFactory, at

NEXT = DAY + dt.timedelta(days=1)

pytestmark = pytest.mark.django_db

HEFEI = "hefei.localhost"


def browser(username: str | None = None, host: str = HEFEI) -> Client:
    client = Client(HTTP_HOST=host)
    if username:
        client.force_login(user(username))
    return client


def text(response) -> str:
    return response.content.decode()


def test_pages_need_a_login(draft):
    for path in ("/reception/", "/reception/letters/", f"/reception/tasks/{draft.pk}/", "/reception/standards/"):
        response = browser().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("username", ["340200-admin", "340123-drafter", "340000-reviewer"])
def test_others_get_403(draft, username):
    client = browser(username)
    for path in (
        "/reception/",
        "/reception/letters/",
        f"/reception/tasks/{draft.pk}/",
        f"/reception/tasks/{draft.pk}/edit/",
    ):
        assert client.get(path).status_code == 403, path


def test_home_links_to_the_reception_pages_the_role_may_open(tree):
    page = text(browser("340100-reviewer").get("/"))
    assert 'data-testid="shortcuts"' in page
    assert 'href="/reception/review/"' in page
    drafter = text(browser("340100-drafter").get("/"))
    assert 'href="/reception/tasks/new/"' in drafter
    assert 'href="/reception/review/"' not in drafter


# --- Letters ---------------------------------------------------------------------------------


def test_inbox_lists_visitors_letters_for_registration(tree):
    with in_tenant("340100"):
        pending = LetterFactory(number="皖A〔2026〕1号", status=LetterStatus.SUBMITTED_BY_VISITOR)
        LetterFactory(number="皖B〔2026〕2号")
    page = text(browser("340100-counterpart").get("/reception/letters/?status=submitted_by_visitor"))
    assert "有 1 份来访单位提交的公函待登记。" in page
    assert "皖A〔2026〕1号" in page and "皖B〔2026〕2号" not in page
    detail = browser("340100-counterpart").post(f"/reception/letters/{pending.pk}/", {"action": "register"})
    assert detail.status_code == 303
    with in_tenant("340100"):
        assert Letter.objects.get(pk=pending.pk).status == "registered"


def test_inbox_is_paginated_and_filters_survive_bad_values(tree):
    with in_tenant("340100"):
        LetterFactory.create_batch(25)
    client = browser("340100-drafter")
    first = text(client.get("/reception/letters/"))
    assert "第 1 / 2 页，共 25 条" in first
    assert "page=2" in first
    assert client.get("/reception/letters/?page=99&status=bogus&q=%00").status_code == 200


def test_register_a_letter_with_a_scan(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    form = {
        "number": "皖财函〔2026〕8号",
        "sending_unit": "安徽省财政厅",
        "purpose": "inspection_guidance",
        "content": "检查指导预算执行。",
        "itinerary": "",
        "people_count": "3",
        "received_on": "2026-05-02",
        "scans": SimpleUploadedFile("scan.pdf", b"%PDF-1.7 letter"),
    }
    response = browser("340100-counterpart").post("/reception/letters/new/", form)
    assert response.status_code == 303
    with in_tenant("340100"):
        letter = Letter.objects.get(number="皖财函〔2026〕8号")
        assert [a.original_name for a in letter.attachments.all()] == ["scan.pdf"]
    assert browser("340000-supervisor").get(f"/reception/letters/{letter.pk}/").status_code == 200


def test_registration_refuses_bad_input_and_keeps_nothing(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = snapshot()
    bad = {
        "number": "",
        "sending_unit": "单位",
        "purpose": "fun",
        "content": "x",
        "people_count": "-2",
        "received_on": "x",
    }
    response = browser("340100-drafter").post("/reception/letters/new/", bad)
    assert response.status_code == 400
    assert snapshot() == before
    fake = {**bad, "number": "1", "purpose": "perform_task", "people_count": "2", "received_on": "2026-05-01"}
    fake["scans"] = SimpleUploadedFile("x.pdf", b"GIF89a not a pdf")
    response = browser("340100-drafter").post("/reception/letters/new/", fake)
    refused_page(response, 400, "file_type")
    assert snapshot() == before


def test_overseers_see_letters_read_only(tree):
    with in_tenant("340100"):
        letter = LetterFactory(status=LetterStatus.SUBMITTED_BY_VISITOR)
    client = browser("340000-supervisor")
    page = text(client.get(f"/reception/letters/{letter.pk}/"))
    assert 'data-testid="read-only"' in page
    assert "register-letter" not in page
    assert "登记公函" not in text(client.get("/reception/letters/"))
    before = snapshot()
    refused_page(client.post(f"/reception/letters/{letter.pk}/", {"action": "register"}), 403, "forbidden")
    refused_page(client.post("/reception/letters/new/", {}), 403, "forbidden")
    assert snapshot() == before


# --- Tasks ------------------------------------------------------------------------------------


def test_open_a_task_from_a_letter(letter):
    client = browser("340100-counterpart")
    assert letter.number in text(client.get(f"/reception/tasks/new/?letter={letter.pk}"))
    form = {
        "letter": letter.pk,
        "title": "调研接待",
        "level": "bureau",
        "counterpart_unit": "合肥市发改委",
        "start_date": "2026-05-06",
        "end_date": "2026-05-05",
    }
    before = snapshot()
    refused = client.post("/reception/tasks/new/", form)
    # The model's check constraint refuses it on the form, without a code: the form's error list.
    assert refused.status_code == 400 and '<ul class="errorlist nonfield">' in text(refused)
    assert snapshot() == before
    created = client.post("/reception/tasks/new/", {**form, "end_date": "2026-05-07"})
    assert created.status_code == 303
    with in_tenant("340100"):
        task = Task.objects.get(title="调研接待")
    assert created["Location"] == f"/reception/tasks/{task.pk}/edit/"


def test_task_page_shows_status_plan_findings_history_and_the_drafters_actions(draft):
    with in_tenant("340100"):
        item = PlanItemFactory(task=draft, guests_count=2, accompanying_count=4, quantity=6, starts_at=at(12, day=NEXT))
    page = text(browser("340100-drafter").get(f"/reception/tasks/{draft.pk}/"))
    assert 'data-status="draft"' in page and "草稿" in page
    assert "客人 2 人，陪餐最多 3 人，现为 4 人（《党政机关国内公务接待管理规定》第十条" in page
    # Beside the field: in the item's row, in its headcount cell
    row = page.split(f'data-item="{item.pk}"', 1)[1].split("</tbody>", 1)[0]
    assert 'data-code="accompany_limit" data-field="accompanying_count"' in row
    assert 'data-action="reception.task.created"' not in page  # factory rows have no audit history
    assert 'data-testid="submit"' in page and 'data-testid="approve"' not in page
    assert f'name="version" value="{draft.version}"' in page


def test_supervisors_see_the_task_without_write_buttons(draft):
    client = browser("340000-supervisor")
    for path in (f"/reception/tasks/{draft.pk}/", f"/reception/tasks/{draft.pk}/edit/"):
        page = text(client.get(path))
        assert "规则检查" in page
        assert '<form method="post"' not in page.split("</header>", 1)[1].replace("/i18n/setlang/", "")
    before = snapshot()
    for action in ("submit", "approve", "cancel"):
        refused_page(client.post(f"/reception/tasks/{draft.pk}/{action}/", {"reason": "x"}), 403, "forbidden")
    refused_page(client.post(f"/reception/tasks/{draft.pk}/edit/", {"form": "guest"}), 403, "forbidden")
    assert snapshot() == before


def test_editor_adds_an_item_and_shows_the_rule_error_in_chinese(draft):
    client = browser("340100-drafter")
    item = {
        "form": "item",
        "item-kind": "meal",
        "item-starts_at": "2026-05-06T18:00",
        "item-venue": "合肥宾馆",
        "item-meal_type": "dinner",
        "item-guests_count": "2",
        "item-accompanying_count": "1",
        "item-unit_price": "120.00",
        "item-quantity": "3",
        "item-menu": "徽菜",
    }
    response = client.post(f"/reception/tasks/{draft.pk}/edit/", item)
    assert response.status_code == 303
    page = text(client.get(f"/reception/tasks/{draft.pk}/edit/"))
    assert "来宾最高级别为厅局级，晚餐标准 90.00 元/人，现为 120.00 元/人" in page
    assert 'data-code="meal_standard" data-field="unit_price"' in page
    assert "已保存，规则检查已更新。" in page
    refused = client.post(f"/reception/tasks/{draft.pk}/submit/", {"version": current_version(draft)})
    assert refused.status_code == 303
    refused_page(client.get(refused["Location"]), 200, "rules_failed")
    with in_tenant("340100"):
        assert Task.objects.get(pk=draft.pk).status == "draft"


def current_version(task):
    with in_tenant("340100"):
        return Task.objects.get(pk=task.pk).version


def test_editor_refuses_bad_items_with_the_form_again(draft):
    before = snapshot()
    bad = {"form": "item", "item-kind": "meal", "item-starts_at": "x", "item-venue": "", "item-unit_price": "-1"}
    response = browser("340100-drafter").post(f"/reception/tasks/{draft.pk}/edit/", bad)
    assert response.status_code == 400
    assert 'data-testid="add-item"' in text(response)
    assert snapshot() == before


def test_editing_an_item_sends_its_version_and_a_stale_one_is_refused(draft):
    with in_tenant("340100"):
        item = PlanItem.objects.get(task=draft)
    client = browser("340100-drafter")
    form_page = text(client.get(f"/reception/tasks/{draft.pk}/item/{item.pk}/"))
    assert re.search(r'name="item-version" value="1"', form_page)
    fields = {
        "item-kind": "meal",
        "item-starts_at": "2026-05-06T12:00",
        "item-venue": "新食堂",
        "item-meal_type": "lunch",
        "item-guests_count": "2",
        "item-accompanying_count": "1",
        "item-unit_price": "50",
        "item-quantity": "3",
        "item-version": "1",
    }
    assert client.post(f"/reception/tasks/{draft.pk}/item/{item.pk}/", fields).status_code == 303
    before = snapshot()
    stale = client.post(f"/reception/tasks/{draft.pk}/item/{item.pk}/", {**fields, "item-venue": "旧食堂"})
    assert stale.status_code == 303
    refused_page(client.get(stale["Location"]), 200, "stale_version")
    assert snapshot() == before
    delete = {"form": "delete", "part": "item", "object_id": item.pk, "version": "1"}
    client.post(f"/reception/tasks/{draft.pk}/edit/", delete)
    assert snapshot() == before
    client.post(f"/reception/tasks/{draft.pk}/edit/", {**delete, "version": "2"})
    with in_tenant("340100"):
        assert not PlanItem.objects.filter(pk=item.pk).exists()


def test_unknown_objects_and_parts_are_404_not_500(draft):
    client = browser("340100-drafter")
    assert client.get(f"/reception/tasks/{draft.pk}/item/999999/").status_code == 404
    assert client.get(f"/reception/tasks/{draft.pk}/nothing/1/").status_code == 404
    assert client.get("/reception/tasks/999999/").status_code == 404
    assert client.get("/reception/tasks/999999/edit/").status_code == 404
    refused_page(client.post(f"/reception/tasks/{draft.pk}/edit/", {"form": "bogus"}), 404, "not_found")
    assert (
        client.post(
            f"/reception/tasks/{draft.pk}/edit/", {"form": "delete", "part": "item", "object_id": "x"}
        ).status_code
        == 404
    )
    refused_page(browser("340100-reviewer").post(f"/reception/tasks/{draft.pk}/bogus/"), 404, "not_found")
    assert client.get(f"/reception/tasks/{draft.pk}/submit/").status_code == 405
    assert client.get(f"/reception/tasks/{draft.pk}/itinerary-link/").status_code == 405


def test_review_queue_approves_and_returns_with_a_comment(tree):
    with in_tenant("340100"):
        one, two = TaskFactory(status="submitted"), TaskFactory(status="submitted")
        TaskFactory(status="draft", title="草稿任务")
    client = browser("340100-reviewer")
    queue = text(client.get("/reception/review/"))
    assert "待审核的接待方案" in queue and "草稿任务" not in queue
    assert (
        client.post(f"/reception/tasks/{one.pk}/approve/", {"version": 1, "next": "/reception/review/"})["Location"]
        == "/reception/review/"
    )
    empty = client.post(f"/reception/tasks/{two.pk}/return/", {"version": 1, "comment": ""})
    refused_page(client.get(empty["Location"]), 200, "required")
    client.post(f"/reception/tasks/{two.pk}/return/", {"version": 1, "comment": "请压缩用餐标准"})
    with in_tenant("340100"):
        assert {t.pk: t.status for t in Task.objects.filter(pk__in=[one.pk, two.pk])} == {
            one.pk: "approved",
            two.pk: "returned",
        }
    page = text(browser("340100-drafter").get(f"/reception/tasks/{two.pk}/"))
    assert "请压缩用餐标准" in page


def test_the_handlers_list_shows_assigned_tasks(tree):
    handler = user("340100-handler")
    with in_tenant("340100"):
        mine = TaskFactory(status="in_progress", handler=handler, title="我的任务")
        TaskFactory(status="in_progress", title="别人的任务")
    page = text(browser("340100-handler").get("/reception/assigned/"))
    assert "我的任务" in page and "别人的任务" not in page
    assert f"/reception/tasks/{mine.pk}/" in page


def test_assign_from_the_task_page(draft):
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="approved")
    client = browser("340100-admin")
    page = text(client.get(f"/reception/tasks/{draft.pk}/"))
    assert 'option value="340100-handler"' in page
    client.post(f"/reception/tasks/{draft.pk}/assign/", {"handler": "340100-handler", "version": 1})
    with in_tenant("340100"):
        task = Task.objects.get(pk=draft.pk)
    assert (task.status, task.handler.username) == ("in_progress", "340100-handler")


# --- Standards ------------------------------------------------------------------------------


def test_standards_page_and_the_admin_publishes_a_version(tree):
    client = browser("340100-admin")
    page = text(client.get("/reception/standards/"))
    assert "陪餐：客人 10 人以内，陪餐不超过 3 人；超过 10 人，不超过客人数的 1/3。" in page
    form = re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page)
    data = {name: value for name, value in form if name != "csrfmiddlewaretoken"}
    data.update(ceiling_bureau_lunch="80.00", suite_grades=["provincial_ministerial"], banned_menu_words="鱼翅\n白酒")
    data.update(banned_activity_words="旅游", note="压缩标准")
    response = client.post("/reception/standards/", data)
    assert response.status_code == 303, text(response)
    after = text(client.get("/reception/standards/"))
    assert "第 2 版" in after and "压缩标准" in after and "白酒" in after
    assert 'data-testid="standard-form"' not in text(browser("340100-drafter").get("/reception/standards/"))
    refused_page(browser("340100-drafter").post("/reception/standards/", data), 403, "forbidden")
    refused_page(browser("340000-admin").post("/reception/standards/", data), 403, "forbidden")


def test_the_task_list_puts_what_needs_action_first_with_coloured_badges(tree):
    with in_tenant("340100"):
        for title, status, start in [
            ("已结算的", "settled", DAY),
            ("待审核的", "submitted", DAY + dt.timedelta(days=3)),
            ("已取消的", "cancelled", DAY),
            ("承办中的", "in_progress", DAY),
            ("变更待审核的", "amendment_submitted", DAY),
            ("变更中的", "amending", DAY),
            ("退回的", "returned", DAY + dt.timedelta(days=9)),
            ("较早待审核的", "submitted", DAY),
        ]:
            TaskFactory(title=title, status=status, start_date=start, end_date=start)
    page = text(browser("340100-reviewer").get("/reception/"))
    titles = re.findall(r'<a href="/reception/tasks/\d+/">([^<]+)</a>', page)
    # an amendment waiting for review with the plans waiting; one being drafted with the drafts
    expected = ["退回的", "较早待审核的", "待审核的", "变更待审核的", "变更中的", "承办中的", "已结算的", "已取消的"]
    assert titles == expected
    badges = re.findall(r'<span class="badge status-(\w+)" data-status="\w+">', page)
    assert badges == [
        "returned",
        "submitted",
        "submitted",
        "amendment_submitted",
        "amending",
        "in_progress",
        "settled",
        "cancelled",
    ]
    # The API keeps its newest-first order
    from tests.conftest import api

    newest = api("340100", "340100-reviewer").get("/api/v1/tasks/").json()["results"]
    assert [t["title"] for t in newest][:2] == ["较早待审核的", "退回的"]
