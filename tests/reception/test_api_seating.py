"""Seating charts through the API: generated from the guests by rank, saved, edited by swapping,
the side from the request, the event or the jurisdiction, printed as a PDF with names."""

from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader

from core.models import AuditEntry
from reception.models import SeatingChart
from tests.conftest import api, count_queries, in_tenant, refused
from tests.reception.arrangements import CLOSED_STATES, NOT_ARRANGERS, OPEN_STATES, client, full_snapshot, set_status
from tests.reception.conftest import task_url
from tests.reception.factories import GuestFactory

pytestmark = pytest.mark.django_db

# meeting_task's guests by rank: 孙三 (省部级), 钱二 (厅局级), 赵一, 周五 (县处级, list order), 李四 (乡科级)
PODIUM_READING = ["李四", "赵一", "孙三", "钱二", "周五"]  # 5 seats read 5 3 1 2 4


def generate(task, role="drafter", **body):
    return client(role).post(task_url(task, "seating/"), {"layout": "podium", **body}, format="json")


def names(chart):
    return [seat["name"] for seat in chart["seats"]]


def test_a_podium_from_the_guests_by_rank(meeting_task):
    response = generate(meeting_task)
    assert response.status_code == 201, response.json()
    chart = response.json()
    assert (chart["layout"], chart["side"], chart["version"], chart["stale"]) == ("podium", "left", 1, False)
    assert [(s["index"], s["rank"], s["name"], s["row"]) for s in chart["seats"]] == [
        (0, 5, "李四", 1),
        (1, 3, "赵一", 1),
        (2, 1, "孙三", 1),
        (3, 2, "钱二", 1),
        (4, 4, "周五", 1),
    ]
    assert client("supervisor").get(task_url(meeting_task, "seating/?layout=podium")).json()["seats"] == chart["seats"]
    assert AuditEntry.objects.filter(chain="340100", action="reception.seating.generated").count() == 1


def test_the_side_from_the_request_the_event_or_the_jurisdiction(meeting_task):
    assert names(generate(meeting_task, side="right").json()) == PODIUM_READING[::-1]
    # the per-event switch: international practice takes the right as senior
    assert (
        client("drafter").put(task_url(meeting_task, "meeting/"), {"international": True}, format="json").status_code
        == 200
    )
    assert names(generate(meeting_task).json()) == PODIUM_READING[::-1]
    assert names(generate(meeting_task, side="left").json()) == PODIUM_READING
    client("drafter").put(task_url(meeting_task, "meeting/"), {"international": False, "version": 1}, format="json")
    # the jurisdiction's convention (admin): a locality that mirrors the podium
    convention = client("admin").put("/api/v1/seating/convention/", {"senior_side": "right"}, format="json")
    assert convention.json() == {"senior_side": "right", "version": 1}
    assert client("counterpart").get("/api/v1/seating/convention/").json()["senior_side"] == "right"
    assert names(generate(meeting_task).json()) == PODIUM_READING[::-1]


def test_rows_of_a_podium(meeting_task):
    chart = generate(meeting_task, row_size=2).json()
    assert [(s["row"], s["index"], s["rank"]) for s in chart["seats"]] == [
        (1, 0, 1),
        (1, 1, 2),
        (2, 0, 3),
        (2, 1, 4),
        (3, 0, 5),
    ]


def test_a_banquet_with_hosts_from_the_accompanying_staff(meeting_task):
    from reception.models import AccompanyingStaff

    with in_tenant("340100"):
        AccompanyingStaff.objects.create(task=meeting_task, name="吴市长", unit="市政府", post="市长")
        AccompanyingStaff.objects.create(task=meeting_task, name="郑秘书长", unit="市政府", post="秘书长")
    response = generate(meeting_task, layout="banquet", table_size=6)
    assert response.status_code == 201, response.json()
    chart = response.json()
    # 6 seats: chief host 0, deputy 3; four guests a table: 1 → 1, 2 → 5, 3 → 4, 4 → 2
    assert [(s["table"], s["index"], s["rank"], s["name"]) for s in chart["seats"]] == [
        (1, 1, 1, "孙三"),
        (1, 2, 4, "周五"),
        (1, 4, 3, "赵一"),
        (1, 5, 2, "钱二"),
        (2, 1, 5, "李四"),
    ]
    assert [(h["table"], h["index"], h["role"], h["name"]) for h in chart["hosts"]] == [
        (1, 0, "chief_host", "吴市长"),
        (1, 3, "deputy_host", "郑秘书长"),
        (2, 0, "chief_host", ""),
        (2, 3, "deputy_host", ""),
    ]
    assert chart["tables"] == [{"number": 1, "x": 0, "y": 0}, {"number": 2, "x": 1, "y": 0}]


