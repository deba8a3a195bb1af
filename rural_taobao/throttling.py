"""The project's DRF throttle classes: DRF's own, keyed by the client address from
``rural_taobao.client_ip`` (DRF's ``get_ident`` would take the whole X-Forwarded-For
when NUM_PROXIES is unset, so a client could dodge a throttle by changing the header).
Every throttle in the project derives from ``ClientAddressThrottleMixin``; a test checks."""

from rest_framework import throttling

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
