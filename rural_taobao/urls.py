from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from analytics import income_urls

from . import auth_api, health, pwa, views
from .access import LoginUnlessDebug

# The product's error pages (rural_taobao/error_pages.py); 400 and 403 are Django's handlers
# rendering templates/400.html and 403.html.
# The Django admin is titled as the product, in the page's language (not "Django 管理").
admin.site.site_header = _("Rural Taobao Partner Hub")
admin.site.site_title = _("Rural Taobao Partner Hub")
admin.site.index_title = _("Data administration")

handler403 = "rural_taobao.error_pages.forbidden"
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
    path("pwa/user/", pwa.current_user, name="pwa-user"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", pwa.LogoutView.as_view(), name="logout"),
    path("accounts/devices/", views.account_devices, name="account_devices"),
    # Django's account pages but the password-reset form (issue 18, item 9: it was open,
    # unthrottled and built links from the Host header; a forgotten password goes to the
    # county's programme admin). The one-time set-password link (rural_taobao/accounts.py)
    # is Django's reset confirmation.
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
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
    # The schema and its docs: a login in production, open with DEBUG on (decided per request).
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[LoginUnlessDebug]), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[LoginUnlessDebug]),
        name="api-docs",
    ),
]
