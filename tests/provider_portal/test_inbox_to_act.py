"""The provider's inbox puts first what waits for it (新订单和变更的订单): new orders and orders an
approved amendment changed and sent back, in every jurisdiction it serves, each changed one
marked with what changed; then the rest. And its orders of the day (今日订单)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from provider_portal import selectors
from provider_portal.models import OrderIndex
from provider_portal.orders.models import Order
from reception.models import PlanItem
from tests.conftest import in_tenant
from tests.provider_portal.conftest import make_task, provider_api, staff_api
from tests.provider_portal.test_pages import page_client, text

pytestmark = pytest.mark.django_db

REASON = "来宾改为两晚"


def dispatch(code: str, task: Any) -> dict[str, str]:
    response = staff_api(code, "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json")
    assert response.status_code == 200, response.content
    with in_tenant(code):
        return {o.kind: str(o.pk) for o in Order.objects.filter(task_id=task.pk)}


def amend_lodging(code: str, task: Any, **changes: Any) -> None:
    amend = staff_api(code, "handler").post(f"/api/v1/tasks/{task.pk}/amend/", {"reason": REASON}, format="json")
    assert amend.status_code == 200, amend.content
    with in_tenant(code):
        PlanItem.objects.filter(task=task, kind="lodging").update(**changes)
    for role, action in [("drafter", "submit"), ("reviewer", "approve")]:
        response = staff_api(code, role).post(f"/api/v1/tasks/{task.pk}/{action}/", {}, format="json")
        assert response.status_code == 200, response.content


def rows(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}" data-(?:order|status)="([^"]+)"', html)


def test_new_and_changed_orders_come_first_across_jurisdictions_then_the_rest(providers: dict[str, Any]) -> None:
    # given: the hotel has orders from 合肥 (one accepted, then changed by an amendment), from
    # 肥西 (new), and one it accepted and that nobody changed
    hefei = make_task("340100", providers, title="合肥调研接待")
    feixi = make_task("340123", {"hotel": providers["hotel"]}, title="肥西调研接待")
    settled = make_task("340100", providers, title="已接单的接待")
    changed_id = dispatch("340100", hefei)["lodging"]
    new_id = dispatch("340123", feixi)["lodging"]
    accepted_id = dispatch("340100", settled)["lodging"]
    hotel = provider_api("p-hotel")
    for order_id in (changed_id, accepted_id):
        assert hotel.post(f"/api/v1/provider/orders/{order_id}/accept/").status_code == 200
    with in_tenant("340100"):
        old_start = PlanItem.objects.get(task=hefei, kind="lodging").starts_at
    amend_lodging("340100", hefei, quantity=2, venue="稻香楼宾馆5号楼", starts_at=old_start + dt.timedelta(hours=2))

    # when the hotel opens its inbox
    html = text(page_client(None, "p-hotel").get("/provider/"))

    # then both orders waiting for it come first, soonest first, the changed one marked as such
    assert rows(html, "to-act-row") == sorted([changed_id, new_id], key=_start)
    assert 'data-testid="to-act-count">2<' in html
    changed_row = _row(html, changed_id)
    assert 'data-changed="1"' in changed_row and 'data-testid="changed-badge"' in changed_row
    assert 'data-changed="0"' in _row(html, new_id) and 'data-testid="new-badge"' in _row(html, new_id)
    changes = re.findall(r'data-testid="change">([^<]+)<', changed_row)
    start, later = _local(old_start), _local(old_start + dt.timedelta(hours=2))
    assert changes == [
        f"开始时间 {start} → {later}",
        "地点 稻香楼宾馆3号楼 → 稻香楼宾馆5号楼",
        "数量 4 → 2",
        "计划金额 1520.00 → 760.00",
    ]
    # and the rest below: what it has acted on, never the orders waiting for it again
    assert rows(html, "inbox-row") == ["accepted"]
    assert accepted_id in html.split('data-testid="inbox"')[1]


def _start(order_id: str) -> Any:
    return OrderIndex.objects.get(pk=order_id).starts_at


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _row(html: str, order_id: str) -> str:
    found = re.search(rf'<li data-testid="to-act-row" data-order="{order_id}".*?</li>', html, re.S)
    assert found is not None
    return found.group(0)


def test_changes_read_as_labels_and_local_times() -> None:
    from provider_portal.views import amendment_rows

    changes = [
        {"field": "room_type", "before": "standard", "after": "suite"},
        {"field": "meal_type", "before": "", "after": "dinner"},
        {"field": "ends_at", "before": None, "after": "2026-05-07T12:00:00+08:00"},
        {"field": "starts_at", "before": "2026-05-06T04:00:00+00:00", "after": "not a time"},
    ]
    with timezone.override("Asia/Shanghai"):
        assert amendment_rows(changes) == [
            ("房型", "标准间", "普通套间"),
            ("餐别", "—", "晚餐"),
            ("结束时间", "—", "2026-05-07 12:00"),
            ("开始时间", "2026-05-06 12:00", "not a time"),
        ]
    with timezone.override("Europe/London"):  # the user's own zone (BST in May)
        assert amendment_rows(changes)[2] == ("结束时间", "—", "2026-05-07 05:00")


def test_an_amendment_copies_when_and_what_changed_to_the_index(providers: dict[str, Any]) -> None:
    task = make_task("340100", providers)
    order_id = dispatch("340100", task)["lodging"]
    index = OrderIndex.objects.get(pk=order_id)
    assert (index.amended_at, index.amendment_changes) == (None, [])
    amend_lodging("340100", task, quantity=2)
    index.refresh_from_db()
    with in_tenant("340100"):
        order = Order.objects.get(pk=order_id)
    assert index.status == "sent"
    assert index.amended_at == order.amended_at is not None
    assert index.amendment_changes == order.amendment_changes
    assert order.amendment_changes == [
        {"field": "quantity", "before": 4, "after": 2},
        {"field": "planned_amount", "before": "1520.00", "after": "760.00"},
    ]


def test_accepting_takes_an_order_out_of_the_to_act_list(providers: dict[str, Any]) -> None:
    task = make_task("340100", providers)
    order_id = dispatch("340100", task)["lodging"]
    hotel = providers["hotel"]
    assert [str(row.pk) for row in selectors.provider_to_act(provider=hotel)] == [order_id]
    assert provider_api("p-hotel").post(f"/api/v1/provider/orders/{order_id}/accept/").status_code == 200
    assert list(selectors.provider_to_act(provider=hotel)) == []
    assert [str(row.pk) for row in selectors.provider_inbox(provider=hotel, acted_on=True)] == [order_id]
    # another provider's orders are never in it
    assert list(selectors.provider_to_act(provider=providers["wuhu"])) == []


def test_the_inbox_reads_one_query_for_the_waiting_orders_whatever_their_number(providers: dict[str, Any]) -> None:
    only_hotel = {"hotel": providers["hotel"]}
    client = page_client(None, "p-hotel")
    measured = []
    for n in range(3):
        dispatch("340100", make_task("340100", only_hotel, title=f"合肥{n}"))
        dispatch("340123", make_task("340123", only_hotel, title=f"肥西{n}"))
        with CaptureQueriesContext(connection) as queries:
            html = text(client.get("/provider/"))
        assert len(rows(html, "to-act-row")) == 2 * (n + 1)
        measured.append(reads(queries))
    assert measured[1] == measured[2]  # (the first request also sets up the session)


def reads(queries: CaptureQueriesContext) -> int:
    """Queries other than switching schemas (the last request may have left another one set)."""
    return sum(1 for query in queries.captured_queries if not query["sql"].startswith("SET search_path"))


# --- Orders of the day ---------------------------------------------------------------------


def test_orders_of_the_day_in_every_jurisdiction_without_declined_ones(providers: dict[str, Any]) -> None:
    hefei = make_task("340100", providers, title="合肥接待")
    feixi = make_task("340123", {"hotel": providers["hotel"]}, title="肥西接待")
    declined = make_task("340100", providers, title="拒单的接待")
    ids = [dispatch("340100", hefei)["lodging"], dispatch("340123", feixi)["lodging"]]
    refused = dispatch("340100", declined)["lodging"]
    hotel = provider_api("p-hotel")
    declined_answer = hotel.post(f"/api/v1/provider/orders/{refused}/decline/", {"reason": "满房"}, format="json")
    assert declined_answer.status_code == 200
    day = timezone.localdate(OrderIndex.objects.get(pk=ids[0]).starts_at)
    shown = selectors.provider_day(provider=providers["hotel"], day=day)
    assert sorted(str(row.pk) for row in shown) == sorted(ids)
    # the day after the stay's last night: nothing
    later = timezone.localdate(max(row.ends_at or row.starts_at for row in shown)) + dt.timedelta(days=1)
    assert selectors.provider_day(provider=providers["hotel"], day=later) == []


def test_the_day_page_shows_todays_orders_with_when_each_was_updated(providers: dict[str, Any]) -> None:
    task = make_task("340100", providers)
    order_id = dispatch("340100", task)["lodging"]
    today = timezone.now()
    OrderIndex.objects.filter(pk=order_id).update(starts_at=today, ends_at=today + dt.timedelta(days=1))
    tomorrow = make_task("340100", providers, title="明天的接待")
    later_id = dispatch("340100", tomorrow)["lodging"]
    OrderIndex.objects.filter(pk=later_id).update(starts_at=today + dt.timedelta(days=2), ends_at=None)
    response = page_client(None, "p-hotel").get("/provider/today/")
    assert response.status_code == 200
    html = text(response)
    assert html.count('data-testid="provider-today-row"') == 1
    assert f"/provider/orders/{order_id}/" in html and f"/provider/orders/{later_id}/" not in html
    assert html.count('data-testid="order-updated-at"') == 1


def test_the_day_page_is_for_provider_staff_on_the_public_host_only(providers: dict[str, Any]) -> None:
    assert page_client(None).get("/provider/today/").status_code == 302  # to the login
    assert page_client(None, "340100-handler").get("/provider/today/").status_code == 403
    assert page_client("340100", "p-hotel").get("/provider/today/").status_code == 404
    # another provider sees only its own day
    make_task("340100", providers)
    assert 'data-testid="provider-today-row"' not in text(page_client(None, "p-wuhu").get("/provider/today/"))
