"""Training: sessions of a course in a county, each partner's attendance and score, and
which required courses a partner has still to pass (the gate of ``training → active``).

Admins run training everywhere; county staff in their counties (``training_counties``).
A result is recorded per (session, partner) and recorded again replaces it; every row of
a submission is checked first and nothing is written unless all are good.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from counties.models import County
from counties.selectors import counties_visible_to
from rural_taobao.errors import InvalidInput, NotFound

from .models import Course, Partner, PartnerStatus, TrainingResult, TrainingSession

MAX_TRAINER = TrainingSession._meta.get_field("trainer").max_length
# Who can sit a session: partners on their way to, or back to, the programme.
TRAINABLE_STATUSES = (PartnerStatus.APPROVED, PartnerStatus.TRAINING)


class TrainingInputError(InvalidInput):
    """Bad training input: ``errors`` is field → messages, and for ``results`` the row's
    position → field → messages (the API answers it as it is)."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(_first_message(errors))
        self.errors = errors

    def api_body(self) -> dict[str, Any]:
        return self.errors


def _first_message(errors: Any) -> str:
    while isinstance(errors, dict):
        errors = next(iter(errors.values()))
    return str(errors[0]) if isinstance(errors, list) else str(errors)


# ── Reads ────────────────────────────────────────────────────────────────────


def training_counties(user) -> QuerySet[County]:
    """The counties whose training a user runs: all for admins, their own for county staff."""
    return counties_visible_to(user)


def sessions_visible_to(user) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.filter(county__in=training_counties(user))
        .select_related("course", "county")
        .annotate(
            attended=Count("results", filter=Q(results__attended=True)),
            passed=Count(
                "results",
                filter=Q(results__attended=True, results__score__gte=F("course__pass_mark")),
            ),
        )
        .order_by("-date", "-id")
    )


def session_for(user, session_id: Any) -> TrainingSession:
    try:
        return sessions_visible_to(user).get(pk=int(session_id))
    except (TrainingSession.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound(_("No such training session.")) from exc


def passed_q() -> Q:
    """Results that pass their course: attended, scored at or above the pass mark."""
    return Q(attended=True, score__isnull=False, score__gte=F("session__course__pass_mark"))


def current_application_q() -> Q:
    """Results that belong to the partner's current application: all of them for a first
    application; for someone who applied again (``Partner.reapplied_at``), those of sessions
    held on or after the (Shanghai) day they applied again. Earlier results stay in the
    history but do not open the gate: a course passed before a rejection, a failed
    training or years away from the programme is taken again."""
    return Q(partner__reapplied_at__isnull=True) | Q(
        session__date__gte=TruncDate("partner__reapplied_at", tzinfo=timezone.get_default_timezone())
    )


def missing_required_courses(partner: Partner) -> list[Course]:
    """The required courses the partner has not passed yet in their current application (in course order)."""
    passed = TrainingResult.objects.filter(
        passed_q(), current_application_q(), partner=partner, session__course=OuterRef("pk")
    )
    return list(Course.objects.filter(required=True).exclude(Exists(passed)))


def passed_training(partners: QuerySet[Partner]) -> QuerySet[Partner]:
    """Those of ``partners`` who passed every required course in their current application."""
    missing = Course.objects.filter(required=True).exclude(
        Exists(
            TrainingResult.objects.filter(
                passed_q(), current_application_q(), partner=OuterRef(OuterRef("pk")), session__course=OuterRef("pk")
            )
        )
    )
    return partners.exclude(Exists(missing))


def trainees_of(session: TrainingSession) -> list[Partner]:
    """The partners a session's sheet lists: its county's partners approved or in training,
    and anyone already recorded in it (whatever their status now)."""
    recorded = TrainingResult.objects.filter(session=session, partner=OuterRef("pk"))
    return list(
        Partner.objects.filter(
            Q(village__county=session.county_id, status__in=TRAINABLE_STATUSES) | Q(Exists(recorded))
        )
        .select_related("village")
        .order_by("village__name", "real_name", "pk")
    )


def results_of(session: TrainingSession) -> dict[int, TrainingResult]:
    results = {r.partner_id: r for r in TrainingResult.objects.filter(session=session)}
    for result in results.values():
        result.session = session  # its course is loaded already: ``passed`` needs no query
    return results


# ── Writes ───────────────────────────────────────────────────────────────────


def session_create(*, user: User, course_id: Any, county_code: str, date: Any, trainer: str) -> TrainingSession:
    """A session of a course on a day in a county the user runs training for."""
    errors: dict[str, list[str]] = {}
    course = Course.objects.filter(pk=course_id).first() if str(course_id or "").isdigit() else None
    if course is None:
        errors["course"] = [_("Choose a course.")]
    county = training_counties(user).filter(code=str(county_code or "").strip()).first()
    if county is None:
        errors["county"] = [_("Choose one of your counties.")]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date):
        errors["date"] = [_("Enter the day of the session (YYYY-MM-DD).")]
    elif date > timezone.localdate() + dt.timedelta(days=366):
        errors["date"] = [_("The session is more than a year away.")]
    trainer = (trainer or "").strip()
    if not trainer:
        errors["trainer"] = [_("Name the trainer.")]
    elif len(trainer) > MAX_TRAINER:
        errors["trainer"] = [_("At most %(max)d characters.") % {"max": MAX_TRAINER}]
    if errors:
        raise TrainingInputError(errors)
    return TrainingSession.objects.create(course=course, county=county, date=date, trainer=trainer, created_by=user)


