from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.lifecycle import jurisdiction_reactivate


class Command(OperatorCommand):
    help = "Reactivate a suspended jurisdiction. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = jurisdiction_reactivate(actor=None, code=options["code"], reason=options["reason"])
        self.stdout.write(f"{'reactivated' if changed else 'already active'}: {options['code']}")
