from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from analytics import income_urls

from . import auth_api, health, pwa, views

# The product's error pages (rural_taobao/error_pages.py); 400 and 403 are Django's handlers
# rendering templates/400.html and 403.html.
handler404 = "rural_taobao.error_pages.not_found"
handler500 = "rural_taobao.error_pages.server_error"

api_v1 = [
    path("auth/token/", auth_api.TokenView.as_view(), name="api-token"),
    path("auth/logout-others/", auth_api.SignOutOtherDevicesView.as_view(), name="api-logout-others"),
    path("", include("orders.api_urls")),
    path("", include("partners.api_urls")),
    path("", include("analytics.api_urls")),
    path("", include("payouts.api_urls")),
    path("", include("integrity.api_urls")),
    path("", include("notifications.api_urls")),
    *income_urls.api_urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("offline/", pwa.offline, name="pwa-offline"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", pwa.LogoutView.as_view(), name="logout"),
    path("accounts/devices/", views.account_devices, name="account_devices"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("", include("orders.urls")),
    path("centre/", include("orders.centre_urls")),
    path("", include("partners.urls")),
    path("", include("analytics.urls")),
    path("", include("payouts.urls")),
    path("", include("integrity.urls")),
    *income_urls.urlpatterns,
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
