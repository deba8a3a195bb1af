"""Where a partner is paid: ``payout_account_set`` (the one write, for the partner's page,
the admins' onboarding page and the API), its validation, and the form both pages use.

The partner changes their own account only after re-entering their password (checked
here, so no page or endpoint can forget it); an admin sets it without. Every change is
kept by django-simple-history with who made it (``_history_user``), shown on the
account's admin history page. Everyone but admins sees the account masked.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rural_taobao.access import is_admin
from rural_taobao.errors import Forbidden, InvalidInput
from rural_taobao.phones import is_mobile_phone, normalize_phone

from .access import partner_of
from .models import Partner, PayoutAccount, PayoutAccountKind

MAX_HOLDER = 50
MAX_ACCOUNT = 50
MAX_BANK = 50
_CARD_SEPARATORS = re.compile(r"[\s\-\u00a0]")
_CARD = re.compile(r"^[0-9]{12,19}$")
_FORMULA_START = ("=", "+", "-", "@")


def _plain_text(value: str, *, field: str, maximum: int, required: bool, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            errors[field] = [_("This field is required.")]
        return value
    if len(value) > maximum:
        errors[field] = [_("At most %(max)d characters.") % {"max": maximum}]
    elif value.startswith(_FORMULA_START):
        # It goes into a transfer file someone opens in a spreadsheet.
        errors[field] = [_("Must not start with =, +, - or @.")]
    return value


def clean_payout_account(*, holder_name: str, kind: str, account: str, bank_name: str = "") -> dict[str, str]:
    """The account as stored (normalised), or ``ValidationError`` by field: an Alipay
    account is a mobile number or an e-mail address; a bank card 12–19 digits (spaces
    and dashes forgiven) with the bank's name."""
    errors: dict[str, list[str]] = {}
    holder_name = _plain_text(holder_name, field="holder_name", maximum=MAX_HOLDER, required=True, errors=errors)
    account = (account or "").strip()
    bank_name = bank_name or ""
    if kind not in PayoutAccountKind.values:
        errors["kind"] = [_("Choose Alipay or bank card.")]
    elif not account:
        errors["account"] = [_("This field is required.")]
    elif kind == PayoutAccountKind.ALIPAY:
        phone = normalize_phone(account)
        if is_mobile_phone(phone):
            account = phone
        else:
            try:
                validate_email(account)
            except ValidationError:
                errors["account"] = [_("An Alipay account is a mobile number or an e-mail address.")]
            else:
                if len(account) > MAX_ACCOUNT:
                    errors["account"] = [_("At most %(max)d characters.") % {"max": MAX_ACCOUNT}]
                account = account.lower()
        bank_name = ""
    else:
        card = _CARD_SEPARATORS.sub("", account)
        if not _CARD.match(card):
            errors["account"] = [_("A bank card number has 12 to 19 digits.")]
        account = card
        bank_name = _plain_text(bank_name, field="bank_name", maximum=MAX_BANK, required=True, errors=errors)
        if "bank_name" in errors and not bank_name:
            errors["bank_name"] = [_("Name the bank of the card.")]
    if errors:
        raise ValidationError(errors)
    return {"holder_name": holder_name, "kind": kind, "account": account, "bank_name": bank_name}


def payout_account_of(partner: Partner) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(partner=partner).first()


@transaction.atomic
def payout_account_set(
    *,
    partner: Partner,
    holder_name: str,
    kind: str,
    account: str,
    bank_name: str = "",
    by_user: User,
    password: str | None = None,
) -> PayoutAccount:
    """Create or change the partner's payout account. The partner themself must give
    their password (``password``; wrong or missing: 400 on ``password``, nothing saved);
    an admin need not; anyone else: 403."""
    if not is_admin(by_user):
        own = partner_of(by_user)
        if own is None or own.pk != partner.pk:
            raise Forbidden(_("Only the partner or a programme admin may change this payout account."))
        if not password or not by_user.check_password(password):
            raise InvalidInput(_("The password is not correct."), field="password")
    values = clean_payout_account(holder_name=holder_name, kind=kind, account=account, bank_name=bank_name)
    # One row per partner: lock it (or the partner, when there is none yet) so two saves queue.
    Partner.objects.select_for_update().filter(pk=partner.pk).exists()
    current = PayoutAccount.objects.select_for_update().filter(partner=partner).first()
    if current is None:
        current = PayoutAccount(partner=partner)
    elif all(getattr(current, name) == value for name, value in values.items()):
        return current  # nothing changed: no history row
    for name, value in values.items():
        setattr(current, name, value)
    current.updated_at = timezone.now()
    current.updated_by = by_user
    current._history_user = by_user  # type: ignore[attr-defined]  # simple_history records who
    current.full_clean(exclude=["partner"])
    current.save()
    return current


class PayoutAccountForm(forms.Form):
    holder_name = forms.CharField(label=gettext_lazy("Account holder's name"), max_length=MAX_HOLDER)
    kind = forms.ChoiceField(
        label=gettext_lazy("Account type"), choices=PayoutAccountKind.choices, widget=forms.RadioSelect
    )
    account = forms.CharField(
        label=gettext_lazy("Account"),
        max_length=60,
        help_text=gettext_lazy(
            "Alipay: the mobile number or e-mail address of the account. Bank card: the card number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    bank_name = forms.CharField(label=gettext_lazy("Bank (for a bank card)"), max_length=MAX_BANK, required=False)

    def __init__(self, *args, with_password: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_password:
            self.fields["password"] = forms.CharField(
                label=gettext_lazy("Your password"),
                help_text=gettext_lazy("Re-enter your password to confirm the change."),
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                strip=False,
            )
