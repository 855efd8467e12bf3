"""In a real browser: a provider accepts its order in the portal, the drafter opens the reception
list PDF from the task page, and the province's admin reads the completeness map of its
subtree. Data is committed in 蚌埠市 (340300, host bengbu), which the `committed` fixture
empties afterwards; the provider and the report are public rows with names of their own."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from provider_portal.services import provider_add
from tenants.services import user_ensure
from tests.conftest import PASSWORD, api
from tests.e2e.conftest import login
from tests.provider_portal.conftest import cost_body, make_task

pytestmark = pytest.mark.browser

FETCH = """async (url) => {
  const response = await fetch(url);
  const body = Array.from(new Uint8Array(await response.arrayBuffer()));
  return {status: response.status, type: response.headers.get("content-type"), body};
}"""


def _settled_up_to_the_list(task: Any, order_id: str) -> None:
    """Fulfil, report costs, complete, approve the cost and draft the list, through the API."""
    provider = api(None, "e2e-hotel-staff")
    assert provider.post(f"/api/v1/provider/orders/{order_id}/fulfil/", {}, format="json").status_code == 200
    costs = provider.post(f"/api/v1/provider/orders/{order_id}/costs/", cost_body("1234.50"), format="json")
    assert costs.status_code == 200, costs.json()
    handler, finance = api("340300", "340300-handler"), api("340300", "340300-finance")
    assert handler.post(f"/api/v1/tasks/{task.pk}/complete/", {}, format="json").status_code == 200
    assert finance.post(f"/api/v1/orders/{order_id}/approve-cost/", {}, format="json").status_code == 200
    assert finance.post(f"/api/v1/tasks/{task.pk}/reception-list/", {}, format="json").status_code == 201


@pytest.fixture
def public_rows_removed(committed: Any) -> Any:
    """The public rows this test commits that other tests could see (the order index, the report)
    go afterwards; the provider stays (its plan items' rows go with 340300's schema)."""
    yield committed
    from provider_portal.models import OrderIndex
    from reporting.models import Report

    Report.objects.filter(jurisdiction=committed).delete()
    OrderIndex.objects.filter(schema_name=committed.schema_name).delete()


def test_provider_accepts_then_the_list_pdf_then_the_province_dashboard(
    public_rows_removed: Any, chromium: Any, page: Any, site: Any
) -> None:
    committed = public_rows_removed
    staff, _created = user_ensure(username="e2e-hotel-staff", password=PASSWORD, display_name="浏览器宾馆前台")
    hotel, _created = provider_add(
        actor=None, name="浏览器测试宾馆", kind="hotel", serves=[committed], staff_user=staff
    )
    task = make_task("340300", {"hotel": hotel}, title="浏览器结算测试接待")
    dispatched = api("340300", "340300-handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json")
    assert dispatched.status_code == 200, dispatched.json()
    (order,) = api("340300", "340300-handler").get(f"/api/v1/tasks/{task.pk}/orders/").json()

    # The provider signs in on the public host, finds the order in its inbox and accepts it.
    login(page, site, "e2e-hotel-staff", PASSWORD, site(None, "/provider/"))
    page.wait_for_url(site(None, "/provider/"))
    row = page.locator("[data-testid=to-act-row]", has_text="浏览器结算测试接待")  # new orders come first
    assert row.get_attribute("data-changed") == "0"
    row.locator("a").first.click()
    page.wait_for_url(f"**/provider/orders/{order['id']}/")
    page.click("[data-testid=accept]")
    page.wait_for_selector("[data-testid=order-status]:has-text('已接单')")
    assert api("340300", "340300-handler").get(f"/api/v1/tasks/{task.pk}/orders/").json()[0]["status"] == "accepted"

    _settled_up_to_the_list(task, order["id"])

    # The drafter opens the task page and follows the reception list's PDF link.
    context = chromium.new_context(locale="zh-CN")
    drafter = context.new_page()
    drafter.set_default_timeout(15000)
    path = f"/reception/tasks/{task.pk}/"
    login(drafter, site, "340300-drafter", PASSWORD, site("bengbu", path))
    drafter.wait_for_url(site("bengbu", path))
    # The hotel's approved 1,234.50 and the lunch without a provider at its planned 175.50.
    assert drafter.inner_text("[data-testid=list-total]").replace(",", "") == "1410.00"
    link = drafter.get_attribute("[data-testid=list-pdf]", "href")
    # Fetched by the page itself (its session; *.localhost resolves only inside the browser).
    pdf = drafter.evaluate(FETCH, link)
    assert pdf["status"] == 200 and pdf["type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(pdf["body"]))).pages).replace(" ", "")
    assert "公务接待清单" in text and "1,410.00" in text
    context.close()

    # 蚌埠 reports the month upward; the province's admin sees it on the completeness map.
    period = timezone.localdate().strftime("%Y-%m")
    reported = api("340300", "340300-finance").post("/api/v1/reports/", {"period": period}, format="json")
    assert reported.status_code in (200, 201), reported.json()
    context = chromium.new_context(locale="zh-CN")
    province = context.new_page()
    province.set_default_timeout(15000)
    path = f"/reporting/oversight/?period={period}"
    login(province, site, "340000-admin", PASSWORD, site("anhui", path))
    province.wait_for_url(site("anhui", path))
    cell = province.locator("[data-testid=completeness-map] li[data-code='340300']")
    assert cell.get_attribute("data-status") != "missing"
    assert "蚌埠市" in cell.inner_text()
    assert province.locator("[data-testid=completeness-map] li[data-code='340200']").count() == 1
    assert province.locator("[data-testid=totals]").is_visible()
    context.close()
