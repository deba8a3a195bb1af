"""The admins' payout pages: batches, a new batch (a month by county or province, or the
statements ticked on the statements page), a batch's lines, its transfer file, marking
it paid and the bank's results file."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from counties.models import County, Province
from partners.importing import ImportFileError
from rural_taobao.access import admin_required
from rural_taobao.dates import add_months, parse_month, shanghai_today, this_month
from rural_taobao.errors import ServiceError, messages_of

from . import selectors, services
from .models import PayoutBatch

MAX_RESULTS_FILE_BYTES = 20 * 1024 * 1024


class NewBatchForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"), widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    )
    county = forms.CharField(
        label=gettext_lazy("County code"), required=False, max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "list": "county-codes"}),
    )  # fmt: skip
    province = forms.CharField(
        label=gettext_lazy("Province code"), required=False, max_length=2,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "list": "province-codes"}),
    )  # fmt: skip

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"].strip())
        except ValueError as exc:
            raise forms.ValidationError(_("Choose a month as YYYY-MM.")) from exc


class PaidForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Bank or Alipay reference"), max_length=100)
    paid_on = forms.DateField(
        label=gettext_lazy("Paid on"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class ResultsForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Results file"),
        help_text=gettext_lazy("CSV or XLSX with the columns memo, status (success/failed) and reason."),
    )


@require_GET
@admin_required
def batch_list(request):
    page = Paginator(selectors.batches_list(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "payouts/list.html",
        {
            "page": page,
            "form": NewBatchForm(initial={"month": f"{add_months(this_month(), -1):%Y-%m}"}),
            "counties": County.objects.order_by("code").values_list("code", "name"),
            "provinces": Province.objects.order_by("code").values_list("code", "name"),
        },
    )


@require_POST
@admin_required
def batch_create(request):
    """From the statements page (ticked ``statement`` ids) or the new-batch form (month, county/province)."""
    ids = request.POST.getlist("statement")
    kwargs: dict = {}
    if ids:
        kwargs["statement_ids"] = [int(i) for i in ids if i.isdigit()]
    else:
        form = NewBatchForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("payouts:list")
        data = form.cleaned_data
        kwargs.update(month=data["month"], county_code=data["county"] or None, province_code=data["province"] or None)
    try:
        batch = services.payout_batch_create(by_user=request.user, **kwargs)
    except (ValidationError, ServiceError) as exc:
        for message in messages_of(exc):
            messages.error(request, message)
        return redirect("payouts:list")
    messages.success(request, _("Payout batch #%(id)d was made.") % {"id": batch.pk})
    return redirect("payouts:detail", batch_id=batch.pk)


def _detail(request, batch, *, results=None, status=200):
    items = list(selectors.batch_items(batch))
    for item in items:
        item.shown_account = selectors.account_shown_to(request.user, item.account)
    return render(
        request,
        "payouts/detail.html",
        {
            "batch": batch,
            "items": items,
            "paid_form": PaidForm(initial={"paid_on": shanghai_today()}),
            "results_form": ResultsForm(),
            "results": results,
        },
        status=status,
    )


@require_GET
@admin_required
def batch_detail(request, batch_id: int):
    return _detail(request, get_object_or_404(selectors.batches_list(), pk=batch_id))


@require_GET
@admin_required
def batch_transfer_file(request, batch_id: int):
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    response = HttpResponse(services.payout_transfer_file(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payout-{batch.pk}.csv"'
    return response


@require_POST
@admin_required
def batch_paid(request, batch_id: int):
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            services.payout_batch_mark_paid(batch_id=batch.pk, by_user=request.user, **form.cleaned_data)
        except (ValidationError, ServiceError) as exc:
            for message in messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("The batch and its statements are marked paid."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("payouts:detail", batch_id=batch.pk)


@require_POST
@admin_required
def batch_results(request, batch_id: int):
    batch = get_object_or_404(PayoutBatch, pk=batch_id)
    form = ResultsForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["file"].size > MAX_RESULTS_FILE_BYTES:
        messages.error(request, _("Choose a CSV or XLSX file of at most 20 MB."))
        return redirect("payouts:detail", batch_id=batch.pk)
    upload = form.cleaned_data["file"]
    try:
        report = services.payout_results_import(batch_id=batch.pk, source=upload, filename=upload.name)
    except (ImportFileError, ValidationError, ServiceError) as exc:
        for message in messages_of(exc):
            messages.error(request, message)
        return redirect("payouts:detail", batch_id=batch.pk)
    if report.ok:
        messages.success(
            request,
            _("Results read: %(paid)d paid, %(failed)d failed, %(unchanged)d unchanged.")
            % {"paid": report.paid, "failed": report.failed, "unchanged": report.unchanged},
        )
        return redirect("payouts:detail", batch_id=batch.pk)
    return _detail(request, get_object_or_404(selectors.batches_list(), pk=batch.pk), results=report, status=400)
