from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from tenants.models import Level
from tenants.services import jurisdiction_create


class Command(OperatorCommand):
    help = "Create a jurisdiction with its schema (cloned from the template) and host. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--level", required=True, choices=Level.values)
        parser.add_argument("--parent")
        parser.add_argument("--slug")
        parser.add_argument("--pilot", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction, created = jurisdiction_create(
            actor=None,
            code=options["code"],
            name=options["name"],
            level=options["level"],
            parent_code=options.get("parent"),
            slug=options.get("slug"),
            is_pilot=options["pilot"],
        )
        verb = "created" if created else "exists"
        self.stdout.write(f"{verb}: {jurisdiction.code} {jurisdiction.name} http://{jurisdiction.host}/")
