"""The admins' upload of the platform's order export (``orders.platform_feed``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from partners.importing import ImportFileError
from rural_taobao.access import admin_required
from rural_taobao.errors import add_errors_to_form

from .platform_feed import platform_orders_import

# A seller-centre export of a million orders is about 100 MB as CSV.
MAX_PLATFORM_FILE_BYTES = 200 * 1024 * 1024


class PlatformImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: platform_order_no/订单编号, status/订单状态, amount/实付金额, paid_at/付款时间, "
            "confirmed_at/确认收货时间, refunded_amount/退款金额, refunded_at/退款时间."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check the file and import nothing"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PLATFORM_FILE_BYTES:
            raise ValidationError(_("The file is larger than 200 MB: split it into smaller files."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


@admin_required
@require_http_methods(["GET", "POST"])
def platform_orders_import_page(request):
    """Upload → the per-row report and the counts (a dry run unless the box is cleared)."""
    report = None
    if request.method == "POST":
        form = PlatformImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = platform_orders_import(
                    source=upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"], by_user=request.user
                )
            except ImportFileError as exc:
                add_errors_to_form(form, exc)
    else:
        form = PlatformImportForm()
    return render(request, "orders/platform_import.html", {"form": form, "report": report})
