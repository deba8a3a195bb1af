"""Browser URLs of payouts (namespace "payouts"; admins only)."""

from django.urls import include, path

from . import views

payout_patterns = (
    [
        path("", views.batch_list, name="list"),
        path("new/", views.batch_create, name="create"),
        path("<int:batch_id>/", views.batch_detail, name="detail"),
        path("<int:batch_id>/transfer-file.csv", views.batch_transfer_file, name="transfer_file"),
        path("<int:batch_id>/paid/", views.batch_paid, name="paid"),
        path("<int:batch_id>/results/", views.batch_results, name="results"),
    ],
    "payouts",
)

urlpatterns = [path("payouts/", include(payout_patterns))]
