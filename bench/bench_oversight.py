"""Across the tree: the province's `GET oversight/summary/` over 120 subordinates with 24 months of
reports (median server time and SQL count, which must not grow with the rows), and the fan-out
of one task directive to all 120 targets through a real Celery worker (2 processes) when
CELERY_BROKER_URL names a real broker, else eagerly in this process (said so in the note)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import Context, Result, request_latency

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = "340000"
MONTHS = 24
USERNAME = "bench-oversight-admin"


def _tree() -> Any:
    from django.core.management import call_command

    from tenants.models import Jurisdiction

    # The demo tree: 340000, its 16 cities and 104 counties, made by cloning (as bench_tenancy).
    if Jurisdiction.objects.filter(path__startswith=PROVINCE).count() < 121:
        call_command("seed_demo", password="Bench-pass-2026", stdout=io.StringIO())
    return Jurisdiction.objects.get(code=PROVINCE)


def _admin(province: Any) -> Any:
    from tenants.services import membership_add, user_ensure

    user, _created = user_ensure(username=USERNAME, password="Bench-pass-2026", display_name="bench admin")
    membership_add(actor=None, user=user, jurisdiction=province, role="admin")
    return user


def _periods(months: int) -> list[str]:
    from django.utils import timezone

    from reporting.oversight.selectors import trend_periods
    from reporting.reports.selectors import period_of, previous_month

    return trend_periods(period_of(previous_month(timezone.localdate())), months)


def _fill_reports(province: Any, user: Any, periods: list[str], *, subordinates: int | None = None) -> int:
    """Replace the subtree's reports: one current version per subordinate and period (a second,
    replaced version for every third one, as resubmissions leave)."""
    from reporting.models import Report
    from tenants.models import Jurisdiction

    below = list(Jurisdiction.objects.filter(path__startswith=province.path + ".").order_by("path"))
    below = below[:subordinates] if subordinates is not None else below
    Report.objects.filter(jurisdiction__path__startswith=province.path + ".").delete()
    rows = []
    for i, j in enumerate(below):
        for k, period in enumerate(periods):
            cost = Decimal(1000 + i * 10 + k).quantize(Decimal("0.01"))
            figures = {
                "receptions": 3 + k % 4,
                "guests": 20 + i % 7,
                "accompanying": 5,
                "cost_total": str(cost),
                "cost_by_kind": {
                    "meal": str(cost),
                    "lodging": "0.00",
                    "vehicle": "0.00",
                    "meeting": "0.00",
                    "visit": "0.00",
                },
                "over_standard": 0,
            }
            replaced = (i + k) % 3 == 0
            if replaced:
                rows.append(
                    Report(
                        jurisdiction=j, period=period, version=1, is_current=False, figures=figures, submitted_by=user
                    )
                )
            rows.append(
                Report(
                    jurisdiction=j,
                    period=period,
                    version=2 if replaced else 1,
                    is_current=True,
                    figures=figures,
                    on_time=(i + k) % 5 != 0,
                    submitted_by=user,
                )
            )
    Report.objects.bulk_create(rows, batch_size=2000)
    return len(below)


def _summary(province: Any, user: Any, quick: bool) -> list[Result]:
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=province.host)
    _instance, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    periods = _periods(MONTHS)
    path = f"/api/v1/oversight/summary/?period={periods[-1]}"
    _fill_reports(province, user, periods[-2:], subordinates=3)
    _s, _c, few_queries = request_latency(client, "get", path, repeat=1)
    subordinates = _fill_reports(province, user, periods)
    seconds, status, queries = request_latency(client, "get", path, repeat=20 if quick else 100)
    body = client.get(path).json()
    assert status == 200 and body["expected"] == subordinates == body["reported"], body["expected"]
    from django.test import Client

    browser = Client(HTTP_HOST=province.host)
    browser.force_login(user)
    page_s, page_status, page_queries = request_latency(
        browser, "get", f"/reporting/oversight/?period={periods[-1]}", repeat=5 if quick else 20
    )
    assert page_status == 200, page_status
    return [
        Result(
            f"oversight: GET oversight/summary/ ({subordinates} subordinates × {MONTHS} months)",
            seconds * 1000,
            "ms",
            "<= 50 ms",
            f"{queries} queries (3 subordinates × 2 months: {few_queries})",
            seconds <= 0.050 and queries == few_queries,
        ),
        Result(
            "oversight: dashboard page (map, totals, 12-month trend)",
            page_s * 1000,
            "ms",
            "",
            f"{page_queries} queries",
            None,
        ),
    ]


def _origin_task(province: Any, user: Any) -> int:
    import datetime as dt

    from django.utils import timezone

    from reception.models import Guest, Letter, PlanItem, Task
    from reception.models.plans import default_payer
    from tenants.schema import tenant_context

    day = dt.date(2026, 6, 1)
    with tenant_context(province):
        letter = Letter.objects.create(
            number=f"基准〔2026〕{uuid.uuid4().hex[:6]}号",
            sending_unit="国家发展和改革委员会",
            purpose="inspection_research",
            content="跨市调研",
            people_count=10,
            received_on=day,
        )
        task = Task.objects.create(
            letter=letter,
            title="跨市调研（基准）",
            level="bureau",
            counterpart_unit="省发展改革委",
            start_date=day,
            end_date=day,
            created_by=user,
        )
        Guest.objects.bulk_create(
            Guest(task=task, name=f"来宾{n}", unit="国家发改委", post="处长", grade="division") for n in range(10)
        )
        start = timezone.make_aware(dt.datetime(2026, 6, 1, 8, 0))
        PlanItem.objects.bulk_create(
            PlanItem(
                task=task,
                kind="meal",
                starts_at=start + dt.timedelta(hours=n),
                venue=f"地点{n}",
                meal_type="lunch",
                guests_count=10,
                accompanying_count=3,
                unit_price=Decimal("60.00"),
                quantity=13,
                payer=default_payer("meal", False),
            )
            for n in range(20)
        )
        return task.pk


def _wait_for(directive_id: int, targets: int, timeout: float) -> tuple[int, int]:
    from django.db.models import Count, Q

    from reporting.models import Delivery

    deadline = time.monotonic() + timeout
    while True:
        counts = Delivery.objects.filter(directive_id=directive_id).aggregate(
            done=Count("id", filter=Q(status="delivered")), failed=Count("id", filter=Q(status="failed"))
        )
        done, failed = counts["done"], counts["failed"]
        if done + failed >= targets or time.monotonic() > deadline:
            return done, failed
        time.sleep(0.1)


def _start_worker(queue: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--concurrency", "2", "-l", "warning"],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _fan_out(province: Any, user: Any) -> list[Result]:
    from config.celery import app
    from reporting.directives.services import directive_send
    from tenants.models import Jurisdiction
    from tenants.schema import activate_public, tenant_context
    from tenants.tasks import schema_check

    targets = list(
        Jurisdiction.objects.filter(path__startswith=province.path + ".")
        .order_by("path")
        .values_list("code", flat=True)
    )
    task_id = _origin_task(province, user)
    broker = os.environ.get("CELERY_BROKER_URL", "")
    real = broker.startswith(("redis://", "rediss://", "amqp://"))
    note = "eager in this process (no real broker configured)"
    worker = None
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    try:
        if real:
            queue = f"bench-{uuid.uuid4().hex[:8]}"
            log = ROOT / ".data" / "bench-oversight-worker.log"
            log.parent.mkdir(exist_ok=True)
            worker = _start_worker(queue, log)
            app.conf.task_always_eager = False
            app.conf.task_default_queue = queue
            # Wait until the worker answers (a tenant-aware no-op task) before timing.
            with tenant_context(province):
                schema_check.apply_async(kwargs={"tag": "bench-warmup"}, queue=queue)
            from core.models import AuditEntry

            ready_by = time.monotonic() + 60
            while not AuditEntry.objects.filter(after__tag="bench-warmup").exists() and time.monotonic() < ready_by:
                time.sleep(0.2)
            note = "real worker, Redis broker, prefork concurrency 2"
        started = time.perf_counter()
        with tenant_context(province):
            directive = directive_send(
                actor=user, sender=province, kind="task", title="沿线接待（基准）", targets=targets, task_id=task_id
            )
        activate_public()
        done, failed = _wait_for(directive.pk, len(targets), timeout=120)
        seconds = time.perf_counter() - started
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
    return [
        Result(
            f"oversight: fan-out of one task directive to {len(targets)} targets",
            seconds,
            "s",
            "<= 10 s",
            f"{done} delivered, {failed} failed; {note}",
            seconds <= 10 and done == len(targets),
        )
    ]


def run(ctx: Context) -> list[Result]:
    province = _tree()
    user = _admin(province)
    return [*_summary(province, user, ctx.quick), *_fan_out(province, user)]
