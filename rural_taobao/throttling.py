"""The project's DRF throttle classes: DRF's own, keyed by the client address from
``rural_taobao.client_ip`` (DRF's ``get_ident`` would take the whole X-Forwarded-For
when NUM_PROXIES is unset, so a client could dodge a throttle by changing the header).
Every throttle in the project derives from ``ClientAddressThrottleMixin``; a test checks."""

from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

from .client_ip import client_ip


class ClientAddressThrottleMixin:
    def get_ident(self, request) -> str:
        return client_ip(request) or ""


class SimpleRateThrottle(ClientAddressThrottleMixin, throttling.SimpleRateThrottle):
    pass


class AnonRateThrottle(ClientAddressThrottleMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressThrottleMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressThrottleMixin, throttling.ScopedRateThrottle):
    pass



class CurrentRateMixin:
    """The scope's rate as settings say now (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES), not as
    they said when the class was defined: a throttle is built for each request, so a settings
    override (in a test, say) takes effect on the next one."""

    scope: str | None

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")


class ReadRateThrottle(CurrentRateMixin, UserRateThrottle):
    """Reads (GET, HEAD, OPTIONS) per user at the project's "reads" rate (READ_THROTTLE_RATE):
    a login that walks the API — guessing at filters, say — is slowed down. Writes count
    against their own "writes" rate."""

    scope = "reads"

    def allow_request(self, request, view):
        if request.method not in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class AddressRateThrottle(CurrentRateMixin, SimpleRateThrottle):
    """A page's submissions per client address, logged in or not (a subclass names the scope).
    Works on a plain Django request too: ``Throttle().allow_request(request, None)``."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
