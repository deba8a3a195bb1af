"""The partner's income page (pending, payable, paid; the month's statement explained;
disputes) and the admins' disputes page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from partners.access import income_partner_required, working_partner_required
from rural_taobao.access import admin_required
from rural_taobao.dates import parse_month
from rural_taobao.errors import ServiceError, add_errors_to_form

from . import disputes, income
from .models import Dispute, DisputeStatus


class DisputeForm(forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput)
    order = forms.IntegerField(required=False, label=gettext_lazy("Order (optional)"))
    message = forms.CharField(
        label=gettext_lazy("What is wrong?"), max_length=disputes.MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].widget = forms.Select(
            choices=[("", gettext_lazy("— the whole statement —"))] + [(o.pk, o.order_no) for o in orders]
        )


@require_GET
@income_partner_required
def partner_income(request):
    partner = request.partner
    error = None
    try:
        month = parse_month(request.GET.get("month"))
    except ValueError:
        error = _("Choose a month as YYYY-MM.")
        month = parse_month(None)
    figures = income.partner_month_income(partner, month)
    orders_page = Paginator(income.partner_month_orders(partner, month), 30).get_page(request.GET.get("page"))
    chart = {
        "labels": [day.date.isoformat() for day in figures.days],
        "commission": [str(day.commission - day.reversals) for day in figures.days],
        "sales": [str(day.sales) for day in figures.days],
    }
    can_dispute = figures.statement_id is not None and figures.status != "open" and not request.partner_read_only
    return render(
        request,
        "partners/income.html",
        {
            "partner": partner,
            "read_only": request.partner_read_only,
            "month": month,
            "months": income.partner_statement_months(partner),
            "figures": figures,
            "money": income.partner_money(partner),
            "statements": income.partner_statements(partner)[:12],
            "entries": income.statement_entries(partner, month),
            "disputes": income.partner_disputes(partner)[:10],
            "dispute_form": DisputeForm(initial={"statement": figures.statement_id}, orders=orders_page.object_list)
            if can_dispute
            else None,
            "orders_page": orders_page,
            "order_rows": income.month_order_rows(orders_page.object_list, month),
            "chart": chart,
            "error": error,
        },
    )


@require_POST
@working_partner_required
def partner_dispute(request):
    partner = request.partner
    form = DisputeForm(request.POST, orders=partner.orders.only("pk", "order_no")[:0])
    form.fields["order"].widget = forms.HiddenInput()
    if form.is_valid():
        try:
            dispute = disputes.dispute_open(
                partner=partner,
                statement_id=form.cleaned_data["statement"],
                order_id=form.cleaned_data.get("order"),
                message=form.cleaned_data["message"],
            )
        except (ValidationError, ServiceError) as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, _("Your dispute was sent. You will see the answer here."))
            return redirect(f"{reverse('partner_income')}?month={dispute.statement.month:%Y-%m}#disputes")
    for field, errors in form.errors.items():
        for message in errors:
            messages.error(request, message if field == "__all__" else f"{form.fields[field].label}: {message}")
    return redirect(f"{reverse('partner_income')}#disputes")


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("accept", gettext_lazy("Accept and pay")), ("reject", gettext_lazy("Reject"))],
        widget=forms.RadioSelect,
    )
    amount = forms.CharField(label=gettext_lazy("Amount (yuan)"), required=False)
    reason = forms.CharField(label=gettext_lazy("Answer to the partner"), widget=forms.Textarea(attrs={"rows": 2}))


@require_GET
@admin_required
def admin_disputes(request):
    status = request.GET.get("status") or DisputeStatus.OPEN
    rows = Dispute.objects.select_related("partner__village__county", "statement", "order", "resolved_by")
    if status in DisputeStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("created_at" if status == DisputeStatus.OPEN else "-resolved_at"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "analytics/disputes.html",
        {"page": page, "status": status, "statuses": DisputeStatus.choices, "form": ResolveForm()},
    )


@require_POST
@admin_required
def admin_dispute_resolve(request, pk: int):
    if not Dispute.objects.filter(pk=pk).exists():
        raise Http404
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            disputes.dispute_resolve(
                dispute_id=pk,
                decision=form.cleaned_data["decision"],
                amount=form.cleaned_data.get("amount"),
                reason=form.cleaned_data["reason"],
                by_user=request.user,
            )
        except (ValidationError, ServiceError) as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, _("The dispute was answered."))
            return redirect("admin_disputes")
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("admin_disputes")
