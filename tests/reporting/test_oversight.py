"""GET oversight/summary/: the whole subtree at any depth, totals equal to the children's current
reports, a constant number of queries; who may read it; the trend and drill-down reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from reporting.models import Report
from reporting.oversight.selectors import oversight_trend
from tests.conftest import api, count_queries, user

pytestmark = pytest.mark.django_db
URL = "/api/v1/oversight/summary/"
PERIOD = "2026-05"


def figures(receptions: int, guests: int, cost: str) -> dict[str, Any]:
    return {
        "receptions": receptions,
        "guests": guests,
        "accompanying": 1,
        "cost_total": cost,
        "cost_by_kind": {"meal": cost, "lodging": "0.00", "vehicle": "0.00", "meeting": "0.00", "visit": "0.00"},
        "over_standard": 0,
    }


def report(
    tree: dict[str, Any], code: str, *, period: str = PERIOD, version: int = 1, current: bool = True, **kw: Any
) -> Report:
    return Report.objects.create(
        jurisdiction=tree[code],
        period=period,
        version=version,
        is_current=current,
        figures=kw.pop("figures"),
        submitted_by=user(f"{code}-admin") if code != "340121" else user("340100-admin"),
        **kw,
    )


def test_the_summary_covers_the_whole_subtree_and_totals_the_current_reports(tree):
    report(tree, "340100", figures=figures(3, 10, "1000.50"), status="accepted")
    report(tree, "340123", figures=figures(1, 2, "99.99"), on_time=False)
    report(tree, "340123", version=2, current=False, figures=figures(50, 50, "5000.00"))  # a replaced version
    report(tree, "340200", period="2026-04", figures=figures(7, 7, "700.00"))  # another month
    body = api("340000", "340000-supervisor").get(URL, {"period": PERIOD}).json()
    assert (body["period"], body["expected"], body["reported"], body["on_time"]) == (PERIOD, 5, 2, 1)
    assert body["totals"] == {
        "receptions": 4,
        "guests": 12,
        "accompanying": 2,
        "cost_total": "1100.49",
        "guest_paid_total": "0.00",
    }
    rows = {row["code"]: row for row in body["children"]}
    assert set(rows) == {"340100", "340123", "340121", "340200", "340300"}  # any depth, not the host
    assert (rows["340100"]["status"], rows["340100"]["figures"]["receptions"]) == ("accepted", 3)
    assert (rows["340123"]["status"], rows["340123"]["on_time"]) == ("submitted", False)
    assert (rows["340200"]["status"], rows["340200"]["figures"]) == ("missing", None)
    # the totals are the sum of the children's current reports
    current = [r["figures"] for r in body["children"] if r["figures"]]
    assert sum(f["receptions"] for f in current) == body["totals"]["receptions"]
    assert sum(Decimal(f["cost_total"]) for f in current) == Decimal(body["totals"]["cost_total"])
    # a city sees only its own subtree
    city = api("340100", "340100-admin").get(URL, {"period": PERIOD}).json()
    assert ([c["code"] for c in city["children"]], city["expected"], city["reported"]) == (["340121", "340123"], 2, 1)
    assert city["totals"]["cost_total"] == "99.99"


def test_the_summary_takes_a_constant_number_of_queries(tree):
    client = api("340000", "340000-admin")
    client.get(URL, {"period": PERIOD})
    with count_queries() as few:
        client.get(URL, {"period": PERIOD})
    for code in ("340100", "340123", "340121", "340200"):
        report(tree, code, figures=figures(1, 1, "1.00"))
    with count_queries() as more:
        assert client.get(URL, {"period": PERIOD}).json()["reported"] == 4
    assert len(more) == len(few) <= 6


@pytest.mark.parametrize(
    ("host", "username", "status"),
    [
        ("340100", "340123-admin", 403),  # a county cannot read its city's summary
        ("340200", "340100-admin", 403),  # a city cannot read another city's
        ("340100", "340200-supervisor", 403),
        ("340000", "340000-drafter", 403),
        ("340000", "340000-finance", 403),
        ("340100", "340000-supervisor", 200),  # the province's overseers read below
        ("340100", "340100-supervisor", 200),
    ],
)
def test_who_reads_a_summary(tree, host, username, status):
    assert api(host, username).get(URL, {"period": PERIOD}).status_code == status


@pytest.mark.parametrize("period", ["", "2026-5", "2026-00", "abcd-ef", "0001-01", "9999-12"])
def test_a_bad_period_is_400(tree, period):
    response = api("340000", "340000-admin").get(URL, {"period": period})
    assert response.status_code == 400 and "period" in response.json()


def test_drill_down_reads_a_subordinates_reports_only_within_the_subtree(tree):
    county = report(tree, "340123", figures=figures(1, 2, "3.00"))
    listed = api("340000", "340000-admin").get("/api/v1/oversight/reports/", {"code": "340123"}).json()["results"]
    assert [(r["code"], r["version"]) for r in listed] == [("340123", 1)]
    assert api("340000", "340000-admin").get(f"/api/v1/oversight/reports/{county.pk}/").status_code == 200
    assert api("340200", "340200-admin").get(f"/api/v1/oversight/reports/{county.pk}/").status_code == 404
    assert api("340200", "340200-admin").get("/api/v1/oversight/reports/", {"code": "340123"}).status_code == 404
    assert api("340200", "340100-admin").get("/api/v1/oversight/reports/", {"code": "340123"}).status_code == 403


def test_the_trend_sums_month_by_month(tree):
    report(tree, "340100", period="2026-04", figures=figures(2, 2, "100.00"))
    report(tree, "340200", period="2026-04", figures=figures(1, 1, "100.00"))
    report(tree, "340100", period="2026-05", figures=figures(1, 1, "300.00"))
    trend = oversight_trend(host=tree["340000"], period="2026-05", months=3)
    assert [
        (t["period"], t["reported"], t["receptions"], t["cost_total"], t["cost_change_percent"]) for t in trend
    ] == [
        ("2026-03", 0, 0, Decimal("0.00"), None),
        ("2026-04", 2, 3, Decimal("200.00"), None),
        ("2026-05", 1, 1, Decimal("300.00"), Decimal("50.0")),
    ]
