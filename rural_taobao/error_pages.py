"""The product's error pages: 400, 403, 404, 500 and the CSRF failure are templates of
ours (templates/400.html, 403.html, 404.html, 500.html, 403_csrf.html), in the page's
language; API paths answer JSON.

Which page shows when:
- 403 (PermissionDenied): ``forbidden`` renders templates/403.html in both modes, with the
  refusal's reason (whom the page is for: ``role_required(..., message=…)``, translated
  when the page renders) and a link to the login's own pages.
- 404: ``not_found`` in both modes. With DEBUG off Django calls it as handler404; with
  DEBUG on Django would answer its technical 404 page, so ``NotFoundPageMiddleware``
  answers an unknown address, or a view's Http404, with the same page.
- 400, CSRF failure and 500: templates/400.html, 403_csrf.html and 500.html with DEBUG off.
  They render without the request's context (no database, no login: only static files),
  like Django's own handlers. With DEBUG on, Django's technical pages (traceback) show
  for 400 and 500: a developer needs them.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.log import log_response

from .middleware import DatabaseUnavailableMiddleware


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """handler404: API clients get JSON, browsers the product's page."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", {"request_path": request.path}, status=404)


def forbidden(request, exception=None):
    """handler403: the product's page in the page's language, saying whom the page is for
    when the refusal says so, and where this login's own pages are."""
    from .views import workspace_url  # the views import the partner app: not at import time

    if _is_api(request):
        return JsonResponse({"detail": str(exception or "") or "Forbidden."}, status=403)
    reason = str(exception.args[0]) if exception is not None and exception.args else ""
    user = getattr(request, "user", None)
    own_page = workspace_url(user) if user is not None and user.is_authenticated else None
    return render(request, "403.html", {"reason": reason, "own_page": own_page}, status=403)


def server_error(request):
    """handler500: a database that went away mid-request is a 503 (try again), not a bug;
    otherwise the product's 500 page, rendered without the request (no database)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        return DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, exc)
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())


class NotFoundPageMiddleware:
    """With DEBUG on, the product's 404 page (not Django's technical one) for an address
    no URL matches and for a view's Http404. Last in MIDDLEWARE, so the login, the
    language and the messages are known; CommonMiddleware's APPEND_SLASH redirect still
    sees the 404. DEBUG is read per request (override_settings works)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                return self._not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        response = not_found(request, exception)
        log_response("Not Found: %s", request.path, response=response, request=request, exception=exception)
        return response
