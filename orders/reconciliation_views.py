"""The reconciliation list page and its CSV export (admins: every county; county staff:
their counties). Thin: ``orders.reconciliation_list`` reads, these render."""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from counties.models import County
from rural_taobao import dates
from rural_taobao.access import FOR_DASHBOARD_USERS, any_of, is_admin, is_county_staff, role_required

from .reconciliation_list import ReconciliationList, csv_lines, reconciliation_list
from .selectors import offset_page

ROWS_PER_PAGE = 50

reconciliation_access = role_required(any_of(is_admin, is_county_staff), message=FOR_DASHBOARD_USERS)


def _list_or_404(request) -> ReconciliationList:
    try:
        return reconciliation_list(request.user, request.GET)
    except County.DoesNotExist:
        raise Http404(_("No such county.")) from None


@require_GET
@reconciliation_access
def reconciliation(request):
    found = _list_or_404(request)
    page = offset_page(found.orders, request.GET.get("page"), per_page=ROWS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    chips = request.GET.copy()
    chips.pop("page", None)
    chips.pop("state", None)
    return render(
        request,
        "orders/reconciliation.html",
        {
            "found": found,
            "page": page,
            "query": query.urlencode(),
            "chips_query": chips.urlencode(),
            "state": found.form.cleaned_data.get("state", "") if found.form.is_valid() else "",
        },
    )


@require_GET
@reconciliation_access
def reconciliation_export(request):
    found = _list_or_404(request)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(found.orders)), content_type="text/csv; charset=utf-8"
    )
    name = f"reconciliation-{found.county.code if found.county else 'all'}-{dates.shanghai_today():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
