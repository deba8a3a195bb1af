"""API URLs of this app, mounted under /api/v1/.

/partners/ (admin CRUD, no delete), /partners/{id}/status/, /partners/import/, /partners/me/,
/partners/me/payout-account/, /training/sessions/, /training/sessions/{id}/results/.
Ids are digits only, so /partners/me/… paths never reach the detail view.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import PartnerViewSet
from .cohort_api import CohortActivateView, JobView
from .payout_account_api import PartnerMePayoutAccountView
from .training_api import TrainingResultsView, TrainingSessionsView

router = SimpleRouter()
router.register("partners", PartnerViewSet, basename="api-partner")

urlpatterns: list = [
    path("partners/me/payout-account/", PartnerMePayoutAccountView.as_view(), name="api-partner-me-payout-account"),
    path("partners/activate/", CohortActivateView.as_view(), name="api-partners-activate"),
    path("jobs/<int:pk>/", JobView.as_view(), name="api-job"),
    path("training/sessions/", TrainingSessionsView.as_view(), name="api-training-sessions"),
    path("training/sessions/<int:pk>/results/", TrainingResultsView.as_view(), name="api-training-results"),
    *router.urls,
]
