from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from core.management.base import OperatorCommand
from tenants.lifecycle import jurisdiction_delete
from tenants.models import Jurisdiction


class Command(OperatorCommand):
    help = "Delete a jurisdiction without children: schema, host, memberships (users stay). Export it first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code")
        parser.add_argument("--yes", action="store_true", help="confirm: the schema and its data are dropped")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["code"]
        if not Jurisdiction.objects.filter(code=code).exists():
            self.stdout.write(f"absent: {code}")
            return
        if not options["yes"]:
            raise CommandError("deleting drops the schema and its data: run export_jurisdiction first, then add --yes")
        jurisdiction_delete(actor=None, code=code)
        self.stdout.write(f"deleted: {code}")
