from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.lifecycle import jurisdiction_rename_slug
from tenants.models import Jurisdiction


class Command(OperatorCommand):
    help = "Give a jurisdiction a new host <slug>.BASE_DOMAIN; the old host redirects to it. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code")
        parser.add_argument("--slug", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = jurisdiction_rename_slug(actor=None, code=options["code"], slug=options["slug"])
        jurisdiction = Jurisdiction.objects.get(code=options["code"])
        self.stdout.write(f"{'renamed' if changed else 'unchanged'}: {jurisdiction.code} http://{jurisdiction.host}/")
