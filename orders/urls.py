"""Browser URLs of this app: the partner's workspace."""

from django.urls import path

from . import platform_views, reconciliation_views, views

urlpatterns = [
    path("partner/", views.partner_home, name="partner_home"),
    path("partner/orders/", views.partner_orders, name="partner_orders"),
    path("partner/orders/new/", views.partner_order_new, name="partner_order_new"),
    path("partner/orders/<int:order_id>/", views.partner_order_detail, name="partner_order_detail"),
    path("partner/orders/<int:order_id>/status/", views.partner_order_transition, name="partner_order_transition"),
    path("partner/orders/<int:order_id>/tracking/", views.partner_order_tracking, name="partner_order_tracking"),
    path(
        "partner/orders/<int:order_id>/pickup-code/",
        views.partner_order_resend_code,
        name="partner_order_resend_code",
    ),
    path("partner/orders/arrived/", views.partner_orders_arrived, name="partner_orders_arrived"),
    path(
        "partner/orders/<int:order_id>/platform-order-nos/",
        views.partner_order_platform_numbers,
        name="partner_order_platform_numbers",
    ),
    path("partner/villagers/", views.partner_villagers, name="partner_villagers"),
    path("partner/villagers/lookup/", views.partner_villager_lookup, name="partner_villager_lookup"),
    # Admins and county staff: what the platform says of the paid orders.
    path("reconciliation/", reconciliation_views.reconciliation, name="reconciliation"),
    path("reconciliation/export.csv", reconciliation_views.reconciliation_export, name="reconciliation_export"),
    path("platform-orders/import/", platform_views.platform_orders_import_page, name="platform_orders_import"),
]
