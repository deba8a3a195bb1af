"""Payout account pages: the partner's own (``/partner/payout-account/``, password
re-entered) and the admins' form on the onboarding detail page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rural_taobao.access import admin_required
from rural_taobao.errors import ServiceError, add_errors_to_form, messages_of

from .access import working_partner_required
from .models import Partner
from .payout_accounts import PayoutAccountForm, payout_account_of, payout_account_set


def _initial(account) -> dict:
    if account is None:
        return {"kind": "alipay"}
    # The account number is not written back into the page: the partner types it again.
    return {"holder_name": account.holder_name, "kind": account.kind, "bank_name": account.bank_name}


@require_http_methods(["GET", "POST"])
@working_partner_required
def partner_payout_account(request):
    partner = request.partner
    account = payout_account_of(partner)
    if request.method == "POST":
        form = PayoutAccountForm(request.POST, with_password=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payout_account_set(
                    partner=partner,
                    holder_name=data["holder_name"],
                    kind=data["kind"],
                    account=data["account"],
                    bank_name=data.get("bank_name", ""),
                    by_user=request.user,
                    password=data["password"],
                )
            except (ValidationError, ServiceError) as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, _("Your payout account was saved."))
                return redirect("partner_payout_account")
    else:
        form = PayoutAccountForm(initial=_initial(account), with_password=True)
    return render(request, "partners/payout_account.html", {"partner": partner, "account": account, "form": form})


@require_POST
@admin_required
def onboarding_payout_account(request, partner_id: int):
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        raise Http404
    form = PayoutAccountForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payout_account_set(
                partner=partner,
                holder_name=data["holder_name"],
                kind=data["kind"],
                account=data["account"],
                bank_name=data.get("bank_name", ""),
                by_user=request.user,
            )
        except (ValidationError, ServiceError) as exc:
            for message in messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("The payout account was saved."))
    else:
        for field, errors in form.errors.items():
            for message in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {message}" if label else message)
    return redirect("onboarding:detail", partner_id=partner.pk)
