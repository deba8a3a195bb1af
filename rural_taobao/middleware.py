"""When the database is unreachable (restart, failover), answer 503 cleanly — JSON for
the API, a short page otherwise — never a traceback page; the transaction of the request
was rolled back by the database, so nothing is half-written."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, type(exception).__name__)
        message = _("The service is briefly unavailable. Please try again in a moment.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = render(request, "unavailable.html", {"message": message}, status=503)
        response["Retry-After"] = "5"
        return response


class RefuseNullCharactersMiddleware:
    """A NUL character is never part of a real name, phone or filter, and PostgreSQL
    refuses it in any text: answer 400 before a view passes one to a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        # API bodies are checked by the serializers' fields, which refuse NUL characters.
        form_post = (
            request.method == "POST"
            and not api
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        )
        if "\x00" in request.path or self._has_null(request.GET) or (form_post and self._has_null(request.POST)):
            message = _("The request contains a NUL character.")
            if api:
                return JsonResponse({"non_field_errors": [message]}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    @staticmethod
    def _has_null(query_dict) -> bool:
        return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RequestSizeLimitMiddleware:
    """Refuse a body larger than MAX_REQUEST_BYTES from its Content-Length, before any of it
    is read: 413 with a message (uploads have their own, smaller limits in their forms)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            message = _("The request is too large (at most %(mb)d MB).") % {"mb": self.limit // (1024 * 1024)}
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            response = HttpResponseBadRequest(message)
            response.status_code = 413
            return response
        return self.get_response(request)


class OfflineIdentityMiddleware:
    """Every HTML answer says whose it is: ``X-RT-User: <user id>``, empty for nobody.

    The service worker (static/js/offline/sw.js) keeps saved pages and the outbox per user
    and serves a saved copy only to the user the server last named; a login of someone
    else (a different id here) wipes the previous user's copies and data on the phone.
    The page's own <meta name="rt-user"> could be a saved copy; this header is the server's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.get("Content-Type") or "").startswith("text/html"):
            user = getattr(request, "user", None)
            response["X-RT-User"] = str(user.pk) if user is not None and user.is_authenticated else ""
        return response
