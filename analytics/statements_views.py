"""The admins' statements page: filter by month, status and county, totals, approve the
selected statements or every closed one of the month (``analytics.statements``)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from counties.models import County
from rural_taobao.access import admin_required
from rural_taobao.dates import add_months, parse_month, this_month

from . import statements
from .models import StatementStatus

PAGE_SIZE = 100


class StatementFilterForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All"))] + list(StatementStatus.choices),
    )
    county = forms.CharField(
        label=gettext_lazy("County code"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "list": "county-codes"}),
    )

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Choose a month as YYYY-MM.")) from exc


def _filters(data) -> tuple[StatementFilterForm, dict]:
    """The filter form (last month by default) and the selector's keyword arguments."""
    if not data:
        data = {"month": f"{add_months(this_month(), -1):%Y-%m}"}
    form = StatementFilterForm(data)
    if not form.is_valid():
        return form, {"month": None, "status": None, "county": None}
    cleaned = form.cleaned_data
    return form, {"month": cleaned["month"], "status": cleaned["status"] or None, "county": cleaned["county"] or None}


@require_GET
@admin_required
def admin_statements(request):
    form, filters = _filters({k: v for k, v in request.GET.items() if k != "page"})
    rows = statements.statements_for_admin(**filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    closed_of_month = (
        statements.statements_for_admin(**{**filters, "status": StatementStatus.CLOSED}).count()
        if filters["month"]
        else 0
    )
    return render(
        request,
        "analytics/statements.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "totals": statements.statement_totals(rows),
            "closed_of_month": closed_of_month,
            "query": query.urlencode(),
            "counties": County.objects.order_by("code").values_list("code", "name"),
        },
    )


def _back(request):
    query = request.POST.get("query", "")
    return redirect(f"{reverse('admin_statements')}{'?' + query if query else ''}")


def _report(request, results) -> None:
    approved = sum(1 for result in results if result.ok)
    if approved:
        messages.success(
            request, ngettext("%(n)d statement approved.", "%(n)d statements approved.", approved) % {"n": approved}
        )
    for result in results:
        if not result.ok:
            messages.error(request, f"#{result.id}: {result.detail}")
    if not results:
        messages.warning(request, _("Choose at least one statement."))


@require_POST
@admin_required
def admin_statements_approve(request):
    """Approve the ticked statements, or (``all_closed``) every closed one of the month and county."""
    if request.POST.get("all_closed"):
        form, filters = _filters({k: request.POST.get(k, "") for k in ("month", "county")})
        if filters["month"] is None:
            messages.error(request, _("Choose a month first."))
            return _back(request)
        filters["status"] = StatementStatus.CLOSED
        ids = list(statements.statements_for_admin(**filters).values_list("pk", flat=True))
    else:
        ids = [int(value) for value in request.POST.getlist("statement") if value.isdigit()]
    _report(request, statements.statements_approve(ids=ids, by_user=request.user))
    return _back(request)
