"""Browser pages: the public application form and the admins' onboarding workspace."""

from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from counties.models import County
from rural_taobao.access import admin_required
from rural_taobao.accounts import SET_PASSWORD_LINK_SESSION_KEY, set_password_link_card, set_password_link_flash
from rural_taobao.errors import add_errors_to_form, messages_of

from .applications import ApplyRateThrottle, partner_application_submit
from .forms import ApplicationForm, ImportForm, TransitionForm
from .importing import TEMPLATE_FORMATS, ImportFileError, import_partners, template_file
from .models import Partner, PartnerStatus
from .selectors import PartnerFilter, partner_list, partner_with_history, recruitment_conversion, recruitment_funnel
from .services import (
    REASON_REQUIRED_STATUSES,
    PartnerTransitionError,
    partner_transition,
)
from .training import passed_training

PENDING_IMPORT_SESSION_KEY = "onboarding_pending_import"
# Uploaded files wait here between the dry run and the confirmation. On several web hosts
# the confirmation must reach the same host (or this becomes shared storage).
IMPORT_UPLOAD_DIR = Path(tempfile.gettempdir()) / "rural-taobao-partner-imports"
PENDING_IMPORT_MAX_AGE_SECONDS = 24 * 60 * 60
PAGE_SIZE = 50


# ── Public application ───────────────────────────────────────────────────────


@require_http_methods(["GET", "POST"])
def apply(request):
    """The candidate's form. Without JavaScript, "Show villages" re-renders it with the county's villages.

    A phone that has applied before gets the same thanks as a new one (its owner an SMS:
    ``partner_application_submit``); each address submits at most APPLY_THROTTLE_RATE."""
    if request.method == "POST" and "show_villages" not in request.POST:
        throttle = ApplyRateThrottle()
        if not throttle.allow_request(request, None):
            response = render(request, "partners/apply_throttled.html", status=429)
            response["Retry-After"] = str(int(throttle.wait() or 0))
            return response
        form = ApplicationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                partner_application_submit(
                    real_name=data["real_name"],
                    phone=data["phone"],
                    village=data["village"],
                    previous_occupation=data["previous_occupation"],
                    motivation=data["motivation"],
                    service_point_address=data["service_point_address"],
                )
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                return redirect("partner_apply_thanks")
    elif request.method == "POST":
        # Re-render with the villages of the chosen county, without complaining about empty fields yet.
        form = ApplicationForm(initial=request.POST.dict(), county=_county(request.POST.get("county")))
    else:
        form = ApplicationForm(initial={"county": request.GET.get("county", "")})
    return render(request, "partners/apply.html", {"form": form})


@require_GET
def apply_villages(request):
    """htmx: the village select for the county just chosen."""
    form = ApplicationForm(county=_county(request.GET.get("county")))
    return render(request, "partners/_village_field.html", {"form": form})


@require_GET
def apply_thanks(request):
    return render(request, "partners/apply_thanks.html")


def _county(code: str | None) -> County | None:
    return County.objects.filter(code=code).first() if code else None


# ── Onboarding workspace ─────────────────────────────────────────────────────


@admin_required
@require_GET
def onboarding_list(request):
    partner_filter = PartnerFilter(
        request.GET or None, queryset=partner_list(request.user).order_by("-applied_at", "-id")
    )
    partners = partner_filter.qs if partner_filter.is_bound else partner_filter.queryset
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Who on this page may join a cohort activation: in training, every required course passed.
    in_training = [p.pk for p in page if p.status == PartnerStatus.TRAINING]
    ready = set(passed_training(Partner.objects.filter(pk__in=in_training)).values_list("pk", flat=True))
    return render(
        request,
        "onboarding/list.html",
        {
            "filter": partner_filter,
            "page": page,
            "query": query.urlencode(),
            "statuses": PartnerStatus,
            "ready": ready,
        },
    )


@admin_required
@require_GET
def onboarding_detail(request, partner_id: int):
    try:
        partner = partner_with_history(request.user, partner_id)
    except Partner.DoesNotExist as exc:
        raise Http404 from exc
    link = request.session.get(SET_PASSWORD_LINK_SESSION_KEY)
    if link and link.get("partner") == partner.pk:
        # Shown once: gone from the session as soon as it is displayed.
        del request.session[SET_PASSWORD_LINK_SESSION_KEY]
    else:
        link = None
    transitions = [
        {
            "status": status,
            "label": PartnerStatus(status).label,
            "reason_required": status in REASON_REQUIRED_STATUSES,
            "danger": status in REASON_REQUIRED_STATUSES,
        }
        for status in partner.legal_next_statuses()
    ]
    return render(
        request,
        "onboarding/detail.html",
        {"partner": partner, "transitions": transitions, "set_password_link": set_password_link_card(link)},
    )


