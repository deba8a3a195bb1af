"""The partner's income page: the month by day and the statement explained."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partners.access import working_partner_required
from rural_taobao.dates import parse_month

from . import income


@require_GET
@working_partner_required
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
    return render(
        request,
        "partners/income.html",
        {
            "partner": partner,
            "month": month,
            "months": income.partner_statement_months(partner),
            "figures": figures,
            "orders_page": orders_page,
            "chart": chart,
            "error": error,
        },
    )
