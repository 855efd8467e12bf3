"""Token authentication for the API: knox's, without its per-request sweep.

knox reads every token of the user on every request to delete the expired ones (one more query
per request, growing with the user's devices). Here a request only looks at its own token (an
expired one is still deleted and refused); the user's other expired tokens are deleted when the
user signs in again (`core.services.token_issue`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.signals import token_expired


class TokenAuthentication(auth.TokenAuthentication):
    def _cleanup_token(self, auth_token: Any) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of this class: knox's own (same header, same name)."""

    target_class = "core.authentication.TokenAuthentication"
