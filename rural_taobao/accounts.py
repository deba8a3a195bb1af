"""Logins of every role: the one-time link at which a new login sets its password."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

# Where a page keeps a fresh set-password link to show once after a redirect
# (a session key, not a secret: bandit B105).
SET_PASSWORD_LINK_SESSION_KEY = "onboarding_set_password_link"  # noqa: S105  # nosec B105


def set_password_path(user: User) -> str:
    """The path of a one-time link at which ``user`` sets their password.

    Django's password-reset token is bound to the current password hash and last login:
    it stops working once the password is set (or after PASSWORD_RESET_TIMEOUT).
    """
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def set_password_link_flash(request, user: User, **extra) -> dict:
    """What a page keeps in the session to show a fresh set-password link once: the login,
    the absolute link and when it stops working (PASSWORD_RESET_TIMEOUT from now)."""
    expires = timezone.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return {
        **extra,
        "username": user.get_username(),
        "url": request.build_absolute_uri(set_password_path(user)),
        "expires": expires.isoformat(),
    }


def set_password_link_card(link: dict | None) -> dict | None:
    """The flashed link ready for ``onboarding/_set_password_link.html``: its expiry as a
    time and its QR code."""
    if not link:
        return None
    from .qr import qr_svg

    return {**link, "expires_at": dt.datetime.fromisoformat(link["expires"]) if link.get("expires") else None, "qr": qr_svg(link["url"])}
