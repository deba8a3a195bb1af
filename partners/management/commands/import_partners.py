"""import_partners FILE [--status S] [--dry-run] [--create-villages]"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partners.importing import IMPORT_STATUSES, ImportFileError, import_partners
from partners.models import PartnerStatus


class Command(BaseCommand):
    help = (
        "Import partners from a CSV (UTF-8, with or without BOM) or XLSX file. Every row is validated "
        "first; nothing is imported while any row is bad. Phones that are partners already are left "
        "unchanged, so importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a .csv or .xlsx file")
        parser.add_argument(
            "--status",
            default=PartnerStatus.APPLIED.value,
            help=f"status the rows enter: {', '.join(IMPORT_STATUSES)} (default applied; "
            "later statuses record each step of the path). Active is refused: activate one by one.",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate and report, import nothing")
        parser.add_argument(
            "--create-villages", action="store_true", help="create villages missing from a known county"
        )

    def handle(self, *args, file, status, dry_run, create_villages, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        started = time.monotonic()
        last_shown: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            # One line per stage, rewritten in place on a terminal; every step when piped.
            now = time.monotonic()
            if done != total and now - last_shown.get(stage, 0) < 0.2:
                return
            last_shown[stage] = now
            line = f"rows {stage}: {done}/{total}"
            if self.stderr.isatty():
                self.stderr.write(f"\r{line}", ending="\n" if done == total else "")
            else:
                self.stderr.write(line)
            sys.stderr.flush()

        try:
            report = import_partners(
                source=path,
                filename=path.name,
                status=status,
                dry_run=dry_run,
                create_villages=create_villages,
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.monotonic() - started
        for error in report.errors:
            self.stdout.write(f"row {error.row}, {error.label}: {error.message}")
        mode = "dry run, nothing imported" if dry_run else "imported"
        if not report.ok:
            mode = "nothing imported"
        created_label = "would be created" if dry_run else "created"
        self.stdout.write(
            f"{report.rows} rows ({mode}, {elapsed:.1f} s): {created_label} {report.created if report.ok else 0}, "
            f"unchanged {report.unchanged}, errors {len(report.errors)}"
            + (f", villages {created_label} {report.villages_created}" if report.villages_created else "")
        )
        if not report.ok:
            if not create_villages and any(error.column == "village" for error in report.errors):
                self.stdout.write("hint: --create-villages creates villages missing from a known county")
            raise CommandError(f"{len(report.errors)} bad row(s): fix them and run again")
        self.stdout.write(self.style.SUCCESS("ok"))
