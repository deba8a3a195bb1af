"""Logins of every role: the one-time link at which a new login sets its password."""

from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
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
