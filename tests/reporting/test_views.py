"""Pages: the dashboard per role with server-rendered SVG charts and filters in the URL, warnings,
budget, the printable disclosure notice, the chronicle and inspections."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import HOSTS, in_tenant, refused_page, user

PAGES = [
    "/reporting/",
    "/reporting/warnings/",
    "/reporting/budget/",
    "/reporting/disclosure/",
    "/reporting/chronicle/",
    "/reporting/inspections/",
]


def browser(username: str | None = None, code: str = "340100") -> Client:
    client = Client(HTTP_HOST=HOSTS[code])
    if username:
        client.force_login(user(username))
    return client


def text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_login_and_a_role(tree: Any, path: str) -> None:
    response = browser().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert browser("340100-drafter").get(path).status_code == 403
    assert browser("340123-admin").get(path).status_code == 403  # a county above its city: no
    assert browser("340200-admin").get(path).status_code == 403
    assert browser("340100-finance").get(path).status_code == 200
    assert browser("340000-supervisor").get(path).status_code == 200  # oversight reads


def test_the_dashboard_keeps_filters_in_the_url_and_draws_svg(hefei_receptions: Any, subtree_reports: Any) -> None:
    response = browser("340100-supervisor").get("/reporting/?from=2026-05-01&to=2026-06-30&group_by=level")
    assert response.status_code == 200
    page = text(response)
    assert 'value="2026-05-01"' in page and 'value="2026-06-30"' in page
    assert '<option value="level" selected>' in page
    assert page.count('class="bar"') == 2  # one bar per level
    assert page.count('class="slice"') == 3  # meal, lodging, vehicle
    main = page.split("<main")[1].split("</main>")[0]
    assert "<script" not in main and "http" not in re.sub(r'xmlns="[^"]+"', "", main)
    assert 'data-testid="cost-total">1409.79<' in page
    assert "format=xlsx" in page and "group_by=level" in page
    assert 'data-testid="supervision"' in page  # the supervisor's extra
    assert 'data-testid="budget"' not in page


def test_finance_sees_the_budget_and_bad_filters_fall_back(hefei_receptions: Any) -> None:
    page = text(browser("340100-finance").get("/reporting/?from=nonsense&group_by=colour"))
    assert 'data-testid="budget"' in page
    assert 'data-testid="supervision"' not in page


def test_warnings_page_and_budget_form(hefei_receptions: Any) -> None:
    client = browser("340100-finance")
    response = client.post("/reporting/budget/", {"year": 2026, "amount": "1000.00"})
    assert response.status_code == 303
    page = text(client.get("/reporting/budget/"))
    assert "1000.00" in page
    # Own spending in 2026 (not cancelled): 1,409.79 + 450.00 (July) + 50.00 × 9 (in progress) = 2,309.79
    assert "2309.79" in page
    warnings = text(client.get("/reporting/warnings/"))
    assert 'data-code="annual_budget_exceeded"' in warnings
    refused_page(client.post("/reporting/budget/", {"year": 2026, "amount": "-5"}), 400, "min_value")
    refused_page(
        browser("340100-supervisor").post("/reporting/budget/", {"year": 2026, "amount": "1"}), 403, "forbidden"
    )


def test_the_disclosure_notice_is_printable(hefei_receptions: Any) -> None:
    page = text(browser("340100-admin").get("/reporting/disclosure/?year=2026"))
    assert "合肥市2026年度公务接待情况公告" in page
    assert "全年共接待 4 批次、18 人次，公务接待费支出 1859.79 元" in page
    assert "@media print" not in page and "reporting.css" in page


def test_chronicle_pages(hefei_receptions: Any) -> None:
    client = browser("340100-admin")
    assert client.post("/reporting/chronicle/?year=2026", {"action": "generate"}).status_code == 303
    assert (
        client.post("/reporting/chronicle/?year=2026", {"date": "2026-02-01", "title": "手工条目"}).status_code == 303
    )
    page = text(client.get("/reporting/chronicle/?year=2026"))
    assert "手工条目" in page and page.count("自动生成") >= 2
    from reporting.local.models import ChronicleEntry

    with in_tenant("340100"):
        entry = ChronicleEntry.objects.get(title="手工条目")
    url = f"/reporting/chronicle/{entry.pk}/"
    response = client.post(url, {"date": "2026-02-02", "title": "改过的条目", "body": "", "version": entry.version})
    assert response.status_code == 303
    assert "改过的条目" in text(client.get(url))
    refused_page(browser("340100-finance").post(url, {"action": "delete"}), 403, "forbidden")


def test_inspection_pages(tree: Any) -> None:
    client = browser("340100-supervisor")
    form = text(client.get("/reporting/inspections/"))
    assert "肥西县（340123）" in form and "芜湖市" not in form
    response = client.post(
        "/reporting/inspections/", {"subordinate_code": "340123", "title": "专项检查", "inspected_on": "2026-09-01"}
    )
    assert response.status_code == 303
    detail = response["Location"]
    assert re.fullmatch(r"/reporting/inspections/\d+/", detail)
    for area in ["rules", "standards", "funds", "disclosure", "venues"]:
        client.post(detail, {"area": area, "result": "compliant", "version": 1})
    client.post(detail, {"action": "close", "summary": "符合规定"})
    page = text(client.get(detail))
    assert 'data-testid="status">已结束<' in page
    assert (
        client.post(
            "/reporting/inspections/", {"subordinate_code": "340200", "title": "x", "inspected_on": "2026-09-01"}
        ).status_code
        == 400
    )


def test_the_home_page_links_to_the_reporting_pages(tree: Any) -> None:
    assert 'href="/reporting/"' in text(browser("340100-finance").get("/"))
    assert 'href="/reporting/"' not in text(browser("340100-drafter").get("/"))


def test_the_dashboard_starts_an_export_job_and_lists_it(
    hefei_receptions: Any, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = browser("340100-finance")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reporting/?from=2026-05-01&to=2026-06-30", {"format": "csv"})
    assert response.status_code == 303
    page = text(client.get("/reporting/"))
    match = re.search(r'href="(/api/v1/statistics/exports/[0-9a-f-]+/download/)"', page)
    assert match, page
    download = client.get(match.group(1))
    assert download.status_code == 200
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0].startswith("月份,接待批次")
    assert 'http-equiv="refresh"' not in page  # nothing running any more
    refused_page(browser("340000-supervisor").post("/reporting/", {"format": "csv"}), 403, "forbidden")
