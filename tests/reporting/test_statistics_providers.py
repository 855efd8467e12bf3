"""Statistics by provider (`group_by=provider`) against a hand-computed fixture: a row per provider
that served a held reception plus `none`, each row's figures exact, costs adding up to the
totals, the totals counting each reception once; files, the export job, the page, permissions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import HOSTS, api, count_queries, in_tenant, user
from tests.reporting.conftest import STATISTICS, UNIT_B, held

RANGE = "from=2026-05-01&to=2026-06-30"
QUERY = f"{RANGE}&group_by=provider"
TOTALS_LABEL = "合计（批次、人次按接待去重，不是各行之和；费用为各行之和）"


def serve(task: Any, **providers: Any) -> None:
    """Give the task's items of each kind a provider (`meal=restaurant`, …)."""
    for kind, provider in providers.items():
        task.items.filter(kind=kind).update(provider=provider)


@pytest.fixture
def served(tree: dict[str, Any]) -> dict[str, Any]:
    """Four receptions held in May–June 2026 in 合肥 and three that do not count.

    T1 completed 05-06: 3 guests, 1 accompanying; meal 58.50 × 7 = 409.50 by 合肥饭店, lodging
       330.00 × 2 by 稻香楼宾馆 with its order's cost approved at 612.30, vehicle 0.10 × 3 = 0.30
       without a provider
    T2 settled 05-31 (division): 2 guests; meal 80.00 × 3 = 240.00 by 合肥饭店 (over the division
       lunch ceiling of 70: one finding), its order's cost reported at 1.00 but not approved
    T3 settled 06-15: 4 guests, 2 accompanying; meal 33.33 × 3 = 99.99 without a provider,
       lodging 200.00 × 1 by 稻香楼宾馆
    T4 completed 06-20: 1 guest, no items (in the totals, in no row)
    A cancelled and a draft task in May and a completed one in July, served by all three
    providers (市机关车队 serves only these: no row).
    """
    from provider_portal.services import provider_add
    from tests.reception.factories import order_for

    hefei = [tree["340100"]]
    hotel, _created = provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=hefei)
    restaurant, _created = provider_add(actor=None, name="合肥饭店", kind="restaurant", serves=hefei)
    fleet, _created = provider_add(actor=None, name="市机关车队", kind="fleet", serves=hefei)
    with in_tenant("340100"):
        t1 = held(
            status="completed",
            start=dt.date(2026, 5, 6),
            guests=3,
            accompanying=1,
            items=[("meal", "lunch", "58.50", 7), ("lodging", "", "330.00", 2), ("vehicle", "", "0.10", 3)],
        )
        serve(t1, meal=restaurant, lodging=hotel)
        order_for(t1.items.get(kind="lodging"), provider=hotel, status="cost_approved", cost="612.30")
        t2 = held(
            status="settled",
            start=dt.date(2026, 5, 31),
            level="division",
            purpose="attend_meeting",
            unit=UNIT_B,
            guests=2,
            items=[("meal", "lunch", "80.00", 3)],
        )
        serve(t2, meal=restaurant)
        order_for(t2.items.get(kind="meal"), provider=restaurant, status="cost_reported", cost="1.00")
        t3 = held(
            status="settled",
            start=dt.date(2026, 6, 15),
            guests=4,
            accompanying=2,
            items=[("meal", "dinner", "33.33", 3), ("lodging", "", "200.00", 1)],
        )
        serve(t3, lodging=hotel)
        t4 = held(status="completed", start=dt.date(2026, 6, 20), guests=1)
        for status, start in (
            ("cancelled", dt.date(2026, 5, 10)),
            ("draft", dt.date(2026, 5, 12)),
            ("completed", dt.date(2026, 7, 1)),
        ):
            other = held(
                status=status,
                start=start,
                guests=9,
                accompanying=3,
                items=[("meal", "lunch", "50.00", 9), ("lodging", "", "300.00", 1), ("vehicle", "", "100.00", 1)],
            )
            serve(other, meal=restaurant, lodging=hotel, vehicle=fleet)
    return {"hotel": hotel, "restaurant": restaurant, "fleet": fleet, "t1": t1, "t2": t2, "t3": t3, "t4": t4}


def kinds(**amounts: str) -> dict[str, str]:
    return {kind: amounts.get(kind, "0.00") for kind in ("meal", "lodging", "vehicle", "meeting", "visit")}