def test_swapping_seats_keeps_the_edit_until_regenerated(meeting_task):
    generate(meeting_task)
    swap = {"layout": "podium", "a": {"group": 1, "index": 0}, "b": {"group": 1, "index": 2}, "version": 1}
    response = client("handler").post(task_url(meeting_task, "seating/swap/"), swap, format="json")
    assert response.status_code == 200, response.json()
    assert names(response.json()) == ["孙三", "赵一", "李四", "钱二", "周五"]
    assert response.json()["version"] == 2
    before = full_snapshot()
    refused(client("handler").post(task_url(meeting_task, "seating/swap/"), swap, format="json"), 409, "stale_version")
    assert full_snapshot() == before
    assert names(client("reviewer").get(task_url(meeting_task, "seating/")).json())[0] == "孙三"
    assert names(generate(meeting_task).json()) == PODIUM_READING


def test_a_guest_moves_to_a_free_banquet_seat(meeting_task):
    generate(meeting_task, layout="banquet", table_size=10)
    body = {"layout": "banquet", "a": {"group": 1, "index": 1}, "b": {"group": 1, "index": 7}}
    chart = client("drafter").post(task_url(meeting_task, "seating/swap/"), body, format="json").json()
    assert {s["index"]: s["name"] for s in chart["seats"]}[7] == "孙三"
    assert 1 not in {s["index"] for s in chart["seats"]}


def test_a_chart_is_flagged_stale_when_the_guests_change(meeting_task):
    generate(meeting_task)
    with in_tenant("340100"):
        GuestFactory(task=meeting_task, name="新来宾", grade="other")
    assert client("drafter").get(task_url(meeting_task, "seating/")).json()["stale"] is True


def test_without_a_saved_chart_get_answers_a_preview(meeting_task):
    chart = client("counterpart").get(task_url(meeting_task, "seating/?layout=banquet")).json()
    assert (chart["version"], chart["id"], len(chart["seats"])) == (None, None, 5)
    with in_tenant("340100"):
        assert SeatingChart.objects.count() == 0


def test_the_pdf_prints_the_names(meeting_task):
    generate(meeting_task)
    response = client("finance").get(task_url(meeting_task, "seating.pdf"))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for name in PODIUM_READING:
        assert name in text
    assert "主席台座次图" in text and "全省财政工作会议" in text
    # the seats read from the audience's left in that order
    positions = [text.index(name) for name in PODIUM_READING]
    assert positions == sorted(positions)
    banquet = client("finance").get(task_url(meeting_task, "seating.pdf?layout=banquet"))
    banquet_text = PdfReader(io.BytesIO(banquet.content)).pages[0].extract_text()
    assert "主桌" in banquet_text and "主陪" in banquet_text and "1. 孙三" in banquet_text
    assert client("finance").get(task_url(meeting_task, "seating.pdf?layout=round")).status_code == 400


def test_a_200_seat_pdf_in_well_under_a_second(meeting_task):
    with in_tenant("340100"):
        GuestFactory.create_batch(195, task=meeting_task)
    generate(meeting_task, row_size=20)
    started = time.perf_counter()
    response = client("drafter").get(task_url(meeting_task, "seating.pdf"))
    assert time.perf_counter() - started < 2  # the benchmark holds it to 1 s on a quiet machine
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


@pytest.mark.parametrize("state", OPEN_STATES)
def test_drafters_and_handlers_in_every_state_before_settlement(meeting_task, state):
    set_status(meeting_task, state)
    assert generate(meeting_task, role="drafter").status_code == 201
    assert generate(meeting_task, role="handler", layout="banquet").status_code == 201


@pytest.mark.parametrize("state", CLOSED_STATES)
def test_settled_or_cancelled_tasks_are_409(meeting_task, state):
    generate(meeting_task)
    set_status(meeting_task, state)
    before = full_snapshot()
    refused(generate(meeting_task), 409, "not_arrangeable")
    swap = {"layout": "podium", "a": {"group": 1, "index": 0}, "b": {"group": 1, "index": 1}}
    refused(
        client("drafter").post(task_url(meeting_task, "seating/swap/"), swap, format="json"), 409, "not_arrangeable"
    )
    assert full_snapshot() == before
    assert client("drafter").get(task_url(meeting_task, "seating.pdf")).status_code == 200


@pytest.mark.parametrize("role", NOT_ARRANGERS)
def test_other_roles_read_but_may_not_generate(meeting_task, role):
    before = full_snapshot()
    refused(generate(meeting_task, role=role), 403, "permission_denied")
    assert full_snapshot() == before
    assert client(role).get(task_url(meeting_task, "seating/")).status_code == 200


