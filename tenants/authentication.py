"""The API's token authentication on a jurisdiction's host: the token, its user and the user's
memberships here and in the ancestors in one statement.

Every tenant API request authenticates, then checks the user's roles in the request's
jurisdiction (`tenants.permissions.request_access`): two round trips to PostgreSQL, one after
the other. Here the memberships come with the token (a lateral subquery of the same statement,
`memberships_sql`), and the access they give is kept on the request, so the permission check
reads no more. Both are read in the same statement, so they are as current as before: nothing
is kept beyond the request except in the process's access cache, which any change to a token,
user, membership or jurisdiction empties (core/db/notified.py). On the public host it is
`core.authentication`'s as it is.
"""

from __future__ import annotations

from typing import Any

from core import authentication
from tenants.permissions import access_from, access_params, memberships_sql, remember_access

_LATERAL = (
    'SELECT array_agg(j."code") AS codes, array_agg(m."role") AS roles, array_agg(m."unit_name") AS units '
    + memberships_sql('u."id"')
)


class TokenAuthentication(authentication.TokenAuthentication):
    _tenant: Any = None

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        self._tenant = getattr(request, "tenant", None)
        result = super().authenticate(request)
        if result is not None and self._tenant is not None:
            user, token = result
            codes, roles, units = getattr(token, "lateral", None) or (None, None, None)
            rows = list(zip(codes or [], roles or [], units or [], strict=True))
            remember_access(getattr(request, "_request", request), user, access_from(user, self._tenant, rows))
        return result

    def candidates(self, token_key: str, *, cached: bool = False) -> list[Any]:
        if self._tenant is None:
            return super().candidates(token_key, cached=cached)
        return authentication.tokens_by_key(
            token_key, lateral=_LATERAL, params=access_params(self._tenant), cached=cached
        )
