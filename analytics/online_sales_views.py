"""The admins' upload of the official county online retail figures (``analytics.online_sales_import``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from partners.importing import ImportFileError
from rural_taobao.access import admin_required
from rural_taobao.errors import add_errors_to_form

from .online_sales_import import county_online_sales_import

# Every county's figures for years fit in well under a megabyte.
MAX_ONLINE_SALES_FILE_BYTES = 20 * 1024 * 1024


class OnlineSalesImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("Columns: county_code/县代码, month/月份 (YYYY-MM), online_retail_sales/网络零售额 (yuan)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check the file and import nothing"), required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ONLINE_SALES_FILE_BYTES:
            raise ValidationError(_("The file is larger than 20 MB: split it into smaller files."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


@admin_required
@require_http_methods(["GET", "POST"])
def online_sales_import_page(request):
    """Upload → the per-row report and the counts (a dry run unless the box is cleared)."""
    report = None
    if request.method == "POST":
        form = OnlineSalesImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = county_online_sales_import(
                    source=upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"], by_user=request.user
                )
            except ImportFileError as exc:
                add_errors_to_form(form, exc)
    else:
        form = OnlineSalesImportForm()
    return render(request, "dashboards/online_sales_import.html", {"form": form, "report": report})
