"""One shape for every state machine: a table `action → Transition`.

Each workflow (a reception task, its list, a provider's order, a directive's delivery, a report,
an onboarding application, an inspection) declares its table next to its model. Services check
a requested action against the table with `transition_require` (409 `invalid_transition` when
the current state is no source of it); API permissions and page buttons read `roles` from the
same table; the audit action is `<app>.<object>.<done>`, spelled out as a named constant where it
is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict


@dataclass(frozen=True)
class Transition:
    """One action of a state machine: the states it may be taken from, the state it leads to,
    the roles that may take it (empty: the caller decides, e.g. a provider on its own order or
    the system) and `done`, the audit action's last word."""

    sources: frozenset[str]
    target: str
    roles: frozenset[str] = frozenset()
    done: str = ""
    # A cycle that reuses an action (the task's amendment reuses submit, return and approve):
    # from these sources it leads elsewhere and is recorded under its own name
    # (source → (target, done)).
    detours: tuple[tuple[str, tuple[str, str]], ...] = ()

    def step(self, source: str) -> tuple[str, str]:
        """The (target, done) of this action taken from `source` (one of `sources`)."""
        return dict(self.detours).get(source, (self.target, self.done))


def transition_require(
    table: Mapping[str, Transition],
    action: str,
    state: str,
    *,
    message: str | Promise | None = None,
    code: str = "invalid_transition",
) -> Transition:
    """The transition of `action`, if `state` is one of its sources; 409 `code` otherwise."""
    transition = table[action]
    if state not in transition.sources:
        raise Conflict(message or _("当前状态不允许此操作。"), code=code)
    return transition
