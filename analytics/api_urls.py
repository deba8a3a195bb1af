"""API URLs of this app, mounted under /api/v1/.

/counties/ (scoped list), /counties/{code}/villages/, /counties/{code}/dashboard/,
/rankings/billion-yuan/, /rankings/partners/, /partners/{id}/performance/,
/partners/{id}/targets/{YYYY-MM}/ (the statements endpoints are in ``income_urls``).
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import BillionYuanRankingView, CountyViewSet
from .partner_api import PartnerPerformanceView, PartnerRankingView, PartnerTargetView

router = SimpleRouter()
router.register("counties", CountyViewSet, basename="api-county")

urlpatterns: list = [
    *router.urls,
    path("rankings/billion-yuan/", BillionYuanRankingView.as_view(), name="api-billion-yuan-ranking"),
    path("rankings/partners/", PartnerRankingView.as_view(), name="api-partner-ranking"),
    path("partners/<int:pk>/performance/", PartnerPerformanceView.as_view(), name="api-partner-performance"),
    path("partners/<int:pk>/targets/<str:month>/", PartnerTargetView.as_view(), name="api-partner-target"),
]
