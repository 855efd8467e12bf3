"""`{% load workplace %}`: links filtered by what the user may open (tenants.workplace.link_allowed)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from tenants.permissions import request_access
from tenants.workplace import link_allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context: dict[str, Any], page: str) -> bool:
    """`{% may_open "reporting-dashboard" as ok %}`: would the page of that URL name (or at that
    path, when it starts with "/") let this user in?"""
    request = context.get("request")
    if request is None:
        return False
    path = page if page.startswith("/") else reverse(page)
    return link_allowed(request, path, request_access(request))
