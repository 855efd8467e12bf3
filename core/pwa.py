"""The product installs as an app (PWA): a web app manifest and a service worker, on every host.

The service worker (static/js/sw.js, served from the root so that its scope is the whole host)
keeps the pages people need on the road for when the network is gone: a handler's day
(`/reception/today/`), a guest's itinerary link, a provider's inbox and orders of the day
(`/provider/`, `/provider/today/`), and the static files. Each page says when it was rendered,
so an offline copy shows when it was last updated. Signing out empties the cache (app.js)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw.js"


@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest of this host: the platform, or one jurisdiction's workplace."""
    tenant = getattr(request, "tenant", None)
    name = str(settings.PLATFORM_NAME) + (f" · {tenant.name}" if tenant is not None else "")
    body = {
        "name": name,
        "short_name": tenant.name if tenant is not None else str(settings.PLATFORM_NAME),
        "start_url": "/provider/" if tenant is None and hasattr(request.user, "provider_staff") else "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#9b1c1c",
        "lang": "zh-Hans",
        "icons": [
            {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
            for size in (192, 512)
        ],
    }
    return JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
