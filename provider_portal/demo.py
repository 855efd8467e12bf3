"""Demo providers: a designated hotel and a restaurant serving the three demo jurisdictions."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from provider_portal.models import ProviderKind
from provider_portal.services import provider_add
from tenants.demo import DEMO_MEMBER_CODES
from tenants.models import Jurisdiction
from tenants.services import user_ensure

DEMO_PROVIDERS = [
    ("稻香楼宾馆", ProviderKind.HOTEL, "provider-hotel"),
    ("合肥徽园餐厅", ProviderKind.RESTAURANT, "provider-restaurant"),
]


def seed_providers(password: str, out: Any) -> None:
    serves = list(Jurisdiction.objects.filter(code__in=DEMO_MEMBER_CODES))
    with transaction.atomic():
        for name, kind, username in DEMO_PROVIDERS:
            user, _created = user_ensure(username=username, password=password, display_name=name)
            provider_add(actor=None, name=name, kind=kind, serves=serves, staff_user=user)
    out.write(f"demo providers: {', '.join(u for _n, _k, u in DEMO_PROVIDERS)}\n")
