from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("review/", views.review_list, name="list"),
    path("review/export.csv", views.review_export, name="export"),
    path("review/bulk-clear/", views.review_bulk_clear, name="bulk_clear"),
    path("review/rules/", views.review_rules, name="rules"),
    path("review/<int:flag_id>/", views.review_detail, name="detail"),
    path("review/<int:flag_id>/decide/", views.review_decide, name="decide"),
]
