from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from core.management.base import OperatorCommand
from tenants.models import Jurisdiction, Role
from tenants.services import membership_add, user_ensure


class Command(OperatorCommand):
    help = "Create a user (or update the password) and give them a role in a jurisdiction. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--jurisdiction", required=True, help="the jurisdiction's code")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--display-name", default="")
        parser.add_argument("--unit", default="", help="the unit name (counterpart users)")

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction = Jurisdiction.objects.filter(code=options["jurisdiction"]).first()
        if jurisdiction is None:
            raise CommandError(f"jurisdiction: unknown code {options['jurisdiction']}")
        user, _created = user_ensure(
            username=options["username"], password=options["password"], display_name=options["display_name"]
        )
        _membership, created = membership_add(
            actor=None, user=user, jurisdiction=jurisdiction, role=options["role"], unit_name=options["unit"]
        )
        verb = "added" if created else "exists"
        self.stdout.write(f"{verb}: {user.username} as {options['role']} in {jurisdiction.code}")
