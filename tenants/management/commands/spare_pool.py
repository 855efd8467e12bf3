from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.pool import pool_size, spare_count, spare_pool_clear, spare_pool_refill


class Command(OperatorCommand):
    help = "Show, refill (--refill) or empty (--clear) the pool of spare schemas used by onboarding."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--refill", action="store_true")
        parser.add_argument("--clear", action="store_true")
        parser.add_argument("--size", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clear"]:
            self.stdout.write(f"dropped: {spare_pool_clear()}")
        if options["refill"]:
            self.stdout.write(f"cloned: {spare_pool_refill(options['size'])}")
        self.stdout.write(f"ready: {spare_count()} (pool size {pool_size()})")
