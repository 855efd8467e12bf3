"""Reporting fixtures: an origin task in the province (340000) to push down; held receptions in
合肥 (340100) with hand-computed figures, and current
reports of its subordinates (Report rows written directly, as the submission service would)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from reception.models import AccompanyingStaff
from tests.conftest import in_tenant, user
from tests.reception.factories import GuestFactory, LetterFactory, PlanItemFactory, TaskFactory, at


@pytest.fixture
def origin_task(tree: dict[str, Any]) -> Any:
    """A province task (approved) with two guests and a meal and a lodging item with providers unset."""
    with in_tenant("340000"):
        task = TaskFactory(
            title="国家发改委调研安徽", status="approved", created_by=user("340000-drafter"), level="bureau"
        )
        GuestFactory.create_batch(2, task=task)
        PlanItemFactory(task=task)
        PlanItemFactory(task=task, kind="lodging", meal_type="", unit_price=Decimal("380.00"), quantity=2)
    return task


STATISTICS = "/api/v1/statistics/"
UNIT_A, UNIT_B = "市发改委", "市教育局"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def held(
    *,
    status: str,
    start: dt.date,
    level: str = "bureau",
    purpose: str = "inspection_research",
    unit: str = UNIT_A,
    guests: int = 0,
    accompanying: int = 0,
    items: list[tuple[str, str, str, int]] = (),  # type: ignore[assignment]
    budget: str | None = None,
) -> Any:
    """A task in the current schema; items are (kind, meal_type, unit price, quantity), each paid
    by the host (guest-paid amounts are tested on their own)."""
    task = TaskFactory(
        status=status,
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        level=level,
        counterpart_unit=unit,
        letter=LetterFactory(purpose=purpose),
        budget=Decimal(budget) if budget is not None else None,
    )
    for _ in range(guests):
        GuestFactory(task=task)
    for n in range(accompanying):
        AccompanyingStaff.objects.create(task=task, name=f"陪同{n}", unit="市政府办公室", post="科长")
    for kind, meal_type, price, quantity in items:
        PlanItemFactory(
            task=task,
            kind=kind,
            meal_type=meal_type,
            starts_at=at(12, day=start),
            unit_price=Decimal(price),
            quantity=quantity,
            guests_count=5,
            accompanying_count=2 if kind == "meal" else 0,
            room_type="standard" if kind == "lodging" else "",
            # The host paid (a meal is the reception's working meal): these figures are spending.
            working_meal=kind == "meal",
            payer="host",
        )
    return task


@pytest.fixture
def hefei_receptions(tree: dict[str, Any]) -> dict[str, Any]:
    """Three held receptions in May–June 2026 and three that do not count.

    T1 completed 05-06 bureau/inspection_research/A: 3 guests, 1 accompanying;
       meal 58.50 × 7 = 409.50, lodging 330.00 × 2 = 660.00 → 1,069.50
    T2 settled 05-31 division/attend_meeting/B: 2 guests; meal 80.00 × 3 = 240.00 (over the
       division lunch ceiling of 70: one over-standard item), vehicle 0.10 × 3 = 0.30 → 240.30
    T3 settled 06-15 bureau/attend_meeting/A: 4 guests, 2 accompanying; meal 33.33 × 3 = 99.99
    """
    with in_tenant("340100"):
        t1 = held(
            status="completed",
            start=dt.date(2026, 5, 6),
            guests=3,
            accompanying=1,
            items=[("meal", "lunch", "58.50", 7), ("lodging", "", "330.00", 2)],
        )
        t2 = held(
            status="settled",
            start=dt.date(2026, 5, 31),
            level="division",
            purpose="attend_meeting",
            unit=UNIT_B,
            guests=2,
            items=[("meal", "lunch", "80.00", 3), ("vehicle", "", "0.10", 3)],
        )
        t3 = held(
            status="settled",
            start=dt.date(2026, 6, 15),
            purpose="attend_meeting",
            guests=4,
            accompanying=2,
            items=[("meal", "dinner", "33.33", 3)],
        )
        held(status="in_progress", start=dt.date(2026, 5, 10), guests=9, items=[("meal", "lunch", "50", 9)])
        held(status="cancelled", start=dt.date(2026, 5, 10), guests=9, items=[("meal", "lunch", "50", 9)])
        held(status="completed", start=dt.date(2026, 7, 1), guests=9, items=[("meal", "lunch", "50", 9)])
    return {"t1": t1, "t2": t2, "t3": t3}


def figures(receptions: int, guests: int, accompanying: int, **by_kind: str) -> dict[str, Any]:
    kinds = {kind: by_kind.get(kind, "0.00") for kind in ("meal", "lodging", "vehicle", "meeting", "visit")}
    total = sum((Decimal(v) for v in kinds.values()), Decimal("0.00"))
    return {
        "receptions": receptions,
        "guests": guests,
        "accompanying": accompanying,
        "cost_total": str(total),
        "cost_by_kind": kinds,
    }


def report(code: str, period: str, data: dict[str, Any], *, version: int = 1, current: bool = True) -> Any:
    from reporting.models import Report
    from tenants.models import Jurisdiction

    return Report.objects.create(
        jurisdiction=Jurisdiction.objects.get(code=code),
        period=period,
        version=version,
        is_current=current,
        figures=data,
        submitted_by=user(f"{code}-finance") if code != "340121" else user("340100-finance"),
    )


@pytest.fixture
def subtree_reports(tree: dict[str, Any]) -> None:
    """肥西 (340123): May 2 receptions / 6 guests / 1 accompanying / 500.00 (meal 300, lodging 200);
    June v2 (current) 1 / 2 / 0 / 100.50 meal, v1 superseded; 长丰 (340121): July only (out of
    range); 芜湖 (340200, not under 合肥): May."""
    report("340123", "2026-05", figures(2, 6, 1, meal="300.00", lodging="200.00"))
    report("340123", "2026-06", figures(9, 90, 9, meal="9999.00"), version=1, current=False)
    report("340123", "2026-06", figures(1, 2, 0, meal="100.50"), version=2)
    report("340121", "2026-07", figures(5, 5, 5, meal="55.00"))
    report("340200", "2026-05", figures(7, 7, 7, meal="77.00"))
