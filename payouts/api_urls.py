"""API URLs of payouts, mounted under /api/v1/ (admins only)."""

from django.urls import path

from . import api

urlpatterns = [
    path("payouts/", api.PayoutBatchesView.as_view(), name="api-payouts"),
    path("payouts/<int:pk>/", api.PayoutBatchView.as_view(), name="api-payout-detail"),
    path("payouts/<int:pk>/transfer-file/", api.PayoutTransferFileView.as_view(), name="api-payout-transfer-file"),
    path("payouts/<int:pk>/paid/", api.PayoutPaidView.as_view(), name="api-payout-paid"),
    path("payouts/<int:pk>/results/", api.PayoutResultsView.as_view(), name="api-payout-results"),
]
