"""Model instances from hand-written SQL, for the few statements every API request runs.

Compiling a small ORM query costs the Django process about as much CPU as the rest of a request's
plumbing together (0.8-1 ms for the host, the token or the membership look-up, bench/RESULTS.md,
"Throughput"), several times what PostgreSQL spends running it. The statements on every request's
path (`tenants.hosts`, `core.authentication`, `tenants.permissions.access_for`) are therefore
written once, with their column lists taken from the models, and their rows made into instances
with `Model.from_db`: the same fields and values the ORM would give, from the same queries.

Tables of the shared apps are named with their schema (`public`), so the statements never depend
on the search path of the moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django_tenants.utils import get_public_schema_name

M = TypeVar("M", bound=Model)


def public_table(model: type[Model]) -> str:
    """The model's table in the public schema, quoted: `"public"."tenants_domain"`."""
    return f'"{get_public_schema_name()}"."{model._meta.db_table}"'


def columns(model: type[Model], alias: str) -> tuple[str, list[str]]:
    """`alias."col", alias."col2", …` for every concrete field, and the fields' attribute names."""
    fields = model._meta.concrete_fields
    return ", ".join(f'{alias}."{f.column}"' for f in fields), [f.attname for f in fields]


def instance(model: type[M], attnames: list[str], values: Sequence[Any]) -> M:
    """What the ORM makes of a row: `from_db`, so the instance is saved state, not a new object."""
    return model.from_db(DEFAULT_DB_ALIAS, attnames, values)  # type: ignore[return-value]


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
