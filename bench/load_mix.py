"""The load test's request mix. Grows with the product: list, detail, checks, transitions,
provider inbox, oversight summary."""

from __future__ import annotations

from typing import Any


def _token(username: str) -> str:
    from knox.models import AuthToken

    from core.models import User

    _instance, token = AuthToken.objects.create(user=User.objects.get(username=username))
    return token


def build_mix() -> list[tuple[Any, ...]]:
    from tenants.models import Jurisdiction
    from tenants.services import membership_add, user_ensure

    city = Jurisdiction.objects.get(code="340100")
    user, _created = user_ensure(username="load-admin", password="Load-pass-2026")
    membership_add(actor=None, user=user, jurisdiction=city, role="admin")
    token = _token("load-admin")
    host = city.host
    return [
        (3, "GET jurisdiction/", "GET", "/api/v1/jurisdiction/", host, token, None),
        (2, "GET me/", "GET", "/api/v1/me/", host, token, None),
        (1, "GET jurisdictions/?parent", "GET", "/api/v1/jurisdictions/?parent=340100", "localhost", None, None),
    ]
