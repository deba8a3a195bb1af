"""The money pages: partner income and disputes with their API endpoints; the admins'
statements and disputes pages."""

from django.urls import path

from . import income_api, income_views, statements_api, statements_views

urlpatterns = [
    path("partner/income/", income_views.partner_income, name="partner_income"),
    path("partner/income/dispute/", income_views.partner_dispute, name="partner_dispute"),
    path("statements/", statements_views.admin_statements, name="admin_statements"),
    path("statements/approve/", statements_views.admin_statements_approve, name="admin_statements_approve"),
    path("disputes/", income_views.admin_disputes, name="admin_disputes"),
    path("disputes/<int:pk>/resolve/", income_views.admin_dispute_resolve, name="admin_dispute_resolve"),
]

api_urlpatterns = [
    path("partners/me/income/", income_api.PartnerMeIncomeView.as_view(), name="api-partner-me-income"),
    path("partners/me/statements/", income_api.PartnerMeStatementsView.as_view(), name="api-partner-me-statements"),
    path("partners/me/disputes/", income_api.PartnerMeDisputesView.as_view(), name="api-partner-me-disputes"),
    path("statements/", statements_api.AdminStatementsView.as_view(), name="api-statements"),
    path("statements/<int:pk>/approve/", statements_api.StatementApproveView.as_view(), name="api-statement-approve"),
    path("disputes/", income_api.AdminDisputesView.as_view(), name="api-disputes"),
    path("disputes/<int:pk>/resolve/", income_api.DisputeResolveView.as_view(), name="api-dispute-resolve"),
]
