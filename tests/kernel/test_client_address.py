"""The client's address behind the TLS proxy: X-Forwarded-For exactly PROXY_COUNT hops
from the right (what our own proxy appended), never a value the client can choose. The
login lockout (axes) and every API throttle read it from the one function."""

import importlib
import inspect
import pkgutil

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from rural_taobao.client_ip import client_ip
from rural_taobao.throttling import ClientAddressThrottleMixin
from tests.support.factories import UserFactory

LIMIT = 5
PROXY = "10.8.0.1"  # the TLS proxy: every request reaches the app from this address


@pytest.fixture(autouse=True)
def fresh_throttles():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def behind_one_proxy(settings):
    settings.PROXY_COUNT = 1


def forwarded(real_client: str, spoofed: str | None = None) -> dict:
    """The headers of a request that passed our proxy: the client may send any
    X-Forwarded-For of its own; the proxy appends the address it saw."""
    xff = f"{spoofed}, {real_client}" if spoofed else real_client
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": xff}


def request_with(**meta):
    return RequestFactory().get("/", **meta)


# ── the function ─────────────────────────────────────────────────────────────


def test_without_proxies_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.PROXY_COUNT = 0
    assert client_ip(request_with(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")) == "198.51.100.7"


def test_behind_one_proxy_the_rightmost_hop_is_the_client(behind_one_proxy):
    assert client_ip(request_with(**forwarded("203.0.113.5", spoofed="1.2.3.4, 5.6.7.8"))) == "203.0.113.5"
    assert client_ip(request_with(**forwarded("203.0.113.5"))) == "203.0.113.5"


def test_behind_two_proxies_the_second_hop_from_the_right_is_the_client(settings):
    settings.PROXY_COUNT = 2
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5, 10.8.0.2"}
    assert client_ip(request_with(**meta)) == "203.0.113.5"


@pytest.mark.parametrize(
    "xff",
    ["", "   ", "not-an-address", "203.0.113.5, ", "1.2.3.4, <script>"],
    ids=["empty", "blank", "junk", "empty-hop", "junk-hop"],
)
def test_a_missing_or_malformed_proxy_hop_falls_back_to_the_peer(behind_one_proxy, xff):
    assert client_ip(request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)) == PROXY


def test_fewer_hops_than_proxies_is_never_the_clients_own_value(settings):
    settings.PROXY_COUNT = 2
    assert client_ip(request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4")) == PROXY


def test_ipv6_hops_are_taken(behind_one_proxy):
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.1, 2001:db8::1"}
    assert client_ip(request_with(**meta)) == "2001:db8::1"


# ── the login lockout ────────────────────────────────────────────────────────


def login_page(username, password, **meta):
    return Client(**meta).post(
        "/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def token(username, password, **meta):
    return APIClient(**meta).post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


@pytest.mark.django_db
def test_lockout_behind_the_proxy_locks_the_real_client_and_no_one_else(behind_one_proxy):
    # given: two users and a guesser; everyone reaches the app through the same proxy
    UserFactory(username="13800002222", password="other-password-2")
    # when: the guesser fails LIMIT times across usernames, changing its own header each time
    for i in range(LIMIT):
        login_page(f"1390000{i:04d}", "guess", **forwarded("203.0.113.5", spoofed=f"192.0.2.{i}"))
    # then: the guesser's real address is locked, whatever it claims now
    assert token("13800002222", "other-password-2", **forwarded("203.0.113.5", spoofed="192.0.2.77")).status_code == 429
    assert login_page("13800002222", "other-password-2", **forwarded("203.0.113.5")).status_code == 429
    # and another real client through the same proxy logs in as usual
    assert token("13800002222", "other-password-2", **forwarded("203.0.113.6")).status_code == 200
    assert login_page("13800002222", "other-password-2", **forwarded("203.0.113.6")).status_code == 302


@pytest.mark.django_db
def test_the_lockout_records_the_real_client_address(behind_one_proxy):
    from axes.models import AccessAttempt

    token("13900000001", "guess", **forwarded("203.0.113.9", spoofed="192.0.2.1"))
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


# ── the API throttles ────────────────────────────────────────────────────────


@pytest.fixture
def token_rate_3_a_minute(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "token", "3/min")


@pytest.mark.django_db
def test_a_changed_header_does_not_dodge_the_token_throttle(behind_one_proxy, token_rate_3_a_minute):
    # given: three requests from one real client (empty bodies: 400, no lockout involved)
    for i in range(3):
        assert token("", "", **forwarded("203.0.113.5", spoofed=f"192.0.2.{i}")).status_code == 400
    # when: the fourth claims to come from somewhere else
    dodged = token("", "", **forwarded("203.0.113.5", spoofed="198.51.100.200"))
    # then: throttled; another real client through the same proxy is not
    assert dodged.status_code == 429
    assert token("", "", **forwarded("203.0.113.6")).status_code == 400


@pytest.mark.django_db
def test_without_a_proxy_the_header_does_not_dodge_the_token_throttle(settings, token_rate_3_a_minute):
    settings.PROXY_COUNT = 0
    for i in range(3):
        token("", "", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert token("", "", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def _drf_views():
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None)
                if view is not None:
                    yield view

    return set(walk(get_resolver().url_patterns))


def _project_modules():
    roots = ["rural_taobao", "notifications", "counties", "partners", "orders", "integrity", "analytics", "payouts"]
    for root in roots:
        package = importlib.import_module(root)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{root}."):
            if ".migrations" in info.name or info.name.endswith(".tests"):
                continue
            if info.name in {"rural_taobao.wsgi", "rural_taobao.celery"}:
                continue
            yield importlib.import_module(info.name)


def test_every_throttle_in_use_reads_the_client_address_from_the_one_function():
    # the defaults, every API view's classes, and every throttle class the project defines
    # (some views choose theirs per action in get_throttles)
    classes = set(api_settings.DEFAULT_THROTTLE_CLASSES)
    for view in _drf_views():
        classes.update(getattr(view, "throttle_classes", []))
    for module in _project_modules():
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseThrottle) and obj.__module__.split(".")[0] != "rest_framework":
                classes.add(obj)
    assert classes, "no throttle found: the check would pass empty"
    outside = [cls for cls in classes if not issubclass(cls, ClientAddressThrottleMixin)]
    assert outside == []


def test_no_module_uses_drfs_own_throttle_classes_directly():
    offenders = []
    for module in _project_modules():
        if module.__name__ == "rural_taobao.throttling":
            continue
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            continue
        if "rest_framework.throttling" in source:
            offenders.append(module.__name__)
    assert offenders == []
