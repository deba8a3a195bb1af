"""Browser URLs of the county centre's workspace, under /centre/."""

from django.urls import path

from . import centre_views

app_name = "centre"

urlpatterns = [
    path("", centre_views.centre_home, name="home"),
    path("receive/", centre_views.centre_receive, name="receive"),
    path("dispatch/", centre_views.centre_dispatch, name="dispatch"),
    path("hand-over/", centre_views.centre_hand_over, name="hand_over"),
]
