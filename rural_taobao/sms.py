"""Sending one SMS, through a backend chosen like Django's email backend.

``SMS_BACKEND`` is the dotted path of the class (default ``rural_taobao.sms.ConsoleBackend``):

- ``ConsoleBackend`` writes the message to the log (the phone masked, as in every log
  line) and sends nothing: the embedded quick start and the tests use it. The outbox
  (``notifications.Message``) keeps the text, so a demo reads it there.
- ``HttpGatewayBackend`` POSTs the message to the SMS gateway at ``SMS_GATEWAY_URL``:

  .. code-block:: http

      POST <SMS_GATEWAY_URL>
      Content-Type: application/json; charset=utf-8
      X-Signature: <hex HMAC-SHA256 of the exact body bytes under SMS_GATEWAY_SECRET>

      {"id": "42", "to": "13800138000", "text": "您的包裹已到服务站，取件码 123456"}

  ``id`` is the outbox message's id: the same message sent again (a retry after a
  timeout whose request did reach the gateway) carries the same id, so the gateway can
  drop the duplicate. The body is UTF-8 JSON without spaces. Any 2xx answer is a
  delivery to the gateway. A 5xx, 429, timeout (``SMS_GATEWAY_TIMEOUT`` seconds, default
  5) or broken connection raises ``TemporarySmsError`` (the outbox retries with backoff);
  any other answer (4xx, a redirect) raises ``PermanentSmsError`` (the message fails at
  once: retrying a refused message would be refused again).

This module is the kernel's: it knows phones and settings, no app's models; the outbox's
storing, locking and retrying live in ``notifications``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .phones import mask_phone, mask_phones

logger = logging.getLogger(__name__)

# One segment of a Chinese (UCS-2) SMS; a longer text is billed and delivered as several.
SMS_SEGMENT_CHARS = 70
DEFAULT_BACKEND = "rural_taobao.sms.ConsoleBackend"


class SmsError(Exception):
    """The message was not handed over; ``str(error)`` says why (for the outbox's last_error)."""


class TemporarySmsError(SmsError):
    """Worth trying again later: the gateway is down, slow or overloaded."""


class PermanentSmsError(SmsError):
    """The gateway refused this message; sending it again would be refused again."""


@dataclass(frozen=True)
class SendResult:
    """A message handed over. ``reference`` is what the gateway called it, if it said."""

    backend: str
    reference: str = ""


class BaseSmsBackend:
    """A backend sends one message or raises ``TemporarySmsError`` / ``PermanentSmsError``."""

    def send(self, to: str, text: str, *, message_id: str = "") -> SendResult:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Logs the message and sends nothing."""

    def send(self, to: str, text: str, *, message_id: str = "") -> SendResult:
        # Masked here as well as by the logging filter: a handler configured without the
        # filter (a test's log capture, a worker's own logging) still never writes a phone.
        logger.info("SMS %s to %s: %s", message_id or "-", mask_phone(to), mask_phones(text))
        return SendResult(backend="console")


def sign(body: bytes, secret: str) -> str:
    """The ``X-Signature`` of a request body: hex HMAC-SHA256 under the shared secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def gateway_body(to: str, text: str, message_id: str) -> bytes:
    """The exact bytes POSTed (and signed): compact UTF-8 JSON, Chinese left as is."""
    return json.dumps({"id": message_id, "to": to, "text": text}, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would follow a 301/302 as a GET without the body: a moved gateway is a
    # configuration error to see, not something to send to by guesswork.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpGatewayBackend(BaseSmsBackend):
    """POSTs signed JSON to ``SMS_GATEWAY_URL`` (see the module's docstring)."""

    def __init__(self, url: str | None = None, secret: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else getattr(settings, "SMS_GATEWAY_URL", "")
        self.secret = secret if secret is not None else getattr(settings, "SMS_GATEWAY_SECRET", "")
        self.timeout = timeout if timeout is not None else float(getattr(settings, "SMS_GATEWAY_TIMEOUT", 5))
        check_gateway_settings(self.url, self.secret, self.timeout)
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, to: str, text: str, *, message_id: str = "") -> SendResult:
        body = gateway_body(to, text, message_id)
        request = urllib.request.Request(  # noqa: S310 — the scheme is checked to be http(s)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "X-Signature": sign(body, self.secret),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:  # nosec B310
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            status = error.code
            detail = _answer_excerpt(error)
            if status >= 500 or status == 429:
                raise TemporarySmsError(f"gateway answered {status}{detail}") from error
            raise PermanentSmsError(f"gateway refused the message: {status}{detail}") from error
        except (TimeoutError, urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise TemporarySmsError(f"gateway unreachable: {reason!s}"[:500]) from error
        return SendResult(backend="http", reference=_reference(answer))


def check_gateway_settings(url: str, secret: str, timeout: float) -> None:
    """Refuse to build a gateway backend that cannot work (settings.py checks the same at start-up)."""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) URL when SMS_BACKEND is HttpGatewayBackend")
    if not secret:
        raise ImproperlyConfigured("SMS_GATEWAY_SECRET must be set when SMS_BACKEND is HttpGatewayBackend")
    if not timeout > 0:
        raise ImproperlyConfigured("SMS_GATEWAY_TIMEOUT must be a positive number of seconds")


def _answer_excerpt(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(300).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f": {mask_phones(text)}" if text else ""


def _reference(answer: bytes) -> str:
    """The gateway's id of the message, when it answers JSON with ``id`` (or nothing)."""
    try:
        data = json.loads(answer or b"null")
    except ValueError:
        return ""
    return str(data.get("id", ""))[:100] if isinstance(data, dict) else ""


@lru_cache(maxsize=8)
def _backend_class(path: str) -> type[BaseSmsBackend]:
    return import_string(path)


def get_backend(path: str | None = None) -> BaseSmsBackend:
    """A fresh backend of ``path`` (default: the ``SMS_BACKEND`` setting)."""
    return _backend_class(path or getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND))()
