"""Browser URLs of this app: the partner's workspace."""

from django.urls import path

from . import views

urlpatterns = [
    path("partner/", views.partner_home, name="partner_home"),
    path("partner/orders/", views.partner_orders, name="partner_orders"),
    path("partner/orders/new/", views.partner_order_new, name="partner_order_new"),
    path("partner/orders/<int:order_id>/", views.partner_order_detail, name="partner_order_detail"),
    path("partner/orders/<int:order_id>/status/", views.partner_order_transition, name="partner_order_transition"),
    path("partner/villagers/", views.partner_villagers, name="partner_villagers"),
    path("partner/villagers/lookup/", views.partner_villager_lookup, name="partner_villager_lookup"),
]
