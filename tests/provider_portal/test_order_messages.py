"""Providers hear of orders sent, changed and withdrawn, with a link to their portal; each
message is about its task (so the task page lists it)."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Notification, User
from provider_portal.orders.models import Order
from provider_portal.orders.notifications import orders_changed_notify
from tests.conftest import in_tenant
from tests.provider_portal.conftest import staff_api

pytestmark = pytest.mark.django_db
PORTAL = "http://localhost:8000/provider/"


def test_sent_and_changed_orders_reach_the_providers_staff_once_per_change(task: Any, tree: Any) -> None:
    User.objects.filter(username="p-restaurant").update(email="kitchen@huiyuan.example")
    assert (
        staff_api("340100", "handler").post(f"/api/v1/tasks/{task.pk}/dispatch/", {}, format="json").status_code == 200
    )
    sent = Notification.objects.get(event="provider_portal.order.sent", address="kitchen@huiyuan.example")
    assert PORTAL in sent.body and sent.task_id == task.pk
    with in_tenant("340100"):
        orders = list(Order.objects.filter(task_id=task.pk))
        orders_changed_notify(jurisdiction=tree["340100"], orders=orders, reason="人数调整")
        orders_changed_notify(jurisdiction=tree["340100"], orders=orders, reason="人数调整")  # the same change
    changed = Notification.objects.filter(event="provider_portal.order.changed")
    assert set(changed.values_list("address", flat=True)) == {"kitchen@huiyuan.example", "13900000001"}
    assert all("人数调整" in n.body and PORTAL in n.body and n.task_id == task.pk for n in changed)
    count = changed.count()
    with in_tenant("340100"):
        for order in orders:
            order.save()  # a later change (updated_at moves)
        orders_changed_notify(jurisdiction=tree["340100"], orders=orders, reason="再次调整")
    assert changed.all().count() == 2 * count  # a fresh query (the first one's rows are cached)