def expected_rows(served: dict[str, Any]) -> list[dict[str, Any]]:
    """Ordered by name (合 U+5408 before 稻 U+7A3B), `none` last."""
    return [
        {
            "key": str(served["restaurant"].pk),
            "label": "合肥饭店",
            "receptions": 2,  # T1, T2
            "guests": 5,
            "accompanying": 1,
            "cost_total": "649.50",  # 409.50 + 240.00 (T2's reported 1.00 is not approved)
            "cost_by_kind": kinds(meal="649.50"),
            "guest_paid_total": "0.00",
            "average_per_guest": "129.90",
            "over_standard": 1,  # T2's lunch
        },
        {
            "key": str(served["hotel"].pk),
            "label": "稻香楼宾馆",
            "receptions": 2,  # T1, T3
            "guests": 7,
            "accompanying": 3,
            "cost_total": "812.30",  # 612.30 approved instead of 660.00 planned, + 200.00
            "cost_by_kind": kinds(lodging="812.30"),
            "guest_paid_total": "0.00",
            "average_per_guest": "116.04",  # 812.30 / 7 = 116.042…
            "over_standard": 0,
        },
        {
            "key": "none",
            "label": "无服务单位",
            "receptions": 2,  # T1 (vehicle), T3 (meal)
            "guests": 7,
            "accompanying": 3,
            "cost_total": "100.29",
            "cost_by_kind": kinds(meal="99.99", vehicle="0.30"),
            "guest_paid_total": "0.00",
            "average_per_guest": "14.33",  # 100.29 / 7 = 14.327…
            "over_standard": 0,
        },
    ]


TOTALS = {
    "receptions": 4,  # T1–T4, each once
    "guests": 10,
    "accompanying": 3,
    "cost_total": "1562.09",
    "cost_by_kind": kinds(meal="749.49", lodging="812.30", vehicle="0.30"),
    "guest_paid_total": "0.00",
    "average_per_guest": "156.21",  # 1562.09 / 10
    "over_standard": 1,
}


def get(query: str = QUERY, code: str = "340100", username: str = "340100-finance") -> Any:
    response = api(code, username).get(f"{STATISTICS}?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_row_per_provider_that_served_a_held_reception_and_one_without(served: Any) -> None:
    data = get()
    assert (data["group_by"], data["scope"]) == ("provider", "own")
    assert data["rows"] == expected_rows(served)
    assert str(served["fleet"].pk) not in [row["key"] for row in data["rows"]]  # served nothing held


def test_totals_count_each_reception_once_and_the_rows_costs_add_up_to_them(served: Any) -> None:
    data = get()
    assert data["totals"] == TOTALS
    rows = data["rows"]
    assert sum(Decimal(row["cost_total"]) for row in rows) == Decimal(TOTALS["cost_total"])
    for kind, amount in TOTALS["cost_by_kind"].items():
        assert sum(Decimal(row["cost_by_kind"][kind]) for row in rows) == Decimal(amount)
    # T1 is served by all three rows and T3 by two: the rows' receptions are not the total.
    assert sum(row["receptions"] for row in rows) == 6 != TOTALS["receptions"]
    # The same receptions, grouped by any task field, give the same totals.
    assert get(f"{RANGE}&group_by=month")["totals"] == TOTALS


def test_costs_are_the_figures_modules(served: Any) -> None:
    from reception.figures import period_figures

    with in_tenant("340100"):
        figures = period_figures(dt.date(2026, 5, 1), dt.date(2026, 6, 30))
    assert figures.cost_total == Decimal(TOTALS["cost_total"])
    assert {k: str(v) for k, v in figures.cost_by_kind.items()} == {
        k: v for k, v in TOTALS["cost_by_kind"].items() if v != "0.00"
    }


def test_a_superior_gets_its_own_data_only_since_reports_carry_no_provider(served: Any, subtree_reports: Any) -> None:
    data = get(f"{QUERY}&scope=subtree", username="340100-supervisor")
    assert data["scope"] == "own"
    assert data["rows"] == expected_rows(served)
    assert data["totals"] == TOTALS
    # The province reads 合肥 through its reports only: by provider it has nothing of its own.
    province = get(QUERY, code="340000", username="340000-admin")
    assert (province["scope"], province["rows"], province["totals"]["receptions"]) == ("own", [], 0)


def test_nothing_held_gives_no_rows_and_zero_totals(tree: Any) -> None:
    data = get()
    assert data["rows"] == []
    assert data["totals"]["receptions"] == 0 and data["totals"]["cost_total"] == "0.00"


def test_queries_do_not_grow_with_the_rows(served: Any) -> None:
    from reporting.statistics.selectors import statistics

    with in_tenant("340100") as hefei, count_queries() as queries:
        stats = statistics(
            jurisdiction=hefei, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), group_by="provider"
        )
    assert len(stats.rows) == 4  # July's reception brings 市机关车队 in
    assert len(queries) <= 8, queries


# --- Files and the export job ----------------------------------------------------------------


