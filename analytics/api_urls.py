"""API URLs of this app, mounted under /api/v1/.

/counties/ (scoped list), /counties/{code}/villages/, /counties/{code}/dashboard/,
/rankings/billion-yuan/ (the statements endpoints are in ``income_urls``).
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import BillionYuanRankingView, CountyViewSet

router = SimpleRouter()
router.register("counties", CountyViewSet, basename="api-county")

urlpatterns: list = [
    *router.urls,
    path("rankings/billion-yuan/", BillionYuanRankingView.as_view(), name="api-billion-yuan-ranking"),
]
