"""Pages of the geography layer: editing a county's profile.

(The profile page itself shows the county's sales and partners, so it lives with the
figures in ``analytics.views``; the URL map of both is ``analytics.urls``.)
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rural_taobao.access import dashboard_access

from .forms import CountyProfileForm
from .models import County
from .selectors import county_for
from .services import county_profile_update, county_profile_validation_error


def visible_county(request, code: str) -> County:
    """The county ``code`` if the user may see it; 404 otherwise (never "it exists")."""
    try:
        return county_for(request.user, code)
    except County.DoesNotExist as exc:
        raise Http404(_("No such county.")) from exc


@dashboard_access
@require_http_methods(["GET", "POST"])
def county_profile_edit(request, code: str):
    """Staff of the county edit its descriptive text; admins every profile field."""
    county = visible_county(request, code)
    form = CountyProfileForm(request.POST or None, instance=county, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields}
        try:
            county = county_profile_update(county_id=county.pk, by_user=request.user, **changes)
        except ValidationError as exc:
            for name, errors in county_profile_validation_error(exc).items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The county profile is saved."))
            return redirect("counties:profile", code=county.code)
    return render(request, "counties/profile_edit.html", {"county": county, "form": form})
