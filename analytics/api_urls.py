"""API URLs of this app, mounted under /api/v1/.

/counties/ (scoped list), /counties/{code}/villages/, /counties/{code}/dashboard/,
/rankings/billion-yuan/, /statements/ and /statements/{id}/approve/ (admins).
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import BillionYuanRankingView, CountyViewSet
from .statements_api import AdminStatementsView, StatementApproveView

router = SimpleRouter()
router.register("counties", CountyViewSet, basename="api-county")

urlpatterns: list = [
    *router.urls,
    path("rankings/billion-yuan/", BillionYuanRankingView.as_view(), name="api-billion-yuan-ranking"),
    path("statements/", AdminStatementsView.as_view(), name="api-statements"),
    path("statements/<int:pk>/approve/", StatementApproveView.as_view(), name="api-statement-approve"),
]
