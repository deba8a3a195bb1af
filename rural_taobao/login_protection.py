"""Brute-force protection for the login page and the API token endpoint (django-axes).

A username is locked after AXES_FAILURE_LIMIT failures from any address, and an address
after as many failures across usernames; others are unaffected. Admins unlock in the
Django admin (Axes › Access attempts: delete) or with ``manage.py axes_reset_username``.
"""

from axes.backends import AxesStandaloneBackend
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from .throttling import AnonRateThrottle

USERNAME_MAX_LENGTH = 150


class LoginLockoutBackend(AxesStandaloneBackend):
    """Axes' check for every login made through a request. Authentication without a
    request (the shell, a test client's login()) has no address to lock and is let through
    to the next backend, which checks the password as usual."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_username(request, credentials) -> str | None:
    """What axes records as the username: bounded, so absurd input can't overflow a column."""
    username = (credentials or {}).get("username") if credentials else None
    if username is None:
        username = request.POST.get("username") if hasattr(request, "POST") else None
    if not isinstance(username, str):
        return None
    return username.replace("\x00", "")[:USERNAME_MAX_LENGTH]


def lockout_response(request, original_response=None, credentials=None):
    message = _(
        "Too many failed login attempts. This account or address is locked for 30 minutes; an admin can unlock it sooner."
    )
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


class TokenRateThrottle(AnonRateThrottle):
    scope = "token"


__all__ = ["LoginLockoutBackend", "Token", "TokenRateThrottle", "lockout_response", "lockout_username"]
