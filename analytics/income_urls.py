"""Partner income: the pages and their API endpoints; the admins' dispute endpoints."""

from django.urls import path

from . import income_api, income_views

urlpatterns = [
    path("partner/income/", income_views.partner_income, name="partner_income"),
    path("partner/income/dispute/", income_views.partner_dispute, name="partner_dispute"),
    path("disputes/", income_views.admin_disputes, name="admin_disputes"),
    path("disputes/<int:pk>/resolve/", income_views.admin_dispute_resolve, name="admin_dispute_resolve"),
]

api_urlpatterns = [
    path("partners/me/income/", income_api.PartnerMeIncomeView.as_view(), name="api-partner-me-income"),
    path("partners/me/statements/", income_api.PartnerMeStatementsView.as_view(), name="api-partner-me-statements"),
    path("partners/me/disputes/", income_api.PartnerMeDisputesView.as_view(), name="api-partner-me-disputes"),
    path("disputes/", income_api.AdminDisputesView.as_view(), name="api-disputes"),
    path("disputes/<int:pk>/resolve/", income_api.DisputeResolveView.as_view(), name="api-dispute-resolve"),
]
