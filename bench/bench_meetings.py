"""Meetings, seating, resources (issue 8): one-click allocation of 500 guests into 300 rooms, a
1,000-row roster import, a 200-seat seating PDF. Each through its service, database included,
median of several runs; the pure allocation is reported beside the whole service call."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

from bench.common import Context, Result, median_seconds

CODE, SLUG, USERNAME = "980000", "bench-meetings", "bench-meetings-drafter"
GRADES = ["provincial_ministerial", "bureau", "division", "division", "section", "other"]


def _setup() -> tuple[Any, Any, Any]:
    from provider_portal.services import provider_add
    from tenants.services import jurisdiction_create, membership_add, user_ensure

    jurisdiction, _created = jurisdiction_create(actor=None, code=CODE, name="会议基准市", level="province", slug=SLUG)
    user, _created = user_ensure(username=USERNAME, password="Bench-pass-2026", display_name="bench drafter")
    membership_add(actor=None, user=user, jurisdiction=jurisdiction, role="drafter")
    hotel, _created = provider_add(actor=None, name="基准会议宾馆", kind="hotel", serves=[jurisdiction])
    return jurisdiction, user, hotel


def _task(jurisdiction: Any, user: Any, guests: int) -> int:
    from reception.models import Guest, Letter, Task
    from tenants.schema import tenant_context

    day = dt.date(2026, 6, 1)
    with tenant_context(jurisdiction):
        Task.objects.all().delete()
        Letter.objects.all().delete()
        letter = Letter.objects.create(
            number="基准〔2026〕8号",
            sending_unit="基准测试单位",
            purpose="attend_meeting",
            content="基准测试",
            people_count=max(guests, 1),
            received_on=day,
        )
        task = Task.objects.create(
            letter=letter,
            title="全省基准工作会议",
            level="bureau",
            counterpart_unit="基准对口单位",
            start_date=day,
            end_date=day + dt.timedelta(days=2),
            created_by=user,
        )
        Guest.objects.bulk_create(
            Guest(task=task, name=f"代表{n}", unit=f"单位{n % 60}", post="处长", grade=GRADES[n % len(GRADES)])
            for n in range(guests)
        )
        return task.pk


def _roster(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "单位", "职务", "级别", "手机号", "抵达时间", "离开时间"])
    for n in range(rows):
        sheet.append(
            [f"代表{n}", f"单位{n % 60}", "处长", "县处级", f"139{n:08d}", "2026-06-01 09:00", "2026-06-03 12:00"]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(ctx: Context) -> list[Result]:
    from reception import lodging as pure
    from reception.seating_pdf import seating_pdf_response
    from reception.selectors.meetings import task_row
    from reception.services.lodging import lodging_allocate
    from reception.services.meetings import roster_import
    from reception.services.seating import seating_generate
    from tenants.schema import tenant_context

    jurisdiction, user, hotel = _setup()
    repeat = 3 if ctx.quick else 5
    results: list[Result] = []

    # 500 guests into 300 rooms (30 suites) on 10 floors.
    rooms = [
        {"number": f"{floor}{n:02d}", "type": "suite" if n <= 3 else "standard"}
        for floor in range(3, 13)
        for n in range(1, 31)
    ]
    task_id = _task(jurisdiction, user, 500)
    with tenant_context(jurisdiction):

        def allocate() -> Any:
            return lodging_allocate(
                actor=user, jurisdiction=jurisdiction, task_id=task_id, provider=hotel.pk, rooms=rooms
            )

        seconds = median_seconds(allocate, repeat=repeat)
        outcome = allocate()
        occupants = [pure.Occupant(n, f"代表{n}", GRADES[n % len(GRADES)], f"单位{n % 60}") for n in range(500)]
        plain = [pure.Room(r["number"], r["type"], pure.room_floor(r["number"])) for r in rooms]
        pure_seconds = median_seconds(
            lambda: pure.allocate(occupants, plain, suite_grades={"provincial_ministerial"}), repeat=repeat
        )
    assert len(outcome.assigned) == 300 and len(outcome.unassigned) == 200
    results.append(
        Result(
            "meetings: allocate 500 guests into 300 rooms (service, database included)",
            seconds,
            "s",
            "<= 1 s",
            f"pure algorithm {pure_seconds * 1000:.1f} ms; 300 assigned, 200 listed unassigned",
            seconds <= 1.0,
        )
    )

    # A 1,000-row roster into a fresh draft each time.
    content = _roster(1000)
    samples = []
    for _ in range(repeat):
        fresh = _task(jurisdiction, user, 0)
        with tenant_context(jurisdiction):
            started = time.perf_counter()
            imported = roster_import(actor=user, jurisdiction=jurisdiction, task_id=fresh, content=content)
            samples.append(time.perf_counter() - started)
        assert len(imported.guests) == 1000
    samples.sort()
    roster_seconds = samples[len(samples) // 2]
    results.append(
        Result("meetings: import a 1,000-row .xlsx roster", roster_seconds, "s", "<= 5 s", "", roster_seconds <= 5.0)
    )

    # A 200-seat podium chart as a PDF (the chart read from the database, drawn, returned).
    task_id = _task(jurisdiction, user, 200)
    with tenant_context(jurisdiction):
        seating_generate(actor=user, jurisdiction=jurisdiction, task_id=task_id, layout="podium", group_size=20)
        task = task_row(task_id)
        pdf_seconds = median_seconds(lambda: seating_pdf_response(task, "podium"), repeat=repeat)
        size = len(seating_pdf_response(task, "podium").content)
        seating_generate(actor=user, jurisdiction=jurisdiction, task_id=task_id, layout="banquet", group_size=10)
        banquet_seconds = median_seconds(lambda: seating_pdf_response(task, "banquet"), repeat=repeat)
    results.append(
        Result(
            "meetings: 200-seat seating PDF (podium, rows of 20)",
            pdf_seconds,
            "s",
            "<= 1 s",
            f"{size / 1024:.0f} KiB; banquet of 200 guests at 25 tables: {banquet_seconds * 1000:.0f} ms",
            pdf_seconds <= 1.0,
        )
    )
    return results
