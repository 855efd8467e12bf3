"""The crawl: for each demo role, every link on every page it can reach answers neither 403 nor
404 nor 5xx. The demo data of every app (its registered demo steps: providers, tasks in every
state, history, orders, reports) is seeded into the test tree, whose users are the demo's
(`<code>-<role>`); then each user follows every same-host link from its landing page."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import HOSTS, PASSWORD, PUBLIC_HOST, user

#: How many pages of one shape (ids replaced) to open: enough to meet every state's page.
PER_SHAPE = 3
MAX_PAGES = 300
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def demo(tree: dict[str, Any]) -> None:
    from tenants.demo import _demo_steps

    cache.clear()
    for step in sorted(_demo_steps.values(), key=lambda s: (s.order, s.name)):
        step.run(PASSWORD, io.StringIO())


def shape(path: str) -> str:
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "U", path)
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(client: Client, host: str, start: str = "/") -> tuple[int, list[tuple[str, int, str]]]:
    """Every same-host page reachable from `start`; returns (pages opened, bad links with the page
    that offered them)."""
    seen: set[str] = {start}
    shapes: dict[str, int] = {}
    queue = [(start, "(start)")]
    bad: list[tuple[str, int, str]] = []
    opened = 0
    while queue and opened < MAX_PAGES:
        path, source = queue.pop(0)
        response = client.get(path, HTTP_HOST=host)
        opened += 1
        if response.status_code in (403, 404) or response.status_code >= 500:
            bad.append((path, response.status_code, source))
            continue
        if response.status_code in (301, 302, 303):
            continue  # a redirect to sign-in or another host: not a refusal
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for raw in HREF.findall(response.content.decode()):
            link, _fragment = urldefrag(unescape(raw))
            parts = urlsplit(link)
            if parts.scheme in ("mailto", "tel", "javascript", "data") or not link:
                continue
            if parts.netloc and parts.netloc.split(":")[0] != host:
                continue  # another host: crawled as that host's user
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not target.startswith("/") or target.startswith("/static/") or target in seen:
                continue
            seen.add(target)
            key = shape(target)
            shapes[key] = shapes.get(key, 0) + 1
            if shapes[key] <= PER_SHAPE:
                queue.append((target, path))
    return opened, bad


def report(bad: list[tuple[str, int, str]]) -> str:
    return "\n" + "\n".join(f"{status} {path}  (linked from {source})" for path, status, source in bad)


ROLES = ["admin", "drafter", "reviewer", "handler", "finance", "supervisor", "counterpart"]


@pytest.mark.parametrize("role", ROLES)
def test_a_jurisdiction_role_meets_no_refused_link(demo, role):
    client = Client()
    client.force_login(user(f"340100-{role}"))
    opened, bad = crawl(client, HOSTS["340100"])
    assert opened > 10
    assert bad == [], report(bad)


@pytest.mark.parametrize("username", ["340000-admin", "340000-supervisor"])
def test_the_province_meets_no_refused_link(demo, username):
    client = Client()
    client.force_login(user(username))
    opened, bad = crawl(client, HOSTS["340000"])
    assert opened > 5
    assert bad == [], report(bad)
    # …and reading a city below it (oversight) offers no link it may not open either
    _opened, below = crawl(client, HOSTS["340100"])
    assert below == [], report(below)


def test_a_provider_meets_no_refused_link(demo):
    client = Client()
    client.force_login(user("provider-hotel"))
    opened, bad = crawl(client, PUBLIC_HOST, "/provider/")
    assert opened > 1
    assert bad == [], report(bad)
