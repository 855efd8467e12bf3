"""Lodging allocation through the API: one click, suites only for allowed grades, the result kept as
lodging items for the hotel, moves on the grid, conflicts, permissions and bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.models import AuditEntry
from reception.models import LodgingAllocation, PlanItem, RoomAssignment
from tests.conftest import api, count_queries, in_tenant, refused, unchanged
from tests.reception.arrangements import (
    CLOSED_STATES,
    NOT_ARRANGERS,
    OPEN_STATES,
    client,
    full_snapshot,
    set_status,
)
from tests.reception.conftest import task_url

pytestmark = pytest.mark.django_db

ROOMS = [
    {"number": "801", "type": "suite"},
    {"number": "802", "type": "suite"},
    {"number": "601", "type": "standard"},
    {"number": "602", "type": "standard"},
    {"number": "603", "type": "standard"},
    {"number": "701", "type": "standard"},
    {"number": "702", "type": "standard"},
]


def allocate(task, hotel, rooms=ROOMS, role="drafter", **extra):
    body = {"provider": hotel.pk, "rooms": rooms, **extra}
    return client(role).post(task_url(task, "lodging/allocate/"), body, format="json")


def test_one_click_assigns_senior_guests_first_and_records_the_lodging_items(meeting_task, hotel):
    response = allocate(meeting_task, hotel, rates={"standard": "380.00", "suite": "680.00"})
    assert response.status_code == 200, response.json()
    rows = response.json()
    # 孙三 (省部级) the only one allowed a suite; the others standard rooms, each unit on one
    # floor (the floor that fits it most tightly), the senior guest in the room listed first
    assert [(r["guest"], r["room"]) for r in rows] == [
        ("孙三", "801"),
        ("钱二", "701"),
        ("赵一", "702"),
        ("周五", "601"),
        ("李四", "602"),
    ]
    assert {r["room_type"] for r in rows if r["guest"] != "孙三"} == {"standard"}
    with in_tenant("340100"):
        items = PlanItem.objects.filter(task=meeting_task, kind="lodging").order_by("room_type")
        assert [(i.room_type, i.guests_count, i.quantity, i.unit_price, i.provider_id, i.venue) for i in items] == [
            ("standard", 4, 4, Decimal("380.00"), hotel.pk, "稻香楼宾馆"),
            ("suite", 1, 1, Decimal("680.00"), hotel.pk, "稻香楼宾馆"),
        ]
        allocation = LodgingAllocation.objects.get(task=meeting_task)
        assert sorted(allocation.item_ids) == sorted(i.pk for i in items)
    entry = AuditEntry.objects.get(chain="340100", action="reception.lodging.allocated")
    assert entry.after["rooms"] == 7 and entry.after["unassigned"] == []
    grid = client("supervisor").get(task_url(meeting_task, "lodging/")).json()
    hotel_grid = grid["hotels"][0]
    assert (hotel_grid["provider"], hotel_grid["name"], hotel_grid["version"]) == (hotel.pk, "稻香楼宾馆", 1)
    assert [r["number"] for r in hotel_grid["rooms"]] == ["801", "802", "701", "702", "601", "602", "603"]
    assert hotel_grid["conflicts"] == [] and grid["unassigned"] == []


def test_more_guests_than_rooms_is_a_partial_allocation_listing_the_unassigned(meeting_task, hotel):
    rows = allocate(meeting_task, hotel, rooms=ROOMS[:1] + ROOMS[2:4]).json()
    assert [(r["guest"], r["room"]) for r in rows] == [
        ("孙三", "801"),
        ("钱二", "601"),
        ("赵一", "602"),
        ("周五", None),
        ("李四", None),
    ]
    grid = client("drafter").get(task_url(meeting_task, "lodging/")).json()
    assert [g["name"] for g in grid["unassigned"]] == ["周五", "李四"]


def test_only_suites_left_are_never_given_to_other_grades(meeting_task, hotel):
    rows = allocate(meeting_task, hotel, rooms=[{"number": f"90{n}", "type": "suite"} for n in range(5)]).json()
    assert [(r["guest"], r["room"]) for r in rows if r["room"]] == [("孙三", "900")]
    assert sum(r["room"] is None for r in rows) == 4


def test_the_standards_in_force_decide_who_may_have_a_suite(meeting_task, hotel):
    from reception.models import Standard

    with in_tenant("340100"):
        Standard.objects.create(
            version=99, effective_from="2020-01-01", suite_grades=["provincial_ministerial", "bureau"]
        )
    rows = allocate(meeting_task, hotel).json()
    suites = {r["guest"] for r in rows if r["room_type"] == "suite"}
    assert suites == {"孙三", "钱二"}


def test_reallocating_a_hotel_replaces_its_rooms_and_items(meeting_task, hotel):
    allocate(meeting_task, hotel)
    rows = allocate(meeting_task, hotel, rooms=[{"number": "1201"}, {"number": "1202"}]).json()
    assert [r["room"] for r in rows] == ["1201", "1202", None, None, None]
    with in_tenant("340100"):
        assert LodgingAllocation.objects.count() == 1
        assert RoomAssignment.objects.count() == 2
        assert list(PlanItem.objects.filter(kind="lodging").values_list("room_type", "guests_count")) == [
            ("standard", 2)
        ]


def test_a_second_hotel_takes_the_guests_the_first_left_out(meeting_task, hotel):
    from provider_portal.services import provider_add

    second, _created = provider_add(
        actor=None, name="合肥饭店", kind="hotel", serves=[hotel.service_areas.first().jurisdiction]
    )
    allocate(meeting_task, hotel, rooms=ROOMS[:1] + ROOMS[2:4])
    rows = allocate(meeting_task, second, rooms=[{"number": "301"}, {"number": "302"}]).json()
    assert [(r["guest"], r["room"]) for r in rows] == [("周五", "301"), ("李四", "302")]
    grid = client("drafter").get(task_url(meeting_task, "lodging/")).json()
    assert [h["name"] for h in grid["hotels"]] == ["稻香楼宾馆", "合肥饭店"] and grid["unassigned"] == []


def test_rooms_and_rates_default_to_the_resource_library(meeting_task, hotel):
    admin = client("admin")
    entry = admin.post(
        "/api/v1/resources/", {"kind": "hotel", "name": "稻香楼宾馆", "provider": hotel.pk}, format="json"
    )
    for number, room_type, price in [("501", "standard", "360"), ("502", "standard", "360"), ("503", "suite", "600")]:
        admin.post(
            "/api/v1/resources/",
            {"kind": "room", "name": number, "parent": entry.json()["id"], "room_type": room_type, "price": price},
            format="json",
        )
    response = client("drafter").post(
        task_url(meeting_task, "lodging/allocate/"), {"provider": hotel.pk}, format="json"
    )
    assert [(r["guest"], r["room"]) for r in response.json()][:3] == [("孙三", "503"), ("钱二", "501"), ("赵一", "502")]
    with in_tenant("340100"):
        assert dict(PlanItem.objects.filter(kind="lodging").values_list("room_type", "unit_price")) == {
            "standard": Decimal("360.00"),
            "suite": Decimal("600.00"),
        }


def test_nights_come_from_the_rosters_arrival_and_departure(meeting_task, hotel):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from reception.models import GuestStay

    tz = ZoneInfo("Asia/Shanghai")
    with in_tenant("340100"):
        guest = meeting_task.guests.get(name="孙三")
        GuestStay.objects.create(
            guest=guest,
            arrives_at=dt.datetime(2026, 5, 5, 20, tzinfo=tz),
            departs_at=dt.datetime(2026, 5, 8, 9, tzinfo=tz),
        )
    allocate(meeting_task, hotel)
    with in_tenant("340100"):
        suite = PlanItem.objects.get(kind="lodging", room_type="suite")
        assert suite.quantity == 3  # 5th to 8th; the task's own dates would give 1


def test_moving_guests_on_the_grid(meeting_task, hotel):
    allocate(meeting_task, hotel)
    with in_tenant("340100"):
        guests = dict(meeting_task.guests.values_list("name", "pk"))
    place = task_url(meeting_task, "lodging/place/")
    # swap 赵一 (702) with 周五 (601)
    moved = client("handler").post(
        place, {"provider": hotel.pk, "guest": guests["赵一"], "room": "601", "version": 1}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    rooms = {r["number"]: r["guest"] for r in moved.json()["hotels"][0]["rooms"]}
    assert (rooms["601"], rooms["702"]) == ("赵一", "周五")
    assert moved.json()["hotels"][0]["version"] == 2
    # a stale version is refused
    before = full_snapshot()
    stale = client("handler").post(
        place, {"provider": hotel.pk, "guest": guests["赵一"], "room": "603", "version": 1}, format="json"
    )
    refused(stale, 409, "stale_version")
    assert full_snapshot() == before
    # into a free room, then out of any room
    client("drafter").post(place, {"provider": hotel.pk, "guest": guests["李四"], "room": "603"}, format="json")
    out = (
        client("drafter")
        .post(place, {"provider": hotel.pk, "guest": guests["周五"], "room": None}, format="json")
        .json()
    )
    assert [g["name"] for g in out["unassigned"]] == ["周五"]
    with in_tenant("340100"):
        standard = PlanItem.objects.get(kind="lodging", room_type="standard")
        assert (standard.guests_count, standard.quantity) == (3, 3)
    actions = AuditEntry.objects.filter(chain="340100", action="reception.lodging.moved").count()
    assert actions == 3


def test_a_move_never_puts_another_grade_in_a_suite(meeting_task, hotel):
    allocate(meeting_task, hotel)
    with in_tenant("340100"):
        guests = dict(meeting_task.guests.values_list("name", "pk"))
    place = task_url(meeting_task, "lodging/place/")
    before = full_snapshot()
    into_suite = client("drafter").post(
        place, {"provider": hotel.pk, "guest": guests["钱二"], "room": "802"}, format="json"
    )
    assert "room" in refused(into_suite, 400, "suite_not_allowed")
    # the minister moving out of the suite into 钱二's room would send 钱二 into the suite
    swap = client("drafter").post(place, {"provider": hotel.pk, "guest": guests["孙三"], "room": "701"}, format="json")
    refused(swap, 400, "suite_not_allowed")
    assert full_snapshot() == before
    # the minister may move to the other suite
    assert (
        client("drafter")
        .post(place, {"provider": hotel.pk, "guest": guests["孙三"], "room": "802"}, format="json")
        .status_code
        == 200
    )


def test_conflicts_are_flagged_when_the_rules_change_after_allocation(meeting_task, hotel):
    allocate(meeting_task, hotel)
    with in_tenant("340100"):
        meeting_task.guests.filter(name="孙三").update(grade="bureau")  # corrected after allocation
        meeting_task.guests.filter(name="钱二").update(unit="市财政局")  # now shares a unit with 周五 and 李四
    grid = client("drafter").get(task_url(meeting_task, "lodging/")).json()["hotels"][0]
    assert [c["code"] for c in grid["conflicts"]] == ["suite_not_allowed", "unit_split"]
    assert {r["number"]: r["conflict"] for r in grid["rooms"]}["801"] == "suite_not_allowed"
    assert "市财政局" in grid["conflicts"][1]["message"]


def test_releasing_a_hotel_drops_its_rooms_and_items(meeting_task, hotel):
    allocate(meeting_task, hotel)
    assert client("drafter").delete(task_url(meeting_task, f"lodging/{hotel.pk}/")).status_code == 204
    with in_tenant("340100"):
        assert (LodgingAllocation.objects.count(), PlanItem.objects.filter(kind="lodging").count()) == (0, 0)
    with unchanged():
        refused(client("drafter").delete(task_url(meeting_task, f"lodging/{hotel.pk}/")), 404, "not_found")


@pytest.mark.parametrize("state", OPEN_STATES)
def test_drafters_and_handlers_allocate_in_every_state_before_settlement(meeting_task, hotel, state):
    set_status(meeting_task, state)
    assert allocate(meeting_task, hotel, role="drafter").status_code == 200
    assert allocate(meeting_task, hotel, role="handler").status_code == 200


@pytest.mark.parametrize("state", CLOSED_STATES)
def test_settled_or_cancelled_tasks_are_409(meeting_task, hotel, state):
    allocate(meeting_task, hotel)
    set_status(meeting_task, state)
    before = full_snapshot()
    refused(allocate(meeting_task, hotel), 409, "not_arrangeable")
    with in_tenant("340100"):
        guest = meeting_task.guests.first().pk
    place = client("handler").post(
        task_url(meeting_task, "lodging/place/"), {"provider": hotel.pk, "guest": guest, "room": "603"}, format="json"
    )
    refused(place, 409, "not_arrangeable")
    refused(client("drafter").delete(task_url(meeting_task, f"lodging/{hotel.pk}/")), 409, "not_arrangeable")
    assert full_snapshot() == before


@pytest.mark.parametrize("role", NOT_ARRANGERS)
def test_other_roles_read_but_may_not_allocate(meeting_task, hotel, role):
    before = full_snapshot()
    refused(allocate(meeting_task, hotel, role=role), 403, "permission_denied")
    refused(client(role).delete(task_url(meeting_task, f"lodging/{hotel.pk}/")), 403, "permission_denied")
    assert full_snapshot() == before
    assert client(role).get(task_url(meeting_task, "lodging/")).status_code == 200


def test_other_jurisdictions_and_ancestors(meeting_task, hotel):
    before = full_snapshot()
    body = {"provider": hotel.pk, "rooms": ROOMS}
    assert (
        api("340100", "340200-handler")
        .post(task_url(meeting_task, "lodging/allocate/"), body, format="json")
        .status_code
        == 403
    )
    assert api("340100", "340200-handler").get(task_url(meeting_task, "lodging/")).status_code == 403
    province = api("340100", "340000-supervisor")
    assert province.get(task_url(meeting_task, "lodging/")).status_code == 200
    refused(province.post(task_url(meeting_task, "lodging/allocate/"), body, format="json"), 403, "permission_denied")
    assert (
        client("drafter", "340200").post(task_url(meeting_task, "lodging/allocate/"), body, format="json").status_code
        == 404
    )
    assert full_snapshot() == before


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"provider": None, "rooms": ROOMS}, "provider", "null"),
        ({"provider": "稻香楼", "rooms": ROOMS}, "provider", "invalid"),
        ({"provider": 999999, "rooms": ROOMS}, "provider", "provider_not_serving"),
        ({"rooms": [{"number": "601"}, {"number": "601"}]}, "rooms", "duplicate_room"),
        ({"rooms": [{"number": ""}]}, "rooms", "blank"),
        ({"rooms": [{"number": "6\x0001"}]}, "rooms", "null_characters_not_allowed"),
        ({"rooms": [{"number": "6" * 21}]}, "rooms", "max_length"),
        ({"rooms": [{"number": "601", "type": "presidential"}]}, "rooms", "invalid_choice"),
        ({"rooms": "601,602"}, "rooms", "not_a_list"),
        ({"rooms": []}, "rooms", "required"),
        ({"rooms": ROOMS, "check_in": "2026-05-07", "check_out": "2026-05-06"}, "check_out", "end_before_start"),
        ({"rooms": ROOMS, "rates": {"standard": "-1"}}, "rates", "min_value"),
        ({"rooms": [{"number": str(n)} for n in range(2001)]}, "rooms", "max_length"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(meeting_task, hotel, body, field, code):
    body = {"provider": hotel.pk, **body}
    before = full_snapshot()
    response = client("drafter").post(task_url(meeting_task, "lodging/allocate/"), body, format="json")
    refused(response, 400, code)
    assert field in response.json()
    assert full_snapshot() == before


def test_a_provider_that_is_not_a_designated_hotel_is_refused(meeting_task, hotel, elsewhere_hotel, tree):
    from provider_portal.services import provider_add

    restaurant, _created = provider_add(actor=None, name="庐州餐厅", kind="restaurant", serves=[tree["340100"]])
    before = full_snapshot()
    for provider in (elsewhere_hotel, restaurant):
        response = allocate(meeting_task, provider)
        assert response.status_code == 400 and "provider" in response.json()
    raw = client("drafter").post(task_url(meeting_task, "lodging/allocate/"), "{", content_type="application/json")
    assert raw.status_code == 400
    assert full_snapshot() == before


def test_bad_moves_are_400_or_404(meeting_task, hotel):
    place = task_url(meeting_task, "lodging/place/")
    with in_tenant("340100"):
        guest = meeting_task.guests.first().pk
    assert (
        client("drafter").post(place, {"provider": hotel.pk, "guest": guest, "room": "601"}, format="json").status_code
        == 404
    )
    allocate(meeting_task, hotel)
    before = full_snapshot()
    for body in (
        {"provider": hotel.pk, "guest": guest, "room": "9999"},
        {"provider": hotel.pk, "guest": 999999, "room": "601"},
        {"provider": hotel.pk, "guest": "赵一", "room": "601"},
        {"provider": hotel.pk, "room": "601"},
    ):
        assert client("drafter").post(place, body, format="json").status_code == 400, body
    assert full_snapshot() == before


def test_the_grid_takes_the_same_queries_whatever_the_size(meeting_task, hotel):
    from tests.reception.factories import GuestFactory

    allocate(meeting_task, hotel)
    reader = client("reviewer")
    reader.get(task_url(meeting_task, "lodging/"))
    with count_queries() as few:
        reader.get(task_url(meeting_task, "lodging/"))
    with in_tenant("340100"):
        for n in range(40):
            GuestFactory(task=meeting_task, name=f"代表{n}", unit=f"单位{n % 4}")
    allocate(meeting_task, hotel, rooms=[{"number": f"{10 + n // 10}{n % 10:02d}"} for n in range(45)])
    with count_queries() as many:
        assert len(reader.get(task_url(meeting_task, "lodging/")).json()["hotels"][0]["rooms"]) == 45
    assert len(many) == len(few)