def test_only_the_admin_sets_the_convention(tree):
    before = full_snapshot()
    for role in ("drafter", "handler", "supervisor"):
        assert (
            client(role).put("/api/v1/seating/convention/", {"senior_side": "right"}, format="json").status_code == 403
        )
    assert (
        api("340100", "340000-admin")
        .put("/api/v1/seating/convention/", {"senior_side": "right"}, format="json")
        .status_code
        == 403
    )
    refused(
        client("admin").put("/api/v1/seating/convention/", {"senior_side": "up"}, format="json"), 400, "invalid_choice"
    )
    assert full_snapshot() == before
    assert client("admin").get("/api/v1/seating/convention/").json() == {"senior_side": "left", "version": None}


def test_other_jurisdictions_and_ancestors(meeting_task):
    before = full_snapshot()
    assert (
        api("340100", "340200-drafter")
        .post(task_url(meeting_task, "seating/"), {"layout": "podium"}, format="json")
        .status_code
        == 403
    )
    assert api("340100", "340200-drafter").get(task_url(meeting_task, "seating.pdf")).status_code == 403
    province = api("340100", "340000-supervisor")
    assert province.get(task_url(meeting_task, "seating/")).status_code == 200
    assert province.get(task_url(meeting_task, "seating.pdf")).status_code == 200
    refused(
        province.post(task_url(meeting_task, "seating/"), {"layout": "podium"}, format="json"), 403, "permission_denied"
    )
    assert (
        client("drafter", "340200")
        .post(task_url(meeting_task, "seating/"), {"layout": "podium"}, format="json")
        .status_code
        == 404
    )
    assert client("drafter", "340200").get(task_url(meeting_task, "seating.pdf")).status_code == 404
    assert full_snapshot() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"layout": "theatre"}, "layout"),
        ({}, "layout"),
        ({"layout": "podium", "side": "up"}, "side"),
        ({"layout": "podium", "row_size": 0}, "row_size"),
        ({"layout": "podium", "row_size": "many"}, "row_size"),
        ({"layout": "podium", "table_size": 10}, "table_size"),
        ({"layout": "banquet", "table_size": 3}, "table_size"),
        ({"layout": "banquet", "table_size": 21}, "table_size"),
        ({"layout": "banquet", "row_size": 5}, "row_size"),
        ({"layout": "pod\x00ium"}, "layout"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(meeting_task, body, field):
    before = full_snapshot()
    response = client("drafter").post(task_url(meeting_task, "seating/"), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert full_snapshot() == before


def test_bad_swaps_are_400(meeting_task):
    generate(meeting_task)
    before = full_snapshot()
    for body in (
        {"layout": "banquet", "a": {"group": 1, "index": 0}, "b": {"group": 1, "index": 1}},  # no banquet chart
        {"layout": "podium", "a": {"group": 1, "index": 0}, "b": {"group": 1, "index": 5}},  # 5 seats: 0..4
        {"layout": "podium", "a": {"group": 2, "index": 0}, "b": {"group": 1, "index": 1}},
        {"layout": "podium", "a": {"group": 1, "index": -1}, "b": {"group": 1, "index": 1}},
        {"layout": "podium", "a": {"group": 1}, "b": {"group": 1, "index": 1}},
        {"layout": "podium", "a": "1-0", "b": {"group": 1, "index": 1}},
    ):
        assert (
            client("drafter").post(task_url(meeting_task, "seating/swap/"), body, format="json").status_code == 400
        ), body
    raw = client("drafter").post(task_url(meeting_task, "seating/"), "{layout", content_type="application/json")
    assert raw.status_code == 400
    assert full_snapshot() == before


def test_a_task_without_guests_has_no_chart_to_save(tree):
    from tests.reception.factories import TaskFactory

    with in_tenant("340100"):
        task = TaskFactory()
    response = generate(task)
    assert response.status_code == 400 and "layout" in response.json()


def test_reads_take_the_same_queries_whatever_the_size(meeting_task):
    generate(meeting_task)
    reader = client("reviewer")
    reader.get(task_url(meeting_task, "seating/"))
    with count_queries() as few:
        reader.get(task_url(meeting_task, "seating/"))
    with in_tenant("340100"):
        GuestFactory.create_batch(40, task=meeting_task)
    generate(meeting_task)
    with count_queries() as many:
        assert len(reader.get(task_url(meeting_task, "seating/")).json()["seats"]) == 45
    assert len(many) == len(few)
