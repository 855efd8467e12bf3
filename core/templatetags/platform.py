from __future__ import annotations

from typing import Any

from django import template

from core.http import host_url as _host_url

register = template.Library()


@register.simple_tag(takes_context=True)
def host_url(context: dict[str, Any], host: str, path: str = "/") -> str:
    """An absolute URL on another host of the platform, with this request's scheme and port."""
    return _host_url(context["request"], host, path)
