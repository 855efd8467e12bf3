"""The jurisdiction a request's host names: one statement on a tenant request, or none when the
process's access cache (core/db/notified.py) holds the host's row."""

from __future__ import annotations

from functools import cache

from core import sqlrows
from core.db.notified import MISSING, access_cache
from tenants.models import Domain, Jurisdiction


@cache
def _host_sql() -> tuple[str, list[str]]:
    select, attnames = sqlrows.columns(Jurisdiction, "j")
    sql = (
        f'SELECT d."is_primary", {select} FROM {sqlrows.public_table(Domain)} d '
        f'INNER JOIN {sqlrows.public_table(Jurisdiction)} j ON j."id" = d."tenant_id" '
        'WHERE d."domain" = %s ORDER BY d."id" LIMIT 1'
    )
    return sql, attnames


def jurisdiction_for_host(hostname: str) -> tuple[Jurisdiction, bool] | None:
    """(the jurisdiction, whether `hostname` is its primary host), or None for an unknown host.

    The same as `Domain.objects.select_related("tenant").filter(domain=hostname).first()`, without
    compiling that query on every request (core/sqlrows.py)."""
    sql, attnames = _host_sql()
    key = ("host", hostname)
    row = access_cache.get(key)
    if row is MISSING:
        generation = access_cache.begin()
        rows = sqlrows.fetch(sql, [hostname])
        if not rows:
            return None
        row = rows[0]
        access_cache.put(key, row, generation)
    is_primary, *values = row
    return sqlrows.instance(Jurisdiction, attnames, values), bool(is_primary)
