"""`{% load workplace %}`: links filtered by what the user may open (tenants.workplace.link_allowed)."""

from __future__ import annotations

from typing import Any

from django import template

from tenants.permissions import request_access
from tenants.workplace import link_allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context: dict[str, Any], path: str) -> bool:
    """`{% may_open "/reporting/" as ok %}`: would the page at `path` let this user in?"""
    request = context.get("request")
    return request is not None and link_allowed(request, path, request_access(request))