def test_xlsx_rows_match_the_json_and_the_totals_row_says_how_it_counts(served: Any) -> None:
    client = api("340100", "340100-finance")
    data = client.get(f"{STATISTICS}?{QUERY}").json()
    response = client.get(f"{STATISTICS}?{QUERY}&format=xlsx")
    assert response.status_code == 200
    assert 'filename="statistics-provider-2026-05-01-2026-06-30.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:2] == ["服务单位", "接待批次"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [row[0] for row in rows] == [
        f"合肥饭店（{served['restaurant'].pk}）",
        f"稻香楼宾馆（{served['hotel'].pk}）",
        "无服务单位（none）",
        TOTALS_LABEL,
    ]
    for json_row, cells in zip([*data["rows"], data["totals"]], rows, strict=True):
        assert cells[1:4] == [json_row["receptions"], json_row["guests"], json_row["accompanying"]]
        assert Decimal(str(cells[4])) == Decimal(json_row["cost_total"])
        assert [Decimal(str(c)) for c in cells[5:10]] == [Decimal(v) for v in json_row["cost_by_kind"].values()]
    assert rows[-1][1:4] == [4, 10, 3]


def test_csv_rows_match_the_json(served: Any) -> None:
    response = api("340100", "340100-supervisor").get(f"{STATISTICS}?{QUERY}&format=csv")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    hotel, restaurant = served["hotel"].pk, served["restaurant"].pk
    assert [line[:5] for line in lines[1:]] == [
        [f"合肥饭店（{restaurant}）", "2", "5", "1", "649.50"],
        [f"稻香楼宾馆（{hotel}）", "2", "7", "3", "812.30"],
        ["无服务单位（none）", "2", "7", "3", "100.29"],
        [TOTALS_LABEL, "4", "10", "3", "1562.09"],
    ]


def test_an_export_job_by_provider(
    served: Any, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = api("340100", "340100-finance")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/statistics/exports/",
            {"from": "2026-05-01", "to": "2026-06-30", "group_by": "provider", "format": "xlsx"},
            format="json",
        )
    assert response.status_code == 201, response.content
    job = client.get(f"/api/v1/statistics/exports/{response.json()['id']}/").json()
    assert (job["status"], job["params"]["group_by"]) == ("done", "provider")
    book = load_workbook(io.BytesIO(b"".join(client.get(job["download"]).streaming_content)))
    summary = [[c.value for c in row] for row in book["统计"].iter_rows(min_row=3)]
    assert [(row[0], row[1], Decimal(str(row[4]))) for row in summary] == [
        (f"合肥饭店（{served['restaurant'].pk}）", 2, Decimal("649.50")),
        (f"稻香楼宾馆（{served['hotel'].pk}）", 2, Decimal("812.30")),
        ("无服务单位（none）", 2, Decimal("100.29")),
        (TOTALS_LABEL, 4, Decimal("1562.09")),
    ]
    detail = [row[0] for row in book["明细"].iter_rows(min_row=2, values_only=True)]
    assert detail == [served[t].pk for t in ("t1", "t2", "t3", "t4")]


# --- The page, the schema, permissions -------------------------------------------------------


def browser(username: str, code: str = "340100") -> Client:
    client = Client(HTTP_HOST=HOSTS[code])
    client.force_login(user(username))
    return client


def test_the_dashboard_offers_the_grouping_and_keeps_it_in_the_url(served: Any) -> None:
    response = browser("340100-supervisor").get(f"/reporting/?{QUERY}")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="provider" selected>按服务单位</option>' in page
    assert page.count('class="bar"') == 3
    for label in ("合肥饭店", "稻香楼宾馆", "无服务单位"):
        assert f"<td>{label}</td>" in page
    assert f'data-testid="totals-label">{TOTALS_LABEL}<' in page
    assert 'data-testid="cost-total">1562.09<' in page
    assert "format=xlsx" in page and "group_by=provider" in page
    # Another grouping keeps the plain label.
    other = browser("340100-supervisor").get(f"/reporting/?{RANGE}&group_by=level").content.decode()
    assert 'data-testid="totals-label">合计<' in other and '<option value="provider">' in other


def test_the_openapi_schema_lists_the_grouping(tree: Any) -> None:
    schema = Client(HTTP_HOST=HOSTS["340100"]).get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/statistics/"]["get"]["parameters"]
    (group_by,) = [p for p in parameters if p["name"] == "group_by"]
    assert "provider" in group_by["schema"]["enum"]
    export_group_by = schema["components"]["schemas"]["ExportInputRequest"]["properties"]["group_by"]
    (ref,) = [part["$ref"] for part in export_group_by["allOf"]]
    assert "provider" in schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["enum"]


@pytest.mark.parametrize("username", ["340200-admin", "340200-supervisor", "340123-admin", "340100-drafter"])
def test_others_cannot_read_it(served: Any, username: str) -> None:
    assert api("340100", username).get(f"{STATISTICS}?{QUERY}").status_code == 403
    assert api("340100", username).get(f"{STATISTICS}?{QUERY}&format=csv").status_code == 403
    assert browser(username).get(f"/reporting/?{QUERY}").status_code == 403


def test_another_jurisdiction_sees_none_of_it_on_its_own_host(served: Any) -> None:
    data = get(QUERY, code="340200", username="340200-admin")
    assert data["rows"] == [] and data["totals"]["cost_total"] == "0.00"
