"""Cohort activation benchmark (issue 17: "cohort activation of 1,000 partners finishes in
under 60 s on PostgreSQL"), run by hand; prints figures.

    .venv/bin/python bench/cohort.py [--db rt_bench_cohort] [--partners 1000] [--courses 2]

It creates its own database (dropped and created again each run), one county with
--partners villages, a partner in training in each who passed --courses required courses
(one session each, scored 80), plus one more trainee in a village that already has an
active partner (the refusal among many). It then runs the job as the Celery task does
(``partners.cohort.cohort_activation_run``, in this process): every partner activated
through the workflow service, a login, a service point, a status change, a short
set-password link and a queued SMS each. Printed: seconds in all and per partner, the SQL
queries per partner, and the job's results checked (all activated but the one refused).
Exit code 1 when the job's results are wrong or it took 60 s or more.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="rt_bench_cohort")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--courses", type=int, default=2)
    return parser.parse_args()


def setup(args) -> None:
    subprocess.run(["dropdb", "--if-exists", "-h", args.host, "-U", "postgres", args.db], check=True)
    subprocess.run(["createdb", "-h", args.host, "-U", "postgres", args.db], check=True)
    os.environ.update(
        {
            "DATABASE_URL": f"postgres://postgres@{args.host}:5432/{args.db}",
            "DJANGO_SETTINGS_MODULE": "rural_taobao.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-cohort-not-a-secret",
            "SECURE_SSL_REDIRECT": "0",
            "CELERY_BROKER_URL": "",  # the SMS tasks run in-process, as the embedded default
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(args):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from counties.models import County, Province, Village
    from partners.models import Course, Job, Partner, PartnerStatus, TrainingResult, TrainingSession

    province = Province.objects.create(code="41", name="河南省", region="central")
    county = County.objects.create(code="410225", name="兰考县", province=province, region="central")
    villages = Village.objects.bulk_create([Village(county=county, name=f"村{i:05d}") for i in range(args.partners)])
    now = timezone.now()
    partners = Partner.objects.bulk_create(
        [
            Partner(
                real_name=f"学员{i}",
                phone=f"137{i:08d}",
                village=village,
                status=PartnerStatus.TRAINING,
                applied_at=now,
                status_changed_at=now,
                service_point_address=f"{village.name}村委会",
            )
            for i, village in enumerate(villages)
        ]
    )
    # The refusal: a second trainee in the first village, whose first trainee goes first.
    clash = Partner.objects.create(
        real_name="重复",
        phone="13699999999",
        village=villages[0],
        status=PartnerStatus.TRAINING,
        applied_at=now,
        status_changed_at=now,
    )
    admin = User.objects.create_superuser("bench_admin", password="x")  # noqa: S106  # nosec B106
    for c in range(args.courses):
        course = Course.objects.create(name=f"必修课{c + 1}", hours=8, required=True, pass_mark=60)
        session = TrainingSession.objects.create(course=course, county=county, date=now.date(), trainer="讲师")
        TrainingResult.objects.bulk_create(
            [TrainingResult(session=session, partner=p, attended=True, score=80) for p in [*partners, clash]]
        )
    ids = [p.pk for p in partners] + [clash.pk]
    return Job.objects.create(kind="cohort_activation", total=len(ids), payload=ids, created_by=admin), clash


def main():
    args = parse_args()
    setup(args)
    from django.db import connection

    from notifications.models import Message
    from partners.cohort import cohort_activation_run
    from partners.models import Partner, PartnerStatus

    job, clash = build(args)
    started = time.perf_counter()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        job = cohort_activation_run(job.pk)
    seconds = time.perf_counter() - started
    ok = sum(1 for r in job.results if r["ok"])
    refused = [r for r in job.results if not r["ok"]]
    active = Partner.objects.filter(status=PartnerStatus.ACTIVE).count()
    texts = Message.objects.filter(template="application_active").count()
    good = (
        job.status == "done"
        and ok == args.partners == active == texts
        and [r["partner"] for r in refused] == [clash.pk]
    )
    print(
        f"cohort activation of {job.total:,} partners ({args.courses} required courses each): "
        f"{seconds:.1f} s, {1000 * seconds / job.total:.1f} ms and {len(queries) / job.total:.1f} queries per partner; "
        f"{ok:,} activated, {len(refused)} refused ({refused[0]['error'] if refused else '-'}); "
        f"{texts:,} SMS queued [{'OK' if good and seconds < TARGET_SECONDS else 'FAILED'}: target < {TARGET_SECONDS:.0f} s]"
    )
    sys.exit(0 if good and seconds < TARGET_SECONDS else 1)


if __name__ == "__main__":
    main()
