from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from core.management.base import OperatorCommand
from provider_portal.models import ProviderKind
from provider_portal.services import provider_add
from tenants.models import Jurisdiction
from tenants.services import user_ensure


class Command(OperatorCommand):
    help = "Create a provider serving one or more jurisdictions, with a staff login. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=ProviderKind.values)
        parser.add_argument("--serves", action="append", required=True, help="a jurisdiction code (repeatable)")
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        codes = list(dict.fromkeys(options["serves"]))
        jurisdictions = list(Jurisdiction.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {j.code for j in jurisdictions})
        if unknown:
            raise CommandError(f"serves: unknown jurisdiction code(s) {', '.join(unknown)}")
        with transaction.atomic():
            user, _created = user_ensure(username=options["username"], password=options["password"])
            provider, created = provider_add(
                actor=None, name=options["name"], kind=options["kind"], serves=jurisdictions, staff_user=user
            )
        verb = "created" if created else "exists"
        self.stdout.write(
            f"{verb}: {provider.name} ({provider.kind}) serving {', '.join(codes)}; login {user.username}"
        )
