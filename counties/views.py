"""Pages of the geography layer: editing a county's profile, and county staff logins
(under /onboarding/staff/, an admin's workspace; the URLs are in ``partners.urls``).

(The profile page itself shows the county's sales and partners, so it lives with the
figures in ``analytics.views``; the URL map of both is ``analytics.urls``.)
"""

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rural_taobao.access import STAFF_ROLE_GROUPS, admin_required, dashboard_access
from rural_taobao.accounts import SET_PASSWORD_LINK_SESSION_KEY, set_password_link_card, set_password_link_flash
from rural_taobao.errors import add_errors_to_form

from .forms import CountyProfileForm, StaffAssignForm, StaffCreateForm
from .models import County
from .selectors import county_for
from .services import county_profile_update
from .staff import (
    CountyStaffError,
    county_staff_assign,
    county_staff_list,
    county_staff_unassign,
    county_staff_upsert,
    staff_role,
)


def visible_county(request, code: str, *related: str) -> County:
    """The county ``code`` if the user may see it; 404 otherwise (never "it exists")."""
    try:
        return county_for(request.user, code, *related)
    except County.DoesNotExist as exc:
        raise Http404(_("No such county.")) from exc


@dashboard_access
@require_http_methods(["GET", "POST"])
def county_profile_edit(request, code: str):
    """Staff of the county edit its descriptive text; admins every profile field."""
    county = visible_county(request, code)
    form = CountyProfileForm(request.POST or None, instance=county, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.profile_fields}
        try:
            county = county_profile_update(county_id=county.pk, by_user=request.user, **changes)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, _("The county profile is saved."))
            return redirect("counties:profile", code=county.code)
    return render(request, "counties/profile_edit.html", {"county": county, "form": form})


# ── County staff accounts ────────────────────────────────────────────────────


@admin_required
@require_http_methods(["GET", "POST"])
def staff_list(request):
    if request.method == "POST":
        form = StaffCreateForm(request.POST)
        if form.is_valid():
            try:
                result = county_staff_upsert(
                    username=form.cleaned_data["username"],
                    counties=form.cleaned_data["counties"],
                    password=form.cleaned_data["password"] or None,
                    phone=form.cleaned_data["phone"] or None,
                    by_user=request.user,
                    role=form.cleaned_data["role"] or "staff",
                )
            except CountyStaffError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, _("County staff login %(username)s created.") % {"username": result.user})
                if not result.password_set:
                    request.session[SET_PASSWORD_LINK_SESSION_KEY] = set_password_link_flash(
                        request, result.user, staff=result.user.pk
                    )
                return redirect("onboarding:staff")
    else:
        form = StaffCreateForm()
    link = request.session.get(SET_PASSWORD_LINK_SESSION_KEY)
    if link and "staff" in link:
        del request.session[SET_PASSWORD_LINK_SESSION_KEY]
    else:
        link = None
    return render(
        request,
        "onboarding/staff.html",
        {
            "form": form,
            "staff": [_with_role(member) for member in county_staff_list()],
            "assign_form": StaffAssignForm(),
            "counties": County.objects.order_by("code").only("code", "name"),
            "set_password_link": set_password_link_card(link),
        },
    )


def _with_role(member: User) -> User:
    member.role = staff_role(member)  # type: ignore[attr-defined]
    return member


def _staff_user(user_id: int) -> User:
    return get_object_or_404(User.objects.filter(groups__name__in=STAFF_ROLE_GROUPS.values()).distinct(), pk=user_id)


@admin_required
@require_POST
def staff_assign(request, user_id: int):
    user = _staff_user(user_id)
    form = StaffAssignForm(request.POST)
    if form.is_valid():
        county = form.cleaned_data["county"]
        if county_staff_assign(user=user, county=county, by_user=request.user):
            messages.success(request, _("%(user)s now sees %(county)s.") % {"user": user, "county": county})
        else:
            messages.info(request, _("%(user)s already had %(county)s.") % {"user": user, "county": county})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{user}: {error}")
    return redirect("onboarding:staff")


@admin_required
@require_POST
def staff_unassign(request, user_id: int, county_code: str):
    user = _staff_user(user_id)
    county = get_object_or_404(County, code=county_code)
    if county_staff_unassign(user=user, county=county):
        messages.success(request, _("%(user)s no longer sees %(county)s.") % {"user": user, "county": county})
    return redirect("onboarding:staff")
