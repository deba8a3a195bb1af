"""The partner pages as an installable web app: the service worker, the manifest, the
offline fallback page, and a logout that wipes what the browser kept.

The worker script lives in static/js/offline/sw.js but is served from /sw.js: a worker
may only control pages at or below its own URL, and static files live under /static/
(a CDN in some deployments, another origin). The view prepends the worker's settings —
the static URLs it precaches (hashed names in production) and a version derived from the
files' contents — so any change to them changes the script's bytes and the browser
installs the new worker, which drops the old static cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#ff5000"
WORKER_SOURCE = "js/offline/sw.js"
STORE_SOURCE = "js/offline/store.js"
# What the offline pages load, cached when the worker installs: their stylesheet, scripts
# and favicon (a page asks for it; offline, a miss would be a failed load). Not the app
# icons: the browser keeps the installed app's icon itself (issue 19: on 3G each byte counts).
PRECACHED_STATIC = (
    "css/app.css",
    "js/orders/partner.js",
    STORE_SOURCE,
    "js/offline/outbox.js",
    "img/favicon.svg",
)
# The pages that open from the phone's copy when the network is gone (network first).
OFFLINE_PAGE_NAMES = ("partner_home", "partner_order_new", "partner_orders", "partner_villagers")


def _static_bytes(path: str) -> bytes:
    found = finders.find(path)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    with staticfiles_storage.open(path) as handle:  # collected static files only (no sources)
        return handle.read()


def _worker_config() -> dict:
    digest = hashlib.sha256()
    for path in (WORKER_SOURCE, *PRECACHED_STATIC):
        digest.update(path.encode())
        digest.update(_static_bytes(path))
    precache = [static(path) for path in PRECACHED_STATIC]
    offline_url = reverse("pwa-offline")
    digest.update(json.dumps([precache, offline_url]).encode())
    return {
        "version": digest.hexdigest()[:16],
        "store": static(STORE_SOURCE),
        "precache": precache,
        "offlinePage": offline_url,
        "pages": [reverse(name) for name in OFFLINE_PAGE_NAMES],
        "orderNew": reverse("partner_order_new"),
        "currentUser": reverse("pwa-user"),
        "orderList": reverse("partner_orders"),
        "villagerLookup": reverse("partner_villager_lookup"),
        "api": {
            "orders": reverse("api-order-list"),
            "villagers": reverse("api-villager-list"),
            "categories": reverse("api-category-list"),
            "promotions": reverse("api-promotion-list"),
        },
    }


@lru_cache(maxsize=1)
def _worker_script_cached() -> str:
    return _worker_script_build()


def _worker_script_build() -> str:
    config = json.dumps(_worker_config(), separators=(",", ":"))
    source = _static_bytes(WORKER_SOURCE).decode()
    return f"self.RT_CONFIG = {config};\n{source}"


def worker_script() -> str:
    # Static files do not change while a production process runs; in development they do.
    return _worker_script_build() if settings.DEBUG else _worker_script_cached()


def worker_etag(script: str) -> str:
    return quote_etag(hashlib.sha256(script.encode()).hexdigest()[:32])


def _unchanged(request, etag: str) -> bool:
    # Weak comparison: GZipMiddleware turns the ETag it compresses into a weak one (W/"…").
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in sent or etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in sent}


# The browser asks for the worker again on each navigation (the update check): an
# unchanged worker is a 304 of a few hundred bytes instead of the whole script.
@require_GET
def service_worker(request):
    script = worker_script()
    etag = worker_etag(script)
    if _unchanged(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    # The browser must see a new version at once: never from an HTTP cache without asking.
    patch_cache_control(response, no_cache=True, max_age=0)
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    data = {
        "id": reverse("partner_home"),
        "name": _("Rural Taobao Partner"),
        "short_name": _("Rural Taobao"),
        "description": _("Log villagers' orders, also without a network."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": reverse("partner_home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, no_cache=True, max_age=0)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))  # the name follows the language
    return response


@require_GET
def current_user(request):
    """Who the server says is logged in on this browser: ``{"user": id | null}``. The worker
    and the outbox ask before trusting what they saved, and never send one user's outbox
    under another's session. Never cached."""
    user = request.user
    response = JsonResponse({"user": user.pk if user.is_authenticated else None})
    patch_cache_control(response, no_store=True)
    return response


@require_GET
def offline(request):
    """Shown by the worker for a partner page it has no copy of. It holds nothing personal
    (it is cached for whoever uses the phone), so it does not extend base.html."""
    return render(request, "pwa/offline.html")


class LogoutView(auth_views.LogoutView):
    """Django's logout, telling the browser to wipe this site's storage: IndexedDB (the
    outbox, the cached villagers), the worker's caches and the worker itself. The page
    script clears them before the logout is posted; this header covers a phone where that
    script did not run."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"storage"'
        return response
