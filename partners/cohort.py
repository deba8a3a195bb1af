"""Cohort activation: many partners who passed training made active in one background job.

``cohort_activation_start`` checks the ids and queues a ``Job`` (its task is enqueued when
the transaction commits); ``cohort_activation_run`` (the task's work) activates each
partner through the one workflow service, ``partner_transition``, each in its own
transaction, so one refusal (the village already has an active partner, a course not
passed) is that partner's result and does not stop the others. Each activated partner
gets a short one-time set-password link by SMS (``partners.links``, sent by the
service), and the job's printable sheet shows it again as a QR code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rural_taobao.errors import InvalidInput, NotFound, messages_of

from .links import set_password_link_create, set_password_link_url
from .models import Job, JobStatus, Partner, PartnerStatus, SetPasswordLink
from .services import PartnerTransitionError, partner_transition

logger = logging.getLogger(__name__)

COHORT_ACTIVATION = "cohort_activation"
MAX_COHORT = 5000
# Progress is saved every this many partners (and at the end).
PROGRESS_EVERY = 10


# ── The job ──────────────────────────────────────────────────────────────────


def _ids(partner_ids: Any) -> list[int]:
    if not isinstance(partner_ids, list | tuple) or not partner_ids:
        raise InvalidInput(_("Choose at least one partner."), field="partners")
    ids: list[int] = []
    for value in partner_ids:
        if isinstance(value, bool) or not str(value).isdigit() or int(value) > 2**31 - 1:
            raise InvalidInput(_("Partners are given by their ids."), field="partners")
        if int(value) not in ids:
            ids.append(int(value))
    if len(ids) > MAX_COHORT:
        raise InvalidInput(_("At most %(max)d partners at once.") % {"max": MAX_COHORT}, field="partners")
    return ids


def cohort_activation_start(*, partner_ids: Iterable[Any], by_user: User) -> Job:
    """Queue the activation of these partners (admins only: the caller checks). Unknown
    ids are refused up front (400), so a job only ever names real partners."""
    ids = _ids(list(partner_ids))
    known = set(Partner.objects.filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise InvalidInput(
            _("No such partner: %(ids)s.") % {"ids": ", ".join(map(str, unknown[:10]))}, field="partners"
        )
    from .tasks import activate_cohort_task  # the task module imports this one

    with transaction.atomic():
        job = Job.objects.create(kind=COHORT_ACTIVATION, total=len(ids), payload=ids, created_by=by_user)
        transaction.on_commit(lambda: activate_cohort_task.delay(job.pk))
    return job


def _activate_one(partner_id: int, by_user: User | None) -> dict[str, Any]:
    try:
        # The workflow service activates, records and texts the link, in its own transaction.
        partner_transition(partner_id=partner_id, to_status=PartnerStatus.ACTIVE, by_user=by_user)
        return {"partner": partner_id, "ok": True, "error": ""}
    except PartnerTransitionError as error:
        return {"partner": partner_id, "ok": False, "error": error.message}
    except ValidationError as error:
        return {"partner": partner_id, "ok": False, "error": " ".join(messages_of(error))}
    except Partner.DoesNotExist:
        return {"partner": partner_id, "ok": False, "error": _("No such partner.")}


def cohort_activation_run(job_id: int) -> Job:
    """Activate the job's partners one by one, saving progress as it goes. A job that is
    not queued (a redelivered task) is left as it is; one that crashes is marked failed
    with what was done so far kept."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.QUEUED:
            return job
        job.status, job.started_at = JobStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    by_user = job.created_by
    results: list[dict[str, Any]] = []
    try:
        for partner_id in job.payload:
            results.append(_activate_one(int(partner_id), by_user))
            if len(results) % PROGRESS_EVERY == 0:
                Job.objects.filter(pk=job.pk).update(done=len(results), results=results)
    except Exception as error:  # the job says it failed; the task's log has the traceback
        logger.exception("cohort activation job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            done=len(results),
            results=results,
            error=str(error)[:500],
            finished_at=timezone.now(),
        )
        raise
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, done=len(results), results=results, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def job_for(user: User, job_id: Any) -> Job:
    """A job its viewer may see: the admins' (any admin sees every job)."""
    try:
        return Job.objects.get(pk=int(job_id))
    except (Job.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound(_("No such job.")) from exc


def activation_sheet(job: Job) -> list[dict[str, Any]]:
    """One card per partner the job activated: name, village, login, and a fresh
    short set-password link (earlier ones stay valid too) while the password is unset."""
    ok = [r["partner"] for r in job.results if r.get("ok")]
    partners = Partner.objects.filter(pk__in=ok).select_related("village__county", "user", "service_point")
    cards = []
    for partner in sorted(partners, key=lambda p: (p.village.county.code, p.village.name, p.real_name)):
        url = ""
        if partner.user is not None and not partner.user.has_usable_password():
            link = (
                SetPasswordLink.objects.filter(user=partner.user, expires_at__gt=timezone.now())
                .order_by("-created_at")
                .first()
            )
            url = set_password_link_url(link or set_password_link_create(partner.user))
        cards.append({"partner": partner, "url": url})
    return cards
