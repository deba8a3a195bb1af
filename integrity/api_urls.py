"""API URLs of the integrity review, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("flags/", api.FlagsView.as_view(), name="api-flags"),
    path("flags/<int:pk>/", api.FlagView.as_view(), name="api-flag-detail"),
    path("flags/<int:pk>/review/", api.FlagReviewView.as_view(), name="api-flag-review"),
]
