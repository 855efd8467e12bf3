"""Satisfaction (满意度评价) beside the statistics: the API's `satisfaction` and the dashboard's
figure, over the receptions held here in the range (reports upward carry none)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from reception.models import Evaluation
from tests.conftest import HOSTS, api, in_tenant, user
from tests.reporting.conftest import STATISTICS

RANGE = "from=2026-05-01&to=2026-06-30"


def _evaluate(hefei_receptions: dict[str, Any]) -> None:
    """T1 5 and 4, T3 4 (held in the range); the July reception's 1 is outside it."""
    with in_tenant("340100"):
        from reception.models import Task

        Evaluation.objects.create(task=hefei_receptions["t1"], party="visiting_unit", score=5)
        Evaluation.objects.create(task=hefei_receptions["t1"], party="counterpart", score=4)
        Evaluation.objects.create(task=hefei_receptions["t3"], party="visiting_unit", score=4)
        july = Task.objects.get(status="completed", start_date__month=7)
        Evaluation.objects.create(task=july, party="visiting_unit", score=1)


def test_the_api_gives_the_ranges_evaluations_and_their_average(hefei_receptions: Any) -> None:
    response = api("340100", "340100-finance").get(f"{STATISTICS}?{RANGE}&group_by=month")
    assert response.json()["satisfaction"] == {"evaluations": 0, "average": None}
    _evaluate(hefei_receptions)
    data = api("340100", "340100-finance").get(f"{STATISTICS}?{RANGE}&group_by=provider").json()
    assert data["satisfaction"] == {"evaluations": 3, "average": "4.3"}  # (5 + 4 + 4) / 3
    july = api("340100", "340100-admin").get(f"{STATISTICS}?from=2026-07-01&to=2026-07-31").json()
    assert july["satisfaction"] == {"evaluations": 1, "average": "1.0"}
    # a superior's statistics read reports for the subtree; satisfaction stays its own (none here)
    province = api("340000", "340000-admin").get(f"{STATISTICS}?{RANGE}").json()
    assert province["satisfaction"] == {"evaluations": 0, "average": None}
    # another jurisdiction's users read nothing of it
    assert api("340100", "340200-admin").get(f"{STATISTICS}?{RANGE}").status_code in (403, 404)


def test_the_dashboard_shows_the_average_and_the_count(hefei_receptions: Any) -> None:
    client = Client(HTTP_HOST=HOSTS["340100"])
    client.force_login(user("340100-finance"))
    page = client.get(f"/reporting/?{RANGE}").content.decode()
    assert '<div class="figure" data-testid="satisfaction"><strong>—</strong>' in page
    _evaluate(hefei_receptions)
    page = client.get(f"/reporting/?{RANGE}").content.decode()
    assert (
        '<div class="figure" data-testid="satisfaction"><strong>4.3 / 5</strong><span>满意度（3 条评价）</span>' in page
    )
    english = client.get(f"/reporting/?{RANGE}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Satisfaction (3 evaluations)" in english
