"""Run the rollups by hand: the same code as the nightly Celery task."""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from analytics import rollups
from rural_taobao import dates


def _parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Compute county rollups and partner income for a day, a range, all history, or the dirty days."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--date", help="one Shanghai day, YYYY-MM-DD")
        which.add_argument("--from", dest="date_from", help="first day of a range (with --to)")
        which.add_argument("--all", action="store_true", help="every day from the first payment to yesterday")
        which.add_argument(
            "--dirty", action="store_true", help="yesterday and every day touched since the last run (the nightly set)"
        )
        parser.add_argument("--to", dest="date_to", help="last day of a range (with --from)")

    def handle(self, *args, **options):
        days = self._days(options)
        if not days:
            self.stdout.write("Nothing to roll up.")
            return
        self.stdout.write(f"Rolling up {len(days)} day(s): {days[0]} … {days[-1]}")
        try:
            result = rollups.run_rollups(days, trigger="command", progress=self._progress, full=options["all"])
        except rollups.RollupAlreadyRunning as exc:
            raise CommandError("Another rollup run is in progress; try again when it has finished.") from exc
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {len(result.days)} day(s), {result.rows:,} rows written in {result.seconds:.1f} s "
                f"(run #{result.run_id})."
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
            return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        if options["all"]:
            return rollups.days_with_orders()
        if options["dirty"]:
            return sorted({*rollups.dirty_days(), dates.shanghai_yesterday()})
        raise CommandError("say which days: --date D, --from D --to D, --all or --dirty")

    def _progress(self, done: int, total: int, day: dt.date) -> None:
        width = 30
        filled = int(width * done / total)
        bar = "█" * filled + "·" * (width - filled)
        line = f"[{bar}] {done}/{total} days ({day})"
        if self.stdout.isatty():
            self.stdout.write(f"\r{line}", ending="")
        elif done == total or done % max(1, total // 20) == 0:
            self.stdout.write(line)
        sys.stdout.flush()
