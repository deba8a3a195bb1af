"""Short one-time set-password links (``/s/<code>/``), short enough for an SMS and a QR
code, and the activation SMS that carries one."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rural_taobao.errors import NotFound
from rural_taobao.sms import SMS_SEGMENT_CHARS

from .models import SetPasswordLink

LINK_DAYS = 14
_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/l/I


def set_password_link_create(user: User, *, days: int = LINK_DAYS) -> SetPasswordLink:
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return SetPasswordLink.objects.create(code=code, user=user, expires_at=timezone.now() + dt.timedelta(days=days))


def set_password_link_url(link: SetPasswordLink) -> str:
    return settings.SITE_URL + reverse("short_set_password_link", args=[link.code])


def set_password_link_open(code: str) -> User:
    """The login a short link is for, while it may still set its password (NotFound once
    the password is set, the link expired, or there is no such code)."""
    link = SetPasswordLink.objects.select_related("user").filter(code=str(code)[:16]).first()
    if link is None or link.expires_at <= timezone.now():
        raise NotFound(_("This link has expired or is not valid. Ask your county's programme staff for a new one."))
    if link.user.has_usable_password() or not link.user.is_active:
        raise NotFound(_("This link has been used: the password is set. Log in with it."))
    return link.user


def text_activation(url: str) -> str:
    """The partner's SMS with their set-password link (one segment; without the link when
    the site's address makes it too long: the printed sheet carries it then)."""
    text = f"【农村淘宝】您已成为合伙人，账号是本手机号，请设置密码：{url}"
    if len(text) <= SMS_SEGMENT_CHARS:
        return text
    return "【农村淘宝】您已成为合伙人，账号是本手机号，请向县服务中心领取设置密码的卡片。"
