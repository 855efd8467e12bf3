from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.lifecycle import jurisdiction_suspend


class Command(OperatorCommand):
    help = "Suspend a jurisdiction: its host answers a clear page, nobody signs in there; data untouched. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code")
        parser.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = jurisdiction_suspend(actor=None, code=options["code"], reason=options["reason"])
        self.stdout.write(f"{'suspended' if changed else 'already suspended'}: {options['code']}")
