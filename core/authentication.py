"""Token authentication for the API: knox's, without its per-request sweep or query compilation.

knox reads every token of the user on every request to delete the expired ones (one more query
per request, growing with the user's devices). Here a request only looks at its own token (an
expired one is still deleted and refused); the user's other expired tokens are deleted when the
user signs in again (`core.services.token_issue`).

The token and its user are read with one hand-written statement (core/sqlrows.py): knox's
`filter(token_key=…).select_related("user")` compiled on every request cost about 1 ms of CPU.
Everything else is knox's own logic: digest comparison, auto-refresh, inactive users refused.
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


def tokens_by_key(token_key: str, *, lateral: str = "", params: Sequence[Any] = ()) -> list[Any]:
    """`AuthToken.objects.filter(token_key=…).select_related("user")`, without the ORM.

    `lateral`: a subquery joined to each token (`LEFT JOIN LATERAL (…) x ON TRUE`, one row; it
    may use the user as `u`) with its `params`; its columns come as the tuple `token.lateral`."""
    sql, token_names, user_names = _token_sql(lateral)
    token_model, user_model = get_token_model(), get_user_model()
    split, end = len(token_names), len(token_names) + len(user_names)
    tokens = []
    for row in sqlrows.fetch(sql, [*params, token_key]):
        token = sqlrows.instance(token_model, token_names, row[:split])
        token.user = sqlrows.instance(user_model, user_names, row[split:end])
        token.lateral = row[end:]
        tokens.append(token)
    return tokens


class TokenAuthentication(auth.TokenAuthentication):
    def candidates(self, token_key: str) -> list[Any]:
        """The tokens (with their users) whose key is `token_key`: one statement."""
        return tokens_by_key(token_key)

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        # knox's loop (knox.auth.TokenAuthentication.authenticate_credentials), reading the
        # candidates with one hand-written statement.
        msg = _("令牌无效。")
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(msg) from None
        for auth_token in self.candidates(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)  # type: ignore[no-any-return]
        raise exceptions.AuthenticationFailed(msg)

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
