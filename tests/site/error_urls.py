"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import path

from rural_taobao.urls import handler403, handler404, handler500
from rural_taobao.urls import urlpatterns as site_urlpatterns


def _raises(exception: Exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("fail/missing/", _raises(Http404("no such thing"))),
    path("fail/forbidden/", _raises(PermissionDenied())),
    path("fail/bad/", _raises(SuspiciousOperation("bad input"))),
    path("fail/boom/", _raises(RuntimeError("boom"))),
    *site_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
