"""Training pages under /onboarding/training/: the sessions (and a new one), and a
session's sheet of attendance and scores. Admins see every county, county staff theirs;
another county's session is a 404."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rural_taobao.access import dashboard_access, is_admin
from rural_taobao.errors import InvalidInput

from . import training
from .models import Course


@dashboard_access
@require_http_methods(["GET", "POST"])
def training_sessions(request):
    errors: dict = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            session = training.session_create(
                user=request.user,
                course_id=request.POST.get("course"),
                county_code=request.POST.get("county", ""),
                date=request.POST.get("date", ""),
                trainer=request.POST.get("trainer", ""),
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Session added: now record who attended and their scores."))
            return redirect("onboarding:training_session", session_id=session.pk)
    return render(
        request,
        "onboarding/training.html",
        {
            "sessions": training.sessions_visible_to(request.user)[:100],
            "courses": Course.objects.all(),
            "counties": training.training_counties(request.user).order_by("code"),
            "errors": errors,
            "values": values,
            "show_tabs": is_admin(request.user),
        },
        status=400 if errors else 200,
    )


@dashboard_access
@require_http_methods(["GET", "POST"])
def training_session(request, session_id: int):
    session = training.session_for(request.user, session_id)
    trainees = training.trainees_of(session)
    errors: dict = {}
    if request.method == "POST":
        rows = []
        for partner in trainees:
            attended = request.POST.get(f"attended-{partner.pk}") == "on"
            score = request.POST.get(f"score-{partner.pk}", "").strip()
            if attended or score or request.POST.get(f"listed-{partner.pk}") == "recorded":
                rows.append({"partner": partner.pk, "attended": attended, "score": score or None})
        try:
            training.session_results_record(user=request.user, session_id=session.pk, results=rows)
        except training.TrainingInputError as exc:
            row_errors = exc.errors.get("results")
            if isinstance(row_errors, dict):
                errors = {rows[int(i)]["partner"]: e for i, e in row_errors.items()}
            else:
                messages.error(request, exc.message)
        else:
            messages.success(request, _("Results saved for %(n)d partners.") % {"n": len(rows)})
            return redirect("onboarding:training_session", session_id=session.pk)
    results = training.results_of(session)
    sheet = [
        {
            "partner": p,
            "result": results.get(p.pk),
            "errors": [m for ms in errors.get(p.pk, {}).values() for m in ms],
            "passed": (r := results.get(p.pk)) is not None and r.passed,
            "attended": request.POST.get(f"attended-{p.pk}") == "on" if errors else bool(r and r.attended),
            "score": request.POST.get(f"score-{p.pk}", "") if errors else ("" if not r or r.score is None else r.score),
        }
        for p in trainees
    ]
    return render(
        request,
        "onboarding/training_session.html",
        {"session": session, "sheet": sheet, "has_errors": bool(errors)},
        status=400 if errors else 200,
    )


@dashboard_access
@require_GET
def training_courses(request):
    return render(request, "onboarding/training_courses.html", {"courses": Course.objects.all()})
