"""Site-wide pages: the landing page that sends each role to its workspace."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.access import income_partner_of, partner_of

from .access import is_admin, is_county_centre, is_county_staff
from .api_tokens import user_sign_out_other_devices
from .login_protection import USERNAME_MAX_LENGTH


def _first_reversible(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def workspace_url(user) -> str | None:
    """Where a logged-in user's own pages begin (their role's first page), or None."""
    if is_admin(user):
        return _first_reversible("dashboards:national", "onboarding:list", "admin:index")
    if is_county_staff(user):
        return _first_reversible("dashboards:national")
    if is_county_centre(user):
        return _first_reversible("centre:home")
    partner = partner_of(user)
    if partner is not None:
        # A partner who exited keeps only their income pages.
        working = partner.is_active or income_partner_of(user) is None
        return _first_reversible("partner_home" if working else "partner_income")
    return None


def home(request):
    """Anonymous visitors see what the product is; a logged-in user goes to their workspace."""
    if request.user.is_authenticated and (target := workspace_url(request.user)):
        return redirect(target)
    return render(request, "home.html")


class LoginForm(AuthenticationForm):
    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > USERNAME_MAX_LENGTH:
            raise ValidationError(_("A username has at most %(n)d characters."), params={"n": USERNAME_MAX_LENGTH})
        return username


class LoginView(auth_views.LoginView):
    """Django's login; input that is not a credential at all (a 20,000-character
    username, control characters) is answered with 400 rather than 200."""

    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(field in form.errors for field in ("username", "password")):
            response.status_code = 400
        return response


@login_required
@require_http_methods(["GET", "POST"])
def account_devices(request):
    """Sign out every other phone and browser of this login (and its API token); this one stays."""
    if request.method == "POST":
        user_sign_out_other_devices(user=request.user, keep_session_key=request.session.session_key, keep_token=False)
        messages.success(request, _("Your other devices are signed out."))
        return redirect("account_devices")
    return render(request, "registration/devices.html")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; the icon is a static file."""
    return redirect(static("img/favicon.svg"), permanent=True)
