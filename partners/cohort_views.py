"""Cohort activation pages: the onboarding list's "activate selected" (a background job),
the job's progress page, its printable sheet of set-password QR codes, and the short
set-password link (``/s/<code>/``) the SMS and the sheet carry."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from rural_taobao.access import admin_required
from rural_taobao.accounts import set_password_path
from rural_taobao.errors import InvalidInput, NotFound
from rural_taobao.qr import qr_svg

from . import cohort
from .links import set_password_link_open
from .models import Partner


@admin_required
@require_POST
def cohort_activate(request):
    try:
        job = cohort.cohort_activation_start(partner_ids=request.POST.getlist("partners"), by_user=request.user)
    except InvalidInput as error:
        messages.error(request, error.message)
        return redirect("onboarding:list")
    return redirect("onboarding:job", job_id=job.pk)


@admin_required
@require_GET
def job_detail(request, job_id: int):
    job = cohort.job_for(request.user, job_id)
    names = dict(
        Partner.objects.filter(pk__in=[r["partner"] for r in job.results]).values_list("pk", "real_name")
    )
    rows = [{**r, "name": names.get(r["partner"], "")} for r in job.results]
    return render(
        request,
        "onboarding/job.html",
        {
            "job": job,
            "rows": rows,
            "activated": sum(1 for r in job.results if r["ok"]),
            "refused": sum(1 for r in job.results if not r["ok"]),
        },
    )


@admin_required
@require_GET
def job_sheet(request, job_id: int):
    job = cohort.job_for(request.user, job_id)
    cards = cohort.activation_sheet(job)
    for card in cards:
        card["qr"] = qr_svg(card["url"]) if card["url"] else ""
    return render(request, "onboarding/job_sheet.html", {"job": job, "cards": cards})


@require_GET
def short_set_password_link(request, code: str):
    try:
        user = set_password_link_open(code)
    except NotFound as error:
        return render(request, "registration/link_invalid.html", {"message": error.message}, status=404)
    return redirect(set_password_path(user))

