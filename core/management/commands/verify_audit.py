from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_anchor_all, audit_verify


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the audit log and their sealed anchors (removals at the end, an "
        "emptied table); report the first broken link of each chain."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chain", help="one chain (a jurisdiction code, or 'platform')")
        parser.add_argument(
            "--reseal",
            action="store_true",
            help="after changing AUDIT_ANCHOR_KEY only, once a verification with the old key passed: "
            "seal every chain's current head with the new key",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("reseal"):
            self.stdout.write(f"{audit_anchor_all()} chain(s) resealed")
            return
        broken = audit_verify(chain=options.get("chain"))
        if broken:
            for link in broken:
                self.stderr.write(
                    f"chain {link.chain}: broken at sequence {link.sequence} (entry {link.entry_id}): {link.reason}"
                )
            raise CommandError(f"{len(broken)} broken chain(s)")
        self.stdout.write("audit log intact")
