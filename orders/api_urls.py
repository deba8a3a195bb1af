"""API URLs of this app, mounted under /api/v1/: orders, categories, promotions, villagers, the county centre."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CategoryViewSet, OrderViewSet, PromotionViewSet, ReconciliationListView, VillagerViewSet
from .centre_api import CentreDispatchView, CentreHandOverView, CentreReceiveView
from .platform_api import PlatformOrderImportView
from .replacement_api import PartnerReplaceView

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="api-order")
router.register("categories", CategoryViewSet, basename="api-category")
router.register("promotions", PromotionViewSet, basename="api-promotion")
router.register("villagers", VillagerViewSet, basename="api-villager")

urlpatterns: list = [
    *router.urls,
    path("reconciliation/", ReconciliationListView.as_view(), name="api-reconciliation"),
    path("platform-orders/import/", PlatformOrderImportView.as_view(), name="api-platform-orders-import"),
    path("centre/receive/", CentreReceiveView.as_view(), name="api-centre-receive"),
    path("centre/dispatch/", CentreDispatchView.as_view(), name="api-centre-dispatch"),
    path("centre/orders/<int:order_id>/hand-over/", CentreHandOverView.as_view(), name="api-centre-hand-over"),
    # Replacing a partner moves orders, so it is this app's (the partners app sits below it).
    path("partners/<int:pk>/replace/", PartnerReplaceView.as_view(), name="api-partner-replace"),
]
