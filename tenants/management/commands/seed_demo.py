from __future__ import annotations

from typing import Any

from core.management.base import OperatorCommand
from core.models import User
from tenants.demo import DEMO_PROVINCE, demo_username, seed_demo


class Command(OperatorCommand):
    help = "Seed the demo: the Anhui tree, one user per role in 340000/340100/340123, providers, samples."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", required=True, help="password of every demo login")
        parser.add_argument("--once", action="store_true", help="do nothing when the demo is already there (make run)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"] and User.objects.filter(username=demo_username(DEMO_PROVINCE, "admin")).exists():
            self.stdout.write("demo already seeded")
            return
        seed_demo(password=options["password"], out=self.stdout)
        self.stdout.write("demo ready")
