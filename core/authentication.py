"""Token authentication for the API: knox's, without its per-request sweep or query compilation.

knox reads every token of the user on every request to delete the expired ones (one more query
per request, growing with the user's devices). Here a request only looks at its own token (an
expired one is still deleted and refused); the user's other expired tokens are deleted when the
user signs in again (`core.services.token_issue`).

The token and its user are read with one hand-written statement (core/sqlrows.py): knox's
`filter(token_key=…).select_related("user")` compiled on every request cost about 1 ms of CPU.
Everything else is knox's own logic: digest comparison, auto-refresh, inactive users refused.

The rows may come from the process's access cache (core/db/notified.py), which a token's
deletion, a user's change or a membership's change empties within milliseconds. Nothing is
decided on a cached row that could be out of date: a cached token that looks expired, or whose
digest does not match, is read again from PostgreSQL before the request is refused (another
process may have renewed it; a new token may share its key); knox's renewal writes no change
the cache needs to hear of, so the process that renews updates its own entry.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from functools import cache
from hmac import compare_digest
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from core import sqlrows
from core.db.notified import MISSING, access_cache


@cache
def _token_sql(lateral: str) -> tuple[str, list[str], list[str]]:
    token_model, user_model = get_token_model(), get_user_model()
    token_select, token_names = sqlrows.columns(token_model, "t")
    user_select, user_names = sqlrows.columns(user_model, "u")
    user_fk = token_model._meta.get_field("user").column
    sql = f"SELECT {token_select}, {user_select}{', x.*' if lateral else ''} "
    sql += f"FROM {sqlrows.public_table(token_model)} t "
    sql += f'INNER JOIN {sqlrows.public_table(user_model)} u ON u."id" = t."{user_fk}" '
    if lateral:
        sql += f"LEFT JOIN LATERAL ({lateral}) x ON TRUE "
    sql += 'WHERE t."token_key" = %s'
    return sql, token_names, user_names


def tokens_by_key(token_key: str, *, lateral: str = "", params: Sequence[Any] = (), cached: bool = False) -> list[Any]:
    """`AuthToken.objects.filter(token_key=…).select_related("user")`, without the ORM.

    `lateral`: a subquery joined to each token (`LEFT JOIN LATERAL (…) x ON TRUE`, one row; it
    may use the user as `u`) with its `params`; its columns come as the tuple `token.lateral`.
    `cached`: the rows may come from (and go to) the process's access cache; each token then
    carries `token.cache_key` (where its row may be kept) and `token.from_cache`."""
    sql, token_names, user_names = _token_sql(lateral)
    token_model, user_model = get_token_model(), get_user_model()
    split, end = len(token_names), len(token_names) + len(user_names)
    key = ("token", token_key, lateral, _frozen(params)) if cached else None
    rows = access_cache.get(key) if key is not None else MISSING
    from_cache = rows is not MISSING
    if not from_cache:
        generation = access_cache.begin() if key is not None else None
        rows = [_frozen(row) for row in sqlrows.fetch(sql, [*params, token_key])]
        if rows and key is not None:  # only tokens that exist: a guess costs every guess a read
            access_cache.put(key, rows, generation)
    tokens = []
    for row in rows:
        token = sqlrows.instance(token_model, token_names, row[:split])
        token.user = sqlrows.instance(user_model, user_names, row[split:end])
        token.lateral = row[end:]
        token.cache_key, token.cache_row, token.from_cache = key, row, from_cache
        tokens.append(token)
    return tokens


def _frozen(values: Any) -> Any:
    """A hashable, immutable copy (lists become tuples): cached rows are shared by threads."""
    if isinstance(values, (list, tuple)):
        return tuple(_frozen(v) for v in values)
    return values


class TokenAuthentication(auth.TokenAuthentication):
    def candidates(self, token_key: str, *, cached: bool = False) -> list[Any]:
        """The tokens (with their users) whose key is `token_key`: one statement, or none."""
        return tokens_by_key(token_key, cached=cached)

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        # knox's loop (knox.auth.TokenAuthentication.authenticate_credentials), reading the
        # candidates with one hand-written statement, or from the access cache.
        msg = _("令牌无效。")
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(msg) from None
        key = text[: CONSTANTS.TOKEN_KEY_LENGTH]
        try:
            digest = hash_token(text)
        except (TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed(msg) from None
        for cached in (True, False):
            candidates = self.candidates(key, cached=cached)
            if cached and not any(getattr(c, "from_cache", False) for c in candidates):
                cached = False  # read from PostgreSQL already: no second look
            for auth_token in candidates:
                if cached and auth_token.expiry is not None and auth_token.expiry < timezone.now():
                    break  # perhaps renewed by another process since: decide on a fresh read
                if not cached and self._cleanup_token(auth_token):
                    continue
                if compare_digest(digest, auth_token.digest):
                    if knox_settings.AUTO_REFRESH and auth_token.expiry:
                        self._renew(auth_token)
                    return self.validate_user(auth_token)  # type: ignore[no-any-return]
            if not cached:
                break
        raise exceptions.AuthenticationFailed(msg)

    def _renew(self, auth_token: Any) -> None:
        """knox's renewal; when it wrote a new expiry, this process's cached row says so too. The
        renewal notifies nobody: another process that keeps the older expiry renews once itself
        (one more write per process and refresh interval), and never refuses the token on it."""
        before = auth_token.expiry
        self.renew_token(auth_token)
        renewed = (auth_token.expiry - before).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL
        if renewed and getattr(auth_token, "cache_key", None) is not None:  # kept, or just read and kept
            index = [f.attname for f in get_token_model()._meta.concrete_fields].index("expiry")
            rows = access_cache.get(auth_token.cache_key)
            if rows is not MISSING:
                access_cache.replace(
                    auth_token.cache_key,
                    rows,
                    [
                        (*row[:index], auth_token.expiry, *row[index + 1 :]) if row == auth_token.cache_row else row
                        for row in rows
                    ],
                )

    def _cleanup_token(self, auth_token: Any) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of this class and its subclasses: knox's own (same header,
    same name)."""

    target_class = "core.authentication.TokenAuthentication"
    match_subclasses = True
