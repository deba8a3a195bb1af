"""Site-wide pages: the landing page that sends each role to its workspace."""

from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from .roles import is_admin, is_county_staff, partner_of


def _first_reversible(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def home(request):
    """Anonymous visitors see what the product is; a logged-in user goes to their workspace."""
    user = request.user
    if user.is_authenticated:
        if is_admin(user):
            target = _first_reversible("dashboards:national", "onboarding:list", "admin:index")
        elif is_county_staff(user):
            target = _first_reversible("dashboards:national")
        elif partner_of(user) is not None:
            target = _first_reversible("partner_home")
        else:
            target = None
        if target:
            return redirect(target)
    return render(request, "home.html")
