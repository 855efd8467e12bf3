"""Demo providers: a designated hotel and a restaurant serving the three demo jurisdictions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from provider_portal.models import AgreedPrice, ProviderKind
from provider_portal.services import provider_add
from tenants.demo import DEMO_MEMBER_CODES
from tenants.models import Jurisdiction
from tenants.services import user_ensure

DEMO_PROVIDERS = [
    ("稻香楼宾馆", ProviderKind.HOTEL, "provider-hotel"),
    ("合肥徽园餐厅", ProviderKind.RESTAURANT, "provider-restaurant"),
]
#: Agreed prices (协议价) of each demo provider on every list it is on.
DEMO_PRICES = {
    "稻香楼宾馆": [("标准间", "间·晚", Decimal("380.00")), ("普通套间", "间·晚", Decimal("580.00"))],
    "合肥徽园餐厅": [("工作餐", "人·餐", Decimal("60.00")), ("早餐", "人·餐", Decimal("25.00"))],
}


def seed_providers(password: str, out: Any) -> None:
    serves = list(Jurisdiction.objects.filter(code__in=DEMO_MEMBER_CODES))
    with transaction.atomic():
        for name, kind, username in DEMO_PROVIDERS:
            user, _created = user_ensure(username=username, password=password, display_name=name)
            provider, _added = provider_add(actor=None, name=name, kind=kind, serves=serves, staff_user=user)
            for area in provider.service_areas.filter(prices__isnull=True):
                AgreedPrice.objects.bulk_create(
                    AgreedPrice(area=area, item=item, unit=unit, price=price) for item, unit, price in DEMO_PRICES[name]
                )
    out.write(f"demo providers: {', '.join(u for _n, _k, u in DEMO_PROVIDERS)}\n")
