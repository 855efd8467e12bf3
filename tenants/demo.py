"""The demo data: the Anhui tree, one user per role in three jurisdictions, and what the apps
above add (providers, sample tasks, reports) through the demo registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tenants.models import Jurisdiction, Role
from tenants.services import divisions_create_tenants, divisions_import, membership_add, user_ensure

DEMO_PROVINCE = "340000"
DEMO_MEMBER_CODES = ("340000", "340100", "340123")
COUNTERPART_UNITS = {"340000": "省发展改革委", "340100": "合肥市商务局", "340123": "肥西县农业农村局"}


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[str, Any], None]  # (password, output)
    order: int


_demo_steps: dict[str, DemoStep] = {}


def register_demo_step(name: str, run: Callable[[str, Any], None], *, order: int = 100) -> None:
    """Apps above `tenants` add demo data (providers, tasks, reports) from AppConfig.ready()."""
    _demo_steps[name] = DemoStep(name=name, run=run, order=order)


def demo_username(code: str, role: str) -> str:
    return f"{code}-{role}"


def seed_members(*, password: str, out: Any) -> None:
    for code in DEMO_MEMBER_CODES:
        jurisdiction = Jurisdiction.objects.get(code=code)
        with transaction.atomic():
            for role in Role.values:
                user, _created = user_ensure(
                    username=demo_username(code, role),
                    password=password,
                    display_name=f"{jurisdiction.name}{Role(role).label}",
                )
                membership_add(
                    actor=None,
                    user=user,
                    jurisdiction=jurisdiction,
                    role=role,
                    unit_name=COUNTERPART_UNITS[code] if role == Role.COUNTERPART else "",
                )
    out.write(f"demo users: {len(DEMO_MEMBER_CODES) * len(Role.values)} (<code>-<role>)\n")


def seed_demo(*, password: str, out: Any) -> None:
    """Idempotent: re-running leaves one copy of everything."""
    loaded = divisions_import(province_code=DEMO_PROVINCE)
    out.write(f"divisions loaded: {loaded}\n")
    created, existing = divisions_create_tenants(actor=None, province_code=DEMO_PROVINCE)
    out.write(f"jurisdictions created: {created}, already present: {existing}\n")
    seed_members(password=password, out=out)
    for step in sorted(_demo_steps.values(), key=lambda s: (s.order, s.name)):
        step.run(password, out)
