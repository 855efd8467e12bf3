from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.models import Jurisdiction
from tenants.transfer import jurisdiction_import, read_manifest


class Command(OperatorCommand):
    help = (
        "Import a jurisdiction exported by export_jurisdiction (all or nothing). "
        "Idempotent: an existing code is left alone."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = read_manifest(options["file"])
        if Jurisdiction.objects.filter(code=manifest["code"]).exists():
            self.stdout.write(f"exists: {manifest['code']} (delete it first to import the file)")
            return
        jurisdiction = jurisdiction_import(actor=None, path=options["file"])
        self.stdout.write(f"imported: {jurisdiction.code} {jurisdiction.name} http://{jurisdiction.host}/")
