from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.transfer import jurisdiction_export


class Command(OperatorCommand):
    help = "Export one jurisdiction (its schema's rows and its public rows) to a .tar.gz file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code")
        parser.add_argument("--output", "-o", required=True, help="the file to write (.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = jurisdiction_export(actor=None, code=options["code"], path=options["output"])
        self.stdout.write(
            f"exported: {manifest['code']} ({manifest['schema']}, {len(manifest['tables'])} tables, "
            f"{sum(manifest['rows'].values())} rows, {manifest['users']} users) -> {options['output']}"
        )
