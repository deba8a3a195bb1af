"""API URLs of this app, mounted under /api/v1/: orders, categories, promotions, villagers."""

from rest_framework.routers import SimpleRouter

from .api import CategoryViewSet, OrderViewSet, PromotionViewSet, VillagerViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="api-order")
router.register("categories", CategoryViewSet, basename="api-category")
router.register("promotions", PromotionViewSet, basename="api-promotion")
router.register("villagers", VillagerViewSet, basename="api-villager")

urlpatterns: list = [*router.urls]
