"""The client's address, the one answer the login lockout (axes) and the API throttles use.

Behind the TLS proxy every connection comes from the proxy, so the peer address
(REMOTE_ADDR) names the proxy, not the client. Each proxy appends the address it received
the request from to X-Forwarded-For; everything to the left of what our own proxies
appended is whatever the client chose to send. So the client is the entry exactly
PROXY_COUNT hops from the right — never further left. With no proxy (PROXY_COUNT=0), or
when the header has fewer hops than there are proxies or the hop is not an address, the
peer is the answer: a value the client can't choose.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    peer = request.META.get("REMOTE_ADDR")
    proxy_count = int(getattr(settings, "PROXY_COUNT", 0))
    if proxy_count <= 0:
        return peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxy_count:
        return peer
    hop = hops[-proxy_count].strip()
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return peer
