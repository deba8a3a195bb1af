"""Run the integrity checks by hand over the days the nightly pipeline would check (the
same ``integrity.checks`` code it runs before rolling each day up). Lives beside
``run_rollups`` because ``--dirty`` is the pipeline's set of days."""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from analytics import rollups
from integrity.checks import check_days
from integrity.models import Rule
from rural_taobao import dates


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Flag suspicious orders of a day, a range, or the days the nightly run will rebuild (--dirty)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--date", help="one Shanghai day, YYYY-MM-DD")
        which.add_argument("--from", dest="date_from", help="first day of a range (with --to)")
        which.add_argument(
            "--dirty", action="store_true", help="yesterday and every day touched since the last rollup run"
        )
        parser.add_argument("--to", dest="date_to", help="last day of a range (with --from)")

    def handle(self, *args, **options):
        days = self._days(options)
        self.stdout.write(f"Checking {len(days)} day(s): {days[0]} … {days[-1]}")
        result = check_days(days, progress=self._progress)
        self.stdout.write("")
        for rule in Rule.values:
            self.stdout.write(f"  {rule:<18} {result.flagged.get(rule, 0):>8,} new flag(s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {len(result.days)} day(s), {result.total:,} new flag(s) in {result.seconds:.1f} s."
            )
        )

    def _days(self, options) -> list[dt.date]:
        if options["date"]:
            return [_parse_day(options["date"])]
        if options["date_from"] or options["date_to"]:
            if not (options["date_from"] and options["date_to"]):
                raise CommandError("--from and --to go together")
            start, end = _parse_day(options["date_from"]), _parse_day(options["date_to"])
            if end < start:
                raise CommandError("--to is before --from")
            if (end - start).days > 3660:
                raise CommandError("at most ten years at a time")
            return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        if options["dirty"]:
            return sorted({*rollups.dirty_days(), dates.shanghai_yesterday()})
        raise CommandError("say which days: --date D, --from D --to D or --dirty")

    def _progress(self, done: int, total: int, day: dt.date) -> None:
        line = f"{done}/{total} days ({day})"
        if self.stdout.isatty():
            self.stdout.write(f"\r{line}", ending="")
        elif done == total or done % max(1, total // 20) == 0:
            self.stdout.write(line)
        sys.stdout.flush()
