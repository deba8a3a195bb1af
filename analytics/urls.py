"""Browser URLs of the figures: dashboards (namespace "dashboards", the partner ranking among
them), county profiles ("counties": the profile page shows figures, its editor comes from
the geography layer) and a partner's performance page (/partners/<id>/)."""

from django.urls import include, path

from counties import views as county_views

from . import online_sales_views, partner_views, views

dashboard_patterns = (
    [
        path("", views.national_dashboard_page, name="national"),
        path("export/<slug:table>.csv", views.national_export, name="national_export"),
        path("partners/", partner_views.partner_ranking_page, name="partners"),
        path("online-sales/import/", online_sales_views.online_sales_import_page, name="online_sales_import"),
        path("county/<str:code>/", views.county_dashboard_page, name="county"),
        path("county/<str:code>/export/<slug:table>.csv", views.county_export, name="county_export"),
    ],
    "dashboards",
)

profile_patterns = (
    [
        path("<str:code>/", views.county_profile, name="profile"),
        path("<str:code>/edit/", county_views.county_profile_edit, name="profile_edit"),
        path("<str:code>/villages.csv", views.county_profile_export, name="profile_export"),
        path("<str:code>/history.csv", views.county_profile_history_export, name="history_export"),
    ],
    "counties",
)

urlpatterns = [
    path("dashboard/", include(dashboard_patterns)),
    path("counties/", include(profile_patterns)),
    path("partners/<int:partner_id>/", partner_views.partner_performance_page, name="partner_performance"),
    path("partners/<int:partner_id>/replace/", partner_views.partner_replace_page, name="partner_replace"),
]
