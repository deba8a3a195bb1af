"""Partner income: the page and its API endpoint."""

from django.urls import path

from . import income_api, income_views

urlpatterns = [
    path("partner/income/", income_views.partner_income, name="partner_income"),
]

api_urlpatterns = [
    path("partners/me/income/", income_api.PartnerMeIncomeView.as_view(), name="api-partner-me-income"),
]
