"""API URLs of this app, mounted under /api/v1/: orders, categories, promotions, villagers."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CategoryViewSet, OrderViewSet, PromotionViewSet, ReconciliationListView, VillagerViewSet
from .platform_api import PlatformOrderImportView

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="api-order")
router.register("categories", CategoryViewSet, basename="api-category")
router.register("promotions", PromotionViewSet, basename="api-promotion")
router.register("villagers", VillagerViewSet, basename="api-villager")

urlpatterns: list = [
    *router.urls,
    path("reconciliation/", ReconciliationListView.as_view(), name="api-reconciliation"),
    path("platform-orders/import/", PlatformOrderImportView.as_view(), name="api-platform-orders-import"),
]