@admin_required
@require_POST
def onboarding_transition(request, partner_id: int):
    partner = get_object_or_404(partner_list(request.user), pk=partner_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("onboarding:detail", partner_id=partner.pk)
    to_status = form.cleaned_data["to_status"]
    try:
        partner = partner_transition(
            partner_id=partner.pk,
            to_status=to_status,
            by_user=request.user,
            reason=form.cleaned_data["reason"],
            expected_status=form.cleaned_data["expected_status"],
        )
    except (PartnerTransitionError, ValidationError) as exc:
        for message in messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s is now “%(status)s”.") % {"name": partner.real_name, "status": PartnerStatus(to_status).label},
        )
        if to_status == PartnerStatus.ACTIVE:
            _flash_set_password_link(request, partner)
    return redirect("onboarding:detail", partner_id=partner.pk)


@admin_required
@require_POST
def onboarding_new_set_password_link(request, partner_id: int):
    """A fresh link for an active partner who lost theirs (the old one keeps working until used)."""
    partner = get_object_or_404(partner_list(request.user).select_related("user"), pk=partner_id)
    if partner.status != PartnerStatus.ACTIVE or partner.user is None:
        messages.error(request, _("Only an active partner's login gets a set-password link."))
    else:
        _flash_set_password_link(request, partner)
    return redirect("onboarding:detail", partner_id=partner.pk)


def _flash_set_password_link(request, partner: Partner) -> None:
    request.session[SET_PASSWORD_LINK_SESSION_KEY] = set_password_link_flash(request, partner.user, partner=partner.pk)


# ── Bulk import ──────────────────────────────────────────────────────────────


@admin_required
@require_GET
def onboarding_import_template(request, fmt: str):
    """An empty partner file to fill in (CSV or XLSX), titled in the page's language."""
    if fmt not in TEMPLATE_FORMATS:
        raise Http404
    chinese = get_language().startswith("zh")
    response = HttpResponse(template_file(fmt, chinese=chinese), content_type=TEMPLATE_FORMATS[fmt])
    name = "合伙人导入模板" if chinese else "partner-import-template"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.{fmt}")
    return response


@admin_required
@require_http_methods(["GET", "POST"])
def onboarding_import(request):
    """Upload → dry run with the row report. A clean file waits for the confirm button."""
    report = None
    pending = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            options = {"status": form.cleaned_data["status"], "create_villages": form.cleaned_data["create_villages"]}
            data = upload.read()
            try:
                report = import_partners(source=data, filename=upload.name, dry_run=True, **options)
            except ImportFileError as exc:
                add_errors_to_form(form, exc)
            else:
                if report.ok and report.created:
                    pending = _keep_upload(request, data, filename=upload.name, options=options)
    else:
        form = ImportForm()
        _discard_pending_import(request)
    return render(request, "onboarding/import.html", {"form": form, "report": report, "pending": pending})


@admin_required
@require_POST
def onboarding_import_confirm(request):
    pending = request.session.get(PENDING_IMPORT_SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, _("This import is no longer waiting: upload the file again."))
        return redirect("onboarding:import")
    path = IMPORT_UPLOAD_DIR / f"{pending['token']}.upload"
    if not path.exists():
        _discard_pending_import(request)
        messages.error(request, _("This import is no longer waiting: upload the file again."))
        return redirect("onboarding:import")
    try:
        report = import_partners(
            source=path,
            filename=pending["filename"],
            status=pending["status"],
            create_villages=pending["create_villages"],
            by_user=request.user,
        )
    except ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("onboarding:import")
    finally:
        _discard_pending_import(request)
    if report.ok:
        messages.success(
            request,
            _("Imported %(created)d partners; %(unchanged)d were partners already.")
            % {"created": report.created, "unchanged": report.unchanged},
        )
        return redirect(f"{reverse('onboarding:list')}?status={pending['status']}")
    # The data changed between the dry run and the confirmation: show what is wrong now.
    return render(request, "onboarding/import.html", {"form": ImportForm(), "report": report, "pending": None})


def _keep_upload(request, data: bytes, *, filename: str, options: dict) -> dict:
    _discard_pending_import(request)
    IMPORT_UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Dry runs nobody confirmed: gone after a day.
    too_old = time.time() - PENDING_IMPORT_MAX_AGE_SECONDS
    for stale in IMPORT_UPLOAD_DIR.glob("*.upload"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < too_old:
                stale.unlink()
    token = uuid.uuid4().hex
    (IMPORT_UPLOAD_DIR / f"{token}.upload").write_bytes(data)
    pending = {"token": token, "filename": filename, **options}
    request.session[PENDING_IMPORT_SESSION_KEY] = pending
    return pending


def _discard_pending_import(request) -> None:
    pending = request.session.pop(PENDING_IMPORT_SESSION_KEY, None)
    if pending:
        (IMPORT_UPLOAD_DIR / f"{pending['token']}.upload").unlink(missing_ok=True)


# ── Recruitment funnel ───────────────────────────────────────────────────────


@admin_required
@require_GET
def onboarding_funnel(request):
    province = request.GET.get("province") or None
    funnel = recruitment_funnel(province_code=province)
    conversion = recruitment_conversion(province_code=province)
    chart = {"labels": [step.label for step in conversion], "counts": [step.reached for step in conversion]}
    return render(
        request,
        "onboarding/funnel.html",
        {"funnel": funnel, "conversion": conversion, "province": province, "chart": chart},
    )
