"""API URLs of the outbox, mounted under /api/v1/ (admins only)."""

from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.MessagesView.as_view(), name="api-notifications"),
]
