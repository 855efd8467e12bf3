from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chains of the audit log; report the first broken link of each chain."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chain", help="one chain (a jurisdiction code, or 'platform')")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = audit_verify(chain=options.get("chain"))
        if broken:
            for link in broken:
                self.stderr.write(
                    f"chain {link.chain}: broken at sequence {link.sequence} (entry {link.entry_id}): {link.reason}"
                )
            raise CommandError(f"{len(broken)} broken chain(s)")
        self.stdout.write("audit log intact")
