"""EMAIL_URL → Django's SMTP settings. Pure (no Django imports): config/settings.py calls it.

    smtp://host:25              plain SMTP (a relay on the intranet)
    smtp+tls://user:pass@host:587   STARTTLS
    smtp+ssl://user:pass@host:465   SMTP over TLS
User and password are percent-decoded (an '@' in a password is written %40).
`?timeout=20` sets the socket timeout in seconds (default 20).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = {"smtp": (False, False, 25), "smtp+tls": (True, False, 587), "smtp+ssl": (False, True, 465)}


def email_settings(url: str) -> dict[str, Any]:
    """The EMAIL_* settings for one EMAIL_URL; ValueError names what is wrong."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"EMAIL_URL scheme must be one of {', '.join(sorted(SCHEMES))}, not {scheme!r}")
    if not parts.hostname:
        raise ValueError("EMAIL_URL names no host")
    use_tls, use_ssl, default_port = SCHEMES[scheme]
    query = parse_qs(parts.query)
    timeout = float(query.get("timeout", ["20"])[0])
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": timeout,
    }
