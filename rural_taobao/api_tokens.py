"""API tokens (DRF's authtoken, one per login): valid for API_TOKEN_DAYS after they were
issued, gone whenever the login's password changes or the login is deactivated, and gone
when their owner signs out their other devices.

Every path that changes a password or deactivates a login — the password-change page,
the one-time set-password link, a partner's suspension, the Django admin, the shell —
ends in ``User.save()``; one ``pre_save`` receiver there (``revoke_tokens_on_credentials_change``,
connected in ``rural_taobao.apps``) is the only place that cannot be forgotten by a new
path, as Django's own ``update_last_login`` hangs off ``user_logged_in``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expiry_cutoff():
    """Tokens issued before this moment have expired."""
    return timezone.now() - timedelta(days=settings.API_TOKEN_DAYS)


def api_token_issue(*, user: User) -> Token:
    """The login's token, a new one when the old one has expired."""
    with transaction.atomic():
        Token.objects.filter(user=user, created__lt=token_expiry_cutoff()).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def api_tokens_revoke(*, user: User) -> int:
    return Token.objects.filter(user=user).delete()[0]


def user_sign_out_other_devices(*, user: User, keep_session_key: str | None, keep_token: bool) -> Token | None:
    """End every session of ``user`` but ``keep_session_key`` and delete their API token.
    A login has one token, shared by every device that uses the API: with ``keep_token``
    (the caller uses it) a new one is issued and returned, so this device stays signed in."""
    with transaction.atomic():
        api_tokens_revoke(user=user)
        _end_sessions(user, keep_session_key)
        return Token.objects.create(user=user) if keep_token else None


def _end_sessions(user: User, keep_session_key: str | None) -> int:
    # Sessions are stored signed, not by user: the live ones are read and decoded. The
    # button is pressed rarely; a session table of many thousands takes seconds at most.
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        raise NotImplementedError("signing out other devices reads database sessions")
    mine = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        .exclude(session_key=keep_session_key or "")
        .iterator(chunk_size=2000)
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    return Session.objects.filter(session_key__in=mine).delete()[0]


def revoke_tokens_on_credentials_change(sender, instance: User, raw: bool = False, update_fields=None, **kwargs):
    """pre_save of User: a new password, or a login deactivated, takes its token away."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every login
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing (and deleting) a token older than API_TOKEN_DAYS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token.created < token_expiry_cutoff():
            token.delete()
            raise AuthenticationFailed(_("The token has expired: ask for a new one at /api/v1/auth/token/."))
        return user, token
