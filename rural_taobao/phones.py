"""Mainland China mobile numbers: the rule, normalising what people type, masking.

Partners' usernames and villagers' keys are mobile numbers, so this one rule decides what
a form, the API, an import file and the database accept, and how a number is shown to
someone who may not see it in full (and written to logs).
"""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# 11 digits, 1 then 3–9. The database's check constraints use the same expression.
MOBILE_PHONE_REGEX = r"^1[3-9][0-9]{9}$"
MOBILE_PHONE_MESSAGE = _("Enter a mainland China mobile number: 11 digits starting with 13–19.")
mobile_phone_validator = RegexValidator(MOBILE_PHONE_REGEX, MOBILE_PHONE_MESSAGE)

# A mobile number inside any text (a log line, a path): not part of a longer number.
_MOBILE_PHONE_IN_TEXT = re.compile(rf"(?<!\d){MOBILE_PHONE_REGEX.removeprefix('^').removesuffix('$')}(?!\d)")


def is_mobile_phone(text: str) -> bool:
    return re.fullmatch(MOBILE_PHONE_REGEX, text) is not None


def normalize_phone(value) -> str:
    """A mobile number as people type it: spaces, dashes and a +86 prefix are dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # Excel stores phone columns as numbers
        value = int(value)
    text = str(value).strip()
    for char in (" ", "-", "\u00a0", "\t"):
        text = text.replace(char, "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text


def mask_phone(phone: str) -> str:
    """138****5678: the first three and the last four digits."""
    return f"{phone[:3]}****{phone[-4:]}"


def mask_phones(text: str) -> str:
    """Every mobile number in ``text`` masked; other numbers (order numbers, amounts) kept."""
    return _MOBILE_PHONE_IN_TEXT.sub(lambda match: mask_phone(match.group()), text)
