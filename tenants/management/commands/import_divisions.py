from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.services import divisions_create_tenants, divisions_import


class Command(OperatorCommand):
    help = (
        "Load a province's official division list as reference data; with --create-tenants also make "
        "each division a jurisdiction. Idempotent."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--province", required=True, help="the province's code, e.g. 340000")
        parser.add_argument("--create-tenants", action="store_true")
        parser.add_argument("--within", help="only create tenants for this code and its direct children")

    def handle(self, *args: Any, **options: Any) -> None:
        count = divisions_import(province_code=options["province"])
        self.stdout.write(f"divisions loaded: {count}")
        if options["create_tenants"]:
            created, existing = divisions_create_tenants(
                actor=None, province_code=options["province"], within=options.get("within")
            )
            self.stdout.write(f"jurisdictions created: {created}, already present: {existing}")
