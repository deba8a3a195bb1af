"""The installable partner app, server side: the service worker script, the manifest, the
icons, the offline page, the tags on the partner pages, and the logout that wipes storage."""

import json
import struct

import pytest
from django.contrib.staticfiles import finders

from rural_taobao import pwa


@pytest.fixture
def english_client(client):
    client.cookies["django_language"] = "en"
    return client


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert header[12:16] == b"IHDR"
    return struct.unpack(">II", header[16:24])


def test_the_service_worker_is_served_from_the_site_root_uncached(client):
    # when
    response = client.get("/sw.js")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert body.startswith("self.RT_CONFIG = ")
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.RT_CONFIG = ").removesuffix(";"))
    assert config["pages"] == ["/partner/", "/partner/orders/new/", "/partner/orders/", "/partner/villagers/"]
    assert config["store"] == "/static/js/offline/store.js"
    assert "/static/js/offline/outbox.js" in config["precache"]
    assert config["offlinePage"] == "/offline/"
    assert "importScripts(RT_CONFIG.store)" in body
    # every precached file exists
    for url in config["precache"]:
        assert finders.find(url.removeprefix("/static/")), url


def test_the_worker_version_changes_with_the_static_files(monkeypatch):
    # given
    before = json.loads(pwa._worker_script_build().split("\n", 1)[0][len("self.RT_CONFIG = ") : -1])["version"]
    real = pwa._static_bytes
    monkeypatch.setattr(pwa, "_static_bytes", lambda path: real(path) + (b"/* v2 */" if path == "css/app.css" else b""))
    # when
    after = json.loads(pwa._worker_script_build().split("\n", 1)[0][len("self.RT_CONFIG = ") : -1])["version"]
    # then: a new script, so the browser installs the new worker and drops the old cache
    assert before != after


def test_the_service_worker_only_answers_get(client):
    assert client.post("/sw.js").status_code == 405


def test_the_manifest_makes_the_partner_pages_installable(english_client):
    # when
    response = english_client.get("/manifest.webmanifest")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "Accept-Language" in response["Vary"]
    manifest = json.loads(response.content)
    assert manifest["name"] == "Rural Taobao Partner"
    assert manifest["start_url"] == "/partner/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#ff5000"
    sizes = {icon["sizes"]: icon for icon in manifest["icons"] if icon["purpose"] == "any"}
    assert set(sizes) == {"192x192", "512x512"}
    for size, icon in sizes.items():
        assert icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        width, height = png_size(path)
        assert f"{width}x{height}" == size


def test_the_manifest_name_follows_the_language(client):
    client.cookies["django_language"] = "zh-hans"
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["lang"] == "zh-hans"
    assert manifest["start_url"] == "/partner/"


def test_the_offline_page_holds_nothing_personal(client, alice):
    # given: rendered for a logged-in partner, it is cached for whoever holds the phone
    client.force_login(alice.user)
    # when
    response = client.get("/offline/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="offline-page"' in html
    assert alice.user.username not in html
    assert alice.real_name not in html
    assert "rt-user" not in html


def test_partner_pages_carry_the_manifest_the_user_and_the_offline_scripts(english_client, alice):
    # given
    english_client.force_login(alice.user)
    # when
    html = english_client.get("/partner/orders/").content.decode()
    # then
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#ff5000">' in html
    assert f'<meta name="rt-user" content="{alice.user.pk}">' in html
    assert 'id="offline-banner"' in html
    assert 'data-sw="/sw.js"' in html
    assert "/static/js/offline/outbox.js" in html
    assert 'id="offline-strings"' in html
    assert "{n} orders waiting to send" in html  # the plural form, in English


def test_the_new_order_form_keeps_the_hidden_id_the_worker_rewrites(english_client, alice):
    # The worker gives a saved copy of the form a fresh client_request_id by rewriting this input.
    english_client.force_login(alice.user)
    html = english_client.get("/partner/orders/new/", follow=True).content.decode()
    assert '<input type="hidden" name="client_request_id" value="' in html
    assert "<body" in html


@pytest.mark.parametrize("who", ["anonymous", "carol", "admin_user"])
def test_other_pages_and_roles_get_no_service_worker(client, who, request):
    # given
    if who != "anonymous":
        user = request.getfixturevalue(who)
        client.force_login(getattr(user, "user", user))
    # when
    html = client.get("/accounts/login/" if who == "anonymous" else "/", follow=True).content.decode()
    # then
    assert "offline/outbox.js" not in html
    assert 'rel="manifest"' not in html
    assert 'id="offline-banner"' not in html


def test_logging_out_tells_the_browser_to_wipe_the_sites_storage(client, alice):
    # given
    client.force_login(alice.user)
    # when
    response = client.post("/accounts/logout/")
    # then
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
    assert "_auth_user_id" not in client.session


def test_an_unchanged_worker_is_a_304_by_its_etag(client):
    # given: the browser's copy of the worker (it asks again on every navigation)
    first = client.get("/sw.js")
    etag = first["ETag"]
    # when
    again = client.get("/sw.js", HTTP_IF_NONE_MATCH=etag)
    # then: a 304 without the script, still never used without asking
    assert first.status_code == 200 and etag
    assert again.status_code == 304
    assert again.content == b""
    assert "no-cache" in again["Cache-Control"]
    # and a stale copy gets the whole script
    assert client.get("/sw.js", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_the_etag_follows_the_worker_script(client):
    # given
    etag = client.get("/sw.js")["ETag"]
    script = pwa.worker_script()
    # then: another script, another tag; and the gzipped (weak) tag still matches
    assert pwa.worker_etag(script + "/* v2 */") != pwa.worker_etag(script) == etag
    assert client.get("/sw.js", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304


def test_the_worker_precaches_only_what_the_offline_pages_load(client):
    body = client.get("/sw.js").content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("self.RT_CONFIG = ").removesuffix(";"))
    # the stylesheet, the page scripts and the favicon; not the app icons
    assert sorted(config["precache"]) == sorted(
        [
            "/static/css/app.css",
            "/static/js/orders/partner.js",
            "/static/js/offline/store.js",
            "/static/js/offline/outbox.js",
            "/static/img/favicon.svg",
        ]
    )
