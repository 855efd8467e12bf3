"""How finance's review of a reported cost learns what the reception workflow says of it.

This app sits below the reception workflow and knows nothing of plans or standards. The workflow
registers, from its `AppConfig.ready()`, a `CostReview`: the judge of a reported cost (findings
with stable codes: an error refuses the approval) and the guard of a reopening (it raises when
the task's reception list does not allow one). Without a registration, costs are approved as
reported and reopened freely (this app alone, as its own tests use it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provider_portal.orders.models import Order, OrderCostLine
    from tenants.models import Jurisdiction

#: (jurisdiction, order, its cost lines) → findings `{code, message, severity, …}`.
CostJudge = Callable[["Jurisdiction", "Order", list["OrderCostLine"]], list[dict[str, Any]]]
#: (jurisdiction, order) → None, or raises a domain error when the approved cost may not reopen.
ReopenGuard = Callable[["Jurisdiction", "Order"], None]


@dataclass(frozen=True)
class CostReview:
    judge: CostJudge
    reopen_guard: ReopenGuard


_review: CostReview | None = None


def register_cost_review(review: CostReview) -> None:
    """Register the workflow's judge and guard (once, from AppConfig.ready)."""
    global _review
    _review = review


def cost_review() -> CostReview | None:
    return _review
