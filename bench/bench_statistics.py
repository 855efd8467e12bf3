"""Statistics latency: a year with 5,000 held receptions in one tenant (`GET statistics/`), the
province over 120 subordinates' current reports (12 months each), and the yearly PDF report.

The tenant `970000` (`bench-statistics.localhost`) is refilled on every run; the province
`980000` (`bench-province.localhost`) gets 120 plain public jurisdiction rows below it (no
schemas: a superior reads its subordinates' reports, never their schemas) with 1,440 reports."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from bench.common import Context, Result, request_latency

TENANT, TENANT_SLUG = "950000", "bench-stat-tenant"
PROVINCE, PROVINCE_SLUG = "940000", "bench-stat-province"
USERNAME = "bench-statistics-finance"
TASKS, CITIES, COUNTIES_PER_CITY = 5000, 12, 9  # 12 cities + 108 counties = 120 subordinates
YEAR = 2026


def _user() -> Any:
    from tenants.services import user_ensure

    user, _created = user_ensure(username=USERNAME, password="Bench-pass-2026", display_name="bench finance")
    return user


def _tenant(code: str, slug: str, name: str, level: str, user: Any) -> Any:
    from tenants.services import jurisdiction_create, membership_add

    jurisdiction, _created = jurisdiction_create(actor=None, code=code, name=name, level=level, slug=slug)
    membership_add(actor=None, user=user, jurisdiction=jurisdiction, role="finance")
    return jurisdiction


def _fill_tenant(jurisdiction: Any, user: Any, tasks: int) -> None:
    """`tasks` settled receptions over the year: 3 guests, 1 accompanying, a lunch, a room, a car."""
    from django.utils import timezone

    from reception.models import AccompanyingStaff, Guest, Letter, PlanItem, Purpose, ReceptionLevel, Standard, Task
    from reception.models.plans import default_payer
    from tenants.schema import tenant_context

    rng = random.Random(7)
    with tenant_context(jurisdiction):
        Task.objects.all().delete()
        Letter.objects.all().delete()
        letters = [
            Letter.objects.create(
                number=f"基准〔{YEAR}〕{n}号",
                sending_unit="基准来访单位",
                purpose=purpose,
                content="基准测试",
                people_count=3,
                received_on=dt.date(YEAR, 1, 1),
            )
            for n, purpose in enumerate(Purpose.values)
        ]
        # Held receptions were submitted: they recorded the standards version they were checked against.
        standard = Standard.objects.order_by("-version").first()
        levels = ReceptionLevel.values
        units = [f"对口单位{n}" for n in range(20)]
        rows = []
        for n in range(tasks):
            day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
            rows.append(
                Task(
                    letter=letters[n % len(letters)],
                    title=f"基准接待 {n}",
                    level=levels[n % len(levels)],
                    counterpart_unit=units[n % len(units)],
                    start_date=day,
                    end_date=day,
                    status="settled",
                    standard=standard,
                    created_by=user,
                )
            )
        created = Task.objects.bulk_create(rows, batch_size=1000)
        guests, staff, items = [], [], []
        for task in created:
            noon = timezone.make_aware(dt.datetime.combine(task.start_date, dt.time(12)))
            for g in range(3):
                guests.append(Guest(task=task, name=f"来宾{g}", unit="基准来访单位", post="处长", grade="division"))
            staff.append(AccompanyingStaff(task=task, name="陪同", unit="办公室", post="科长"))
            price = Decimal(rng.choice(["45.00", "60.50", "75.00", "120.00"]))
            items.append(
                PlanItem(
                    task=task,
                    kind="meal",
                    meal_type="lunch",
                    starts_at=noon,
                    venue="食堂",
                    guests_count=3,
                    accompanying_count=1,
                    unit_price=price,
                    quantity=4,
                    payer=default_payer("meal", False),
                )
            )
            items.append(
                PlanItem(
                    task=task,
                    kind="lodging",
                    room_type="standard",
                    starts_at=noon,
                    venue="宾馆",
                    guests_count=3,
                    unit_price=Decimal("330.00"),
                    quantity=2,
                    payer=default_payer("lodging", False),
                )
            )
            items.append(
                PlanItem(
                    task=task,
                    kind="vehicle",
                    starts_at=noon,
                    venue="车队",
                    guests_count=3,
                    unit_price=Decimal("200.00"),
                    quantity=1,
                    payer=default_payer("vehicle", False),
                )
            )
        Guest.objects.bulk_create(guests, batch_size=5000)
        AccompanyingStaff.objects.bulk_create(staff, batch_size=5000)
        PlanItem.objects.bulk_create(items, batch_size=5000)


def _fill_province(province: Any, user: Any) -> int:
    """120 subordinates as public rows (no schemas) and a current report per month each."""
    from reporting.models import Report
    from tenants.models import Jurisdiction

    Report.objects.filter(jurisdiction__path__startswith=province.path + ".").delete()
    Jurisdiction.objects.filter(path__startswith=province.path + ".", level="county").delete()
    Jurisdiction.objects.filter(path__startswith=province.path + ".").delete()
    subordinates = []
    for c in range(1, CITIES + 1):
        city_code = f"94{c:02d}00"
        city = Jurisdiction.objects.create(
            code=city_code,
            name=f"基准市{c}",
            level="city",
            parent=province,
            path=f"{province.path}.{city_code}",
            slug=f"bench-stat-city-{c}",
            schema_name=f"j{city_code}",
        )
        subordinates.append(city)
        for k in range(1, COUNTIES_PER_CITY + 1):
            code = f"94{c:02d}{k:02d}"
            subordinates.append(
                Jurisdiction(
                    code=code,
                    name=f"基准县{c}-{k}",
                    level="county",
                    parent=city,
                    path=f"{city.path}.{code}",
                    slug=f"bench-stat-county-{c}-{k}",
                    schema_name=f"j{code}",
                )
            )
    Jurisdiction.objects.bulk_create([j for j in subordinates if j.pk is None])
    everyone = list(Jurisdiction.objects.filter(path__startswith=province.path + "."))
    figures = {
        "receptions": 12,
        "guests": 40,
        "accompanying": 9,
        "cost_total": "12345.67",
        "cost_by_kind": {
            "meal": "5000.00",
            "lodging": "6000.00",
            "vehicle": "1345.67",
            "meeting": "0.00",
            "visit": "0.00",
        },
    }
    Report.objects.bulk_create(
        Report(jurisdiction=j, period=f"{YEAR}-{m:02d}", figures=figures, submitted_by=user)
        for j in everyone
        for m in range(1, 13)
    )
    return len(everyone)


def _client(jurisdiction: Any, user: Any) -> Any:
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=jurisdiction.host)
    _instance, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def run(ctx: Context) -> list[Result]:
    user = _user()
    tenant = _tenant(TENANT, TENANT_SLUG, "基准统计省", "province", user)
    province = _tenant(PROVINCE, PROVINCE_SLUG, "基准省", "province", user)
    tasks = 500 if ctx.quick else TASKS
    started = time.perf_counter()
    _fill_tenant(tenant, user, tasks)
    subordinates = _fill_province(province, user)
    fill_s = time.perf_counter() - started
    repeat = 5 if ctx.quick else 20
    year = f"from={YEAR}-01-01&to={YEAR}-12-31"

    client = _client(tenant, user)
    results = []
    for group in ("month", "level", "counterpart_unit"):
        seconds, status, queries = request_latency(
            client, "get", f"/api/v1/statistics/?{year}&group_by={group}", repeat=repeat
        )
        assert status == 200, status
        results.append(
            Result(
                f"statistics: {tasks:,} receptions in a year, group_by={group}",
                seconds * 1000,
                "ms",
                "<= 150 ms",
                f"{queries} queries",
                seconds <= 0.150,
            )
        )
    data = client.get(f"/api/v1/statistics/?{year}&group_by=month").json()
    assert data["totals"]["receptions"] == tasks, data["totals"]

    pclient = _client(province, user)
    for group in ("jurisdiction", "month"):
        seconds, status, queries = request_latency(
            pclient, "get", f"/api/v1/statistics/?{year}&group_by={group}", repeat=repeat
        )
        assert status == 200, status
        results.append(
            Result(
                f"statistics: province over {subordinates} subordinates' reports (12 months), group_by={group}",
                seconds * 1000,
                "ms",
                "<= 100 ms",
                f"{queries} queries",
                seconds <= 0.100,
            )
        )
    rows = pclient.get(f"/api/v1/statistics/?{year}&group_by=jurisdiction").json()["rows"]
    assert len(rows) == subordinates + 1, len(rows)

    pdf_s, status, queries = request_latency(client, "get", f"/api/v1/statistics/report.pdf?year={YEAR}", repeat=3)
    assert status == 200
    results.append(
        Result(
            f"statistics: yearly PDF report ({tasks:,} receptions)",
            pdf_s,
            "s",
            "<= 2 s",
            f"{queries} queries",
            pdf_s <= 2.0,
        )
    )
    ppdf_s, status, _q = request_latency(pclient, "get", f"/api/v1/statistics/report.pdf?year={YEAR}", repeat=3)
    results.append(
        Result(
            f"statistics: yearly PDF report (province, {subordinates} subordinates)",
            ppdf_s,
            "s",
            "<= 2 s",
            "",
            ppdf_s <= 2.0,
        )
    )
    import os

    load = os.getloadavg()[0]
    results.append(Result("statistics: filling the bench data", fill_s, "s", "", f"load average {load:.1f}", None))
    return results