@dataclass(frozen=True)
class ResultRow:
    partner: int
    attended: bool
    score: int | None


def _row(index: int, raw: Any, errors: dict[str, Any]) -> ResultRow | None:
    problems: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        errors[str(index)] = {"non_field_errors": [_("Each result is an object: partner, attended, score.")]}
        return None
    partner = raw.get("partner")
    if (
        isinstance(partner, bool)
        or not isinstance(partner, int)
        and not (isinstance(partner, str) and partner.isdigit())
    ):
        problems["partner"] = [_("A partner's id.")]
    attended = raw.get("attended")
    if not isinstance(attended, bool):
        problems["attended"] = [_("true or false.")]
    score = raw.get("score")
    if score in ("", None):
        score = None
    elif isinstance(score, bool) or not isinstance(score, int | str) or not str(score).isdigit() or int(score) > 100:
        problems["score"] = [_("A whole number from 0 to 100.")]
    if not problems and not attended and score is not None:
        problems["score"] = [_("Someone who did not attend has no score.")]
    if problems:
        errors[str(index)] = problems
        return None
    return ResultRow(partner=int(partner), attended=bool(attended), score=None if score is None else int(score))


def session_results_record(*, user: User, session_id: Any, results: Iterable[Any]) -> list[TrainingResult]:
    """Record attendance and scores of a session, all rows or none: each row's partner must
    be of the session's county and approved or in training (or already recorded here).
    400 with the errors per row (by position) otherwise."""
    session = session_for(user, session_id)
    rows = list(results) if isinstance(results, list | tuple) else None
    if not rows:
        raise TrainingInputError({"results": [_("Give at least one result.")]})
    errors: dict[str, Any] = {}
    parsed = [_row(i, raw, errors) for i, raw in enumerate(rows)]
    allowed = {p.pk for p in trainees_of(session)}
    seen: set[int] = set()
    for i, row in enumerate(parsed):
        if row is None:
            continue
        if row.partner not in allowed:
            errors[str(i)] = {"partner": [_("Not a trainee of this session's county.")]}
        elif row.partner in seen:
            errors[str(i)] = {"partner": [_("This partner is listed twice.")]}
        seen.add(row.partner)
    if errors:
        raise TrainingInputError({"results": errors})
    now = timezone.now()
    with transaction.atomic():
        TrainingResult.objects.bulk_create(
            [
                TrainingResult(
                    session=session,
                    partner_id=row.partner,
                    attended=row.attended,
                    score=row.score,
                    recorded_by=user,
                    recorded_at=now,
                )
                for row in parsed
                if row is not None
            ],
            update_conflicts=True,
            unique_fields=["session", "partner"],
            update_fields=["attended", "score", "recorded_by", "recorded_at"],
        )
    return list(
        TrainingResult.objects.filter(session=session, partner_id__in=seen)
        .select_related("session__course")
        .order_by("partner_id")
    )
