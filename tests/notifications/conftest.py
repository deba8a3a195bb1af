import pytest

from tests.notifications.gateway import start_gateway, stop_gateway


@pytest.fixture
def gateway(settings):
    """The HTTP backend pointed at a real loopback gateway; ``gateway.script`` lists the
    statuses it answers, in order (then 200)."""
    gateway, server = start_gateway([])
    settings.SMS_BACKEND = "rural_taobao.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_GATEWAY_SECRET = "shared-secret-for-tests"
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    yield gateway
    stop_gateway(gateway, server)
