"""Every message a user can see in Chinese, Django's own included (issue 19, points 17 and 20).

Django 5.2 changed some of its own message ids (the password-length error now uses
``%d``) before its Chinese catalogue caught up, so the set-password page showed
"This password is too short…" inside a Chinese page. The product's catalogue fills
such gaps; these tests find any gap left in the Django catalogues the product shows
(core forms, auth, admin) and any admin model name left in English.
"""

import re
from pathlib import Path

import django
import polib
import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from rural_taobao.accounts import set_password_path

CJK = re.compile(r"[\u4e00-\u9fff]")
DJANGO = Path(django.__file__).parent
CATALOGUES = [
    DJANGO / "conf/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/auth/locale/en/LC_MESSAGES/django.po",
    DJANGO / "contrib/admin/locale/en/LC_MESSAGES/django.po",
]
# Message ids that are the same in Chinese (format strings, symbols, names).
SAME_IN_CHINESE = {"English", "IPv4", "IPv6", "URL", "%(class_name)s %(instance)s"}


def _untranslated(catalogue: Path) -> list[str]:
    missing = []
    with translation.override("zh-hans"):
        for entry in polib.pofile(str(catalogue)):
            if entry.obsolete or entry.msgid in SAME_IN_CHINESE or not re.search("[A-Za-z]{3}", entry.msgid):
                continue
            if entry.msgid_plural:
                text = (
                    translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                    if entry.msgctxt
                    else translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                )
            else:
                text = (
                    translation.pgettext(entry.msgctxt, entry.msgid)
                    if entry.msgctxt
                    else translation.gettext(entry.msgid)
                )
            if text == entry.msgid:
                missing.append(entry.msgid)
    return missing


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_django_message_the_product_shows_has_a_chinese_translation(catalogue):
    assert _untranslated(catalogue) == []


@pytest.mark.django_db
def test_every_password_rule_speaks_chinese():
    user = User(username="13800001111", first_name="张三")
    for password in ["1234", "12345678901", "password", "13800001111"]:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            validate_password(password, user)
        for message in refused.value.messages:
            assert CJK.search(message), message
            assert "password" not in message.lower(), message


@pytest.mark.django_db
def test_the_set_password_page_answers_a_short_password_in_chinese(client):
    user = User.objects.create_user("13800002222", password="first-pass-1")
    page = client.get(set_password_path(user), HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    response = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else set_password_path(user),
        {"new_password1": "ab1", "new_password2": "ab1"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "密码长度太短" in html
    assert "too short" not in html and "This password" not in html


@pytest.mark.django_db
def test_the_admin_is_titled_as_the_product_and_every_model_name_is_chinese(admin_client):
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
                assert CJK.search(str(name)), f"{model.__name__}: {name}"
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Django 管理" not in html and "Django administration" not in html
    assert "农村淘宝合伙人平台" in html
    for english in ("County days", "County summarys", "Rollup runs", "Access attempts"):
        assert english not in html
