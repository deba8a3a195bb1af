"""API URLs of this app, mounted under /api/v1/.

/partners/ (admin CRUD, no delete), /partners/{id}/status/, /partners/import/, /partners/me/.
Ids are digits only, so /partners/me/… paths never reach the detail view.
"""

from rest_framework.routers import SimpleRouter

from .api import PartnerViewSet

router = SimpleRouter()
router.register("partners", PartnerViewSet, basename="api-partner")

urlpatterns: list = [*router.urls]
