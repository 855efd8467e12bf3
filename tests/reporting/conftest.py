"""Reporting fixtures: an origin task in the province (340000) to push down."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import in_tenant, user
from tests.reception.factories import GuestFactory, PlanItemFactory, TaskFactory


@pytest.fixture
def origin_task(tree: dict[str, Any]) -> Any:
    """A province task (approved) with two guests and a meal and a lodging item with providers unset."""
    with in_tenant("340000"):
        task = TaskFactory(
            title="国家发改委调研安徽", status="approved", created_by=user("340000-drafter"), level="bureau"
        )
        GuestFactory.create_batch(2, task=task)
        PlanItemFactory(task=task)
        PlanItemFactory(task=task, kind="lodging", meal_type="", unit_price=Decimal("380.00"), quantity=2)
    return task
