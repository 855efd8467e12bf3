"""The demo step of seed_demo: sample letters and tasks in 340100, once."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone

from reception.demo import seed_reception
from reception.models import Letter, Task
from reception.selectors import task_detail
from reception.selectors.rules import task_checks
from tests.conftest import in_tenant

pytestmark = pytest.mark.django_db


def test_demo_tasks_stand_at_each_step_and_a_second_run_adds_nothing(tree):
    out = io.StringIO()
    seed_reception("unused", out)
    with in_tenant("340100") as hefei:
        assert sorted(Letter.objects.values_list("status", flat=True)) == [
            "registered",
            "registered",
            "registered",
            "submitted_by_visitor",
        ]
        tasks = {t.title: t for t in Task.objects.select_related("handler")}
        assert {title: t.status for title, t in tasks.items()} == {
            "省发改委重点项目调研接待": "draft",
            "省财政厅预算执行检查接待": "submitted",
            "省农业农村厅高标准农田调研接待": "in_progress",
        }
        assert tasks["省农业农村厅高标准农田调研接待"].handler.username == "340100-handler"
        draft = task_detail(tasks["省发改委重点项目调研接待"].pk)
        assert [f.code for f in task_checks(draft, jurisdiction=hefei).errors] == ["accompany_limit"]
    seed_reception("unused", out)
    with in_tenant("340100"):
        assert (Letter.objects.count(), Task.objects.count()) == (4, 3)
    assert out.getvalue().splitlines()[-1] == "demo reception: already present"


def test_demo_orders_dispatch_the_task_in_progress_once(tree):
    from provider_portal.demo import seed_providers
    from provider_portal.models import AgreedPrice, OrderIndex
    from reception.demo import seed_orders

    out = io.StringIO()
    seed_providers("Demo-pass-2026", out)
    assert AgreedPrice.objects.filter(area__jurisdiction__code="340100").count() == 4
    seed_reception("unused", out)
    seed_orders("unused", out)
    rows = list(OrderIndex.objects.filter(jurisdiction__code="340100").values_list("task_title", "kind", "status"))
    assert rows == [("省农业农村厅高标准农田调研接待", "lodging", "accepted")]
    seed_orders("unused", out)
    seed_providers("Demo-pass-2026", out)
    assert OrderIndex.objects.count() == 1
    assert AgreedPrice.objects.filter(area__jurisdiction__code="340100").count() == 4
    assert out.getvalue().splitlines()[-2] == "demo orders: already present"


def test_demo_history_holds_receptions_in_each_of_the_ten_months_before_this_one_once(tree):
    from reception.demo_history import seed_history
    from reception.figures import period_figures

    out = io.StringIO()
    seed_history("unused", out)
    summary = "demo history: 13 receptions held in 340100 over the 10 months before this one"
    assert out.getvalue().splitlines()[-1] == summary
    today = timezone.localdate()
    with in_tenant("340100"):
        held = Task.objects.filter(status="completed")
        assert held.count() == Task.objects.count() == 13
        months = {(t.start_date.year, t.start_date.month) for t in held}
        assert len(months) == 10 and (today.year, today.month) not in months
        assert all(t.start_date < today.replace(day=1) for t in held)
        assert all(t.letter_id for t in held)  # no letter, no reception
        first = min(held, key=lambda t: t.start_date).start_date
        figures = period_figures(first, today)
        # visits cycle through five delegations of 6, 4, 8, 5 and 3 guests (2, 1, 3, 2, 1 accompanying)
        assert (figures.receptions, figures.guests, figures.accompanying) == (13, 64, 22)
        # The working lunches and the cars are the host's spending; the rooms the guests paid.
        assert (figures.cost_total, figures.guest_paid_total) == (Decimal("9906.00"), Decimal("15480.00"))
        assert figures.cost_total + figures.guest_paid_total == Decimal("25386.00")
    seed_history("unused", out)
    with in_tenant("340100"):
        assert Task.objects.count() == 13
    assert out.getvalue().splitlines()[-1] == "demo history: already present"
