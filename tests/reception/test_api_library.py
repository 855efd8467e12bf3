"""The resource library, the guest database (接待对象信息库) and suggestions through the API."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import AuditEntry
from reception.models import Evaluation, Resource
from tests.conftest import api, count_queries, in_tenant, refused
from tests.reception.arrangements import client, full_snapshot
from tests.reception.conftest import task_url
from tests.reception.factories import GuestFactory, LetterFactory, PlanItemFactory, TaskFactory, at

pytestmark = pytest.mark.django_db

RESOURCES = "/api/v1/resources/"


def png(width=40, height=30, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, fmt)
    return out.getvalue()


def create(body, role="admin", **kwargs):
    return client(role).post(RESOURCES, body, **({"format": "json"} | kwargs))


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Resources --------------------------------------------------------------------------------


def test_the_admin_builds_a_hotel_with_rooms_dishes_and_a_floor_plan(tree, hotel, settings_media):
    created = create({"kind": "hotel", "name": "稻香楼宾馆", "address": "合肥市蜀山区", "provider": hotel.pk})
    assert created.status_code == 201, created.json()
    hotel_id = created.json()["id"]
    assert {k: created.json()[k] for k in ("kind", "name", "provider", "children", "version")} == {
        "kind": "hotel",
        "name": "稻香楼宾馆",
        "provider": hotel.pk,
        "children": [],
        "version": 1,
    }
    room = create({"kind": "room", "name": "1201", "parent": hotel_id, "price": "380", "floor": 12})
    assert (room.json()["room_type"], room.json()["price"]) == ("standard", "380.00")
    dish = create({"kind": "dish", "name": "臭鳜鱼", "parent": hotel_id, "price": "68.00"})
    assert dish.status_code == 201
    plan = client("admin").post(
        RESOURCES,
        {"kind": "floor_plan", "name": "一楼平面图", "parent": hotel_id, "image": SimpleUploadedFile("f.png", png())},
        format="multipart",
    )
    assert plan.status_code == 201, plan.json()
    assert (plan.json()["image_type"], plan.json()["image_url"]) == (
        "image/png",
        f"/api/v1/resources/{plan.json()['id']}/image/",
    )
    image = client("counterpart").get(plan.json()["image_url"])
    assert (image.status_code, image["Content-Type"], b"".join(image.streaming_content)) == (200, "image/png", png())
    detail = client("supervisor").get(f"{RESOURCES}{hotel_id}/").json()
    assert sorted(c["kind"] for c in detail["children"]) == ["dish", "floor_plan", "room"]
    assert AuditEntry.objects.filter(chain="340100", action="reception.resource.created").count() == 4


def test_every_member_lists_filters_and_searches_newest_first(tree):
    for body in (
        {"kind": "site", "name": "合肥综合性国家科学中心", "description": "大科学装置集中区"},
        {"kind": "scenic_spot", "name": "包公园", "address": "合肥市包河区"},
        {"kind": "specialty", "name": "庐州烤鸭"},
        {"kind": "meeting_room", "name": "政务中心第一会议室", "capacity": 120},
        {"kind": "restaurant", "name": "市政府机关食堂"},
    ):
        assert create(body).status_code == 201
    listing = client("counterpart").get(RESOURCES).json()
    assert listing["count"] == 5
    assert [r["name"] for r in listing["results"]][:2] == ["市政府机关食堂", "政务中心第一会议室"]
    assert [r["name"] for r in client("finance").get(RESOURCES + "?kind=site").json()["results"]] == [
        "合肥综合性国家科学中心"
    ]
    assert [r["name"] for r in client("finance").get(RESOURCES + "?q=包河").json()["results"]] == ["包公园"]
    assert [r["name"] for r in client("finance").get(RESOURCES + "?q=装置").json()["results"]] == [
        "合肥综合性国家科学中心"
    ]
    assert client("finance").get(RESOURCES + "?kind=spaceship").status_code == 400
    assert api("340100", "340000-supervisor").get(RESOURCES).json()["count"] == 5
    assert api("340100", "340200-admin").get(RESOURCES).status_code == 403
    assert client("admin", "340200").get(RESOURCES).json()["count"] == 0  # another jurisdiction's library


def test_change_and_remove_with_versions(tree, settings_media):
    hotel_id = create({"kind": "hotel", "name": "合肥饭店"}).json()["id"]
    create({"kind": "room", "name": "301", "parent": hotel_id})
    url = f"{RESOURCES}{hotel_id}/"
    changed = client("admin").patch(url, {"phone": "0551-2345678", "version": 1}, format="json")
    assert (changed.status_code, changed.json()["phone"], changed.json()["version"]) == (200, "0551-2345678", 2)
    before = full_snapshot()
    refused(client("admin").patch(url, {"phone": "x", "version": 1}, format="json"), 409, "stale_version")
    refused(client("admin").patch(url, {"kind": "site"}, format="json"), 400, "invalid")
    refused(client("admin").delete(url + "?version=1"), 409, "stale_version")
    assert full_snapshot() == before
    assert client("admin").delete(url + "?version=2").status_code == 204
    with in_tenant("340100"):
        assert Resource.objects.count() == 0  # its room went with it
    assert client("admin").get(url).status_code == 404


def test_a_new_floor_plan_image_replaces_the_old(tree, settings_media):
    hotel_id = create({"kind": "hotel", "name": "合肥饭店"}).json()["id"]
    plan = (
        client("admin")
        .post(
            RESOURCES,
            {"kind": "floor_plan", "name": "平面图", "parent": hotel_id, "image": SimpleUploadedFile("a.png", png())},
            format="multipart",
        )
        .json()
    )
    jpeg = png(fmt="JPEG")
    changed = client("admin").patch(
        f"{RESOURCES}{plan['id']}/", {"image": SimpleUploadedFile("b.jpg", jpeg)}, format="multipart"
    )
    assert changed.status_code == 200 and changed.json()["image_type"] == "image/jpeg"
    assert b"".join(client("admin").get(plan["image_url"]).streaming_content) == jpeg


@pytest.mark.parametrize("role", ["drafter", "handler", "reviewer", "finance", "supervisor", "counterpart"])
def test_only_the_admin_writes(tree, role):
    hotel_id = create({"kind": "hotel", "name": "合肥饭店"}).json()["id"]
    before = full_snapshot()
    refused(create({"kind": "site", "name": "科学岛"}, role=role), 403, "permission_denied")
    refused(client(role).patch(f"{RESOURCES}{hotel_id}/", {"name": "改"}, format="json"), 403, "permission_denied")
    refused(client(role).delete(f"{RESOURCES}{hotel_id}/"), 403, "permission_denied")
    refused(
        api("340100", "340000-admin").post(RESOURCES, {"kind": "site", "name": "x"}, format="json"),
        403,
        "permission_denied",
    )
    assert full_snapshot() == before
    assert client(role).get(f"{RESOURCES}{hotel_id}/").status_code == 200


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"kind": "castle", "name": "x"}, "kind", "invalid_choice"),
        ({"kind": "hotel", "name": ""}, "name", "blank"),
        ({"kind": "hotel", "name": "宾" * 201}, "name", "max_length"),
        ({"kind": "hotel", "name": "宾\x00馆"}, "name", "null_characters_not_allowed"),
        ({"kind": "hotel", "name": "宾馆", "price": "-1"}, "price", "min_value"),
        ({"kind": "hotel", "name": "宾馆", "price": "abc"}, "price", "invalid"),
        ({"kind": "hotel", "name": "宾馆", "capacity": 10001}, "capacity", "max_value"),
        ({"kind": "hotel", "name": "宾馆", "room_type": "suite"}, "room_type", "not_applicable"),
        ({"kind": "hotel", "name": "宾馆", "provider": 999999}, "provider", "provider_not_serving"),
        ({"kind": "hotel", "name": "宾馆", "parent": 999999}, "parent", "invalid_parent"),
        ({"kind": "room", "name": "1201"}, "parent", "required"),
        ({"kind": "floor_plan", "name": "平面图"}, "parent", "required"),
        ({"kind": "dish", "name": "红烧鱼翅"}, "name", "banned_item"),
        ({"kind": "dish", "name": "茅台酒"}, "name", "banned_item"),
        ({"kind": "hotel", "name": ["宾馆"]}, "name", "invalid"),
        ([{"kind": "hotel", "name": "宾馆"}], "non_field_errors", "invalid"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(tree, body, field, code):
    before = full_snapshot()
    assert field in refused(create(body), 400, code)
    assert full_snapshot() == before


def test_a_parent_of_the_wrong_kind_is_refused(tree):
    site = create({"kind": "site", "name": "科学岛"}).json()["id"]
    before = full_snapshot()
    assert "parent" in create({"kind": "room", "name": "101", "parent": site}).json()
    assert "parent" in create({"kind": "dish", "name": "臭鳜鱼", "parent": site}).json()
    assert "parent" in create({"kind": "site", "name": "子站", "parent": site}).json()
    assert full_snapshot() == before


@pytest.mark.parametrize(
    "name, content, field_code",
    [
        ("plan.png", b"", "file_empty"),
        ("plan.png", b"GIF89a" + b"0" * 100, "file_type"),
        ("plan.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "file_corrupt"),
        ("plan.pdf", b"%PDF-1.7 a floor plan", "file_type"),
        ("plan.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "file_too_large"),
    ],
)
def test_floor_plans_must_be_real_png_or_jpeg_within_limits(tree, settings_media, name, content, field_code):
    hotel_id = create({"kind": "hotel", "name": "合肥饭店"}).json()["id"]
    before = full_snapshot()
    response = client("admin").post(
        RESOURCES,
        {"kind": "floor_plan", "name": "平面图", "parent": hotel_id, "image": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert "image" in refused(response, 400, field_code)
    assert full_snapshot() == before
    assert list(settings_media.rglob("*.*")) == []


def test_an_oversized_picture_and_an_image_on_other_kinds_are_refused(tree, settings_media):
    hotel_id = create({"kind": "hotel", "name": "合肥饭店"}).json()["id"]
    huge = client("admin").post(
        RESOURCES,
        {
            "kind": "floor_plan",
            "name": "平面图",
            "parent": hotel_id,
            "image": SimpleUploadedFile("h.png", png(10001, 2)),
        },
        format="multipart",
    )
    assert "image" in refused(huge, 400, "image_too_large")
    other = client("admin").post(
        RESOURCES, {"kind": "site", "name": "科学岛", "image": SimpleUploadedFile("s.png", png())}, format="multipart"
    )
    assert "image" in refused(other, 400, "not_applicable")
    assert client("admin").get(f"{RESOURCES}{hotel_id}/image/").status_code == 404


def test_the_list_takes_the_same_queries_whatever_the_size(tree):
    hotel_id = create({"kind": "hotel", "name": "合肥饭店"}).json()["id"]
    reader = client("drafter")
    reader.get(RESOURCES)
    with count_queries() as few:
        reader.get(RESOURCES)
    for n in range(20):
        create({"kind": "dish", "name": f"家常菜{n}", "parent": hotel_id})
    with count_queries() as many:
        assert reader.get(RESOURCES).json()["count"] == 21
    assert len(many) == len(few)


# --- The guest database -----------------------------------------------------------------------


@pytest.fixture
def past_tasks(tree):
    """Three tasks with guests: 王明 (same unit) came twice; one task cancelled."""
    import datetime as dt

    with in_tenant("340100"):
        first = TaskFactory(start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 3, 2))
        GuestFactory(
            task=first, name="王明", unit="安徽省发展和改革委员会", post="处长", grade="division", phone="13800000001"
        )
        GuestFactory(task=first, name="李华", unit="安徽省财政厅", post="科长", grade="section")
        second = TaskFactory(start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 2))
        GuestFactory(task=second, name="王明", unit="安徽省发展和改革委员会", post="副主任", grade="bureau")
        GuestFactory(task=second, name="王明", unit="安徽省统计局", post="处长", grade="division")
        cancelled = TaskFactory(status="cancelled", start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 5, 1))
        GuestFactory(task=cancelled, name="赵强", unit="安徽省财政厅", post="厅长", grade="bureau")
        return first, second


def test_the_guest_database_dedupes_by_name_and_unit(past_tasks):
    _first, second = past_tasks
    body = client("counterpart").get("/api/v1/guests/").json()
    assert body["count"] == 3
    rows = [
        (g["name"], g["unit"], g["post"], g["grade"], g["visits"], g["first_visit"], g["last_visit"])
        for g in body["results"]
    ]
    assert rows == [
        ("王明", "安徽省发展和改革委员会", "副主任", "bureau", 2, "2025-03-01", "2026-04-01"),
        ("王明", "安徽省统计局", "处长", "division", 1, "2026-04-01", "2026-04-01"),
        ("李华", "安徽省财政厅", "科长", "section", 1, "2025-03-01", "2025-03-01"),
    ]
    assert body["results"][0]["last_task"] == second.pk


def test_the_guest_database_is_searchable_and_paginated(past_tasks):
    found = client("drafter").get("/api/v1/guests/?q=统计").json()
    assert [(g["name"], g["unit"]) for g in found["results"]] == [("王明", "安徽省统计局")]
    assert client("drafter").get("/api/v1/guests/?q=赵强").json()["count"] == 0  # cancelled tasks do not count
    page = client("drafter").get("/api/v1/guests/?page_size=2").json()
    assert (page["count"], len(page["results"]), page["next"] is not None) == (3, 2, True)
    assert client("drafter").get("/api/v1/guests/?q=" + "名" * 101).status_code == 400
    assert api("340100", "340000-supervisor").get("/api/v1/guests/").status_code == 200
    assert api("340100", "340200-drafter").get("/api/v1/guests/").status_code == 403
    assert client("drafter", "340200").get("/api/v1/guests/").json()["count"] == 0


def test_the_guest_database_takes_the_same_queries_whatever_the_size(past_tasks):
    reader = client("finance")
    reader.get("/api/v1/guests/")
    with count_queries() as few:
        reader.get("/api/v1/guests/")
    with in_tenant("340100"):
        GuestFactory.create_batch(30, task=past_tasks[0])
    with count_queries() as many:
        assert reader.get("/api/v1/guests/").json()["count"] == 33
    assert len(many) == len(few)


# --- Suggestions ------------------------------------------------------------------------------


def test_suggestions_from_the_same_sending_unit_first_then_the_same_level(tree, hotel):
    with in_tenant("340100"):
        same_unit = LetterFactory(sending_unit="安徽省财政厅")
        earlier = TaskFactory(letter=same_unit, level="division", title="财政厅调研（上次）")
        PlanItemFactory(
            task=earlier,
            kind="lodging",
            meal_type="",
            room_type="standard",
            provider=hotel,
            venue="稻香楼宾馆",
            unit_price=Decimal("380"),
            quantity=4,
            starts_at=at(14),
            menu="",
        )
        PlanItemFactory(
            task=earlier, menu="家常菜四菜一汤", venue="市政府机关食堂", unit_price=Decimal("60"), quantity=7
        )
        same_level = TaskFactory(level="bureau", title="发改委调研")
        PlanItemFactory(
            task=same_level,
            kind="visit",
            meal_type="",
            venue="合肥高新区",
            unit_price=Decimal("0"),
            quantity=1,
            menu="",
        )
        PlanItemFactory(
            task=same_level, menu="家常菜四菜一汤", venue="市政府机关食堂", unit_price=Decimal("50"), quantity=7
        )
        # The earlier task was rated 4 and 5: what it used scores 4.5; same_level was never rated.
        Evaluation.objects.create(task=earlier, party="visiting_unit", score=4)
        Evaluation.objects.create(task=earlier, party="counterpart", score=5)
        TaskFactory(level="section", title="无关任务")
        cancelled = TaskFactory(letter=LetterFactory(sending_unit="安徽省财政厅"), status="cancelled", title="已取消")
        PlanItemFactory(task=cancelled, venue="取消的地点")
        new = TaskFactory(letter=LetterFactory(sending_unit="安徽省财政厅"), level="bureau", title="财政厅再次调研")
    body = client("drafter").get(task_url(new, "suggestions/")).json()
    assert [(t["title"], t["same_unit"]) for t in body["similar_tasks"]] == [
        ("财政厅调研（上次）", True),
        ("发改委调研", False),
    ]
    assert body["hotels"] == [
        {
            "provider": hotel.pk,
            "name": "稻香楼宾馆",
            "times": 1,
            "unit_price": "380.00",
            "cost": "1520.00",
            "score": 4.5,
        }
    ]
    assert body["menus"] == [
        {
            "menu": "家常菜四菜一汤",
            "venue": "市政府机关食堂",
            "meal_type": "lunch",
            "times": 2,
            "unit_price": "55.00",
            "cost": "770.00",
            "score": 4.5,
        }
    ]
    assert [(v["kind"], v["venue"], v["times"]) for v in body["venues"]] == [
        ("meal", "市政府机关食堂", 2),
        ("visit", "合肥高新区", 1),
    ]
    assert api("340100", "340000-supervisor").get(task_url(new, "suggestions/")).status_code == 200
    assert api("340100", "340200-drafter").get(task_url(new, "suggestions/")).status_code == 403
    assert client("drafter", "340200").get(task_url(new, "suggestions/")).status_code == 404


def test_suggestions_take_the_same_queries_whatever_the_history(tree, hotel):
    with in_tenant("340100"):
        new = TaskFactory(level="bureau")
        TaskFactory(level="bureau")
    reader = client("drafter")
    reader.get(task_url(new, "suggestions/"))
    with count_queries() as few:
        reader.get(task_url(new, "suggestions/"))
    with in_tenant("340100"):
        for n in range(10):
            task = TaskFactory(level="bureau")
            PlanItemFactory(task=task, venue=f"食堂{n}", menu=f"菜单{n}")
    with count_queries() as many:
        assert len(reader.get(task_url(new, "suggestions/")).json()["similar_tasks"]) == 11
    assert len(many) == len(few)
