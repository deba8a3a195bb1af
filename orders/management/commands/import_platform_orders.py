"""import_platform_orders FILE [--dry-run]"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orders.platform_feed import platform_orders_import
from partners.importing import ImportFileError


class Command(BaseCommand):
    help = (
        "Import the platform's (Taobao seller centre's) order export: CSV (UTF-8 with or without BOM, GB18030) "
        "or XLSX, English or Chinese headers. Every row is checked first; nothing is imported while any row "
        "is bad. The same file again changes nothing; a record never moves back to an earlier status."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, import nothing")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        started = time.monotonic()
        try:
            report = platform_orders_import(source=path, filename=path.name, dry_run=dry_run)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.monotonic() - started
        for error in report.errors:
            self.stdout.write(f"row {error.row}, {error.label}: {error.message}")
        if not report.ok:
            mode = "nothing imported"
        elif dry_run:
            mode = "dry run, nothing imported"
        else:
            mode = "imported"
        would = "would be " if dry_run else ""
        self.stdout.write(
            f"{report.rows} rows ({mode}, {elapsed:.1f} s): {would}created {report.created}, "
            f"{would}updated {report.updated}, unchanged {report.unchanged}, "
            f"skipped (older status) {report.skipped}, errors {len(report.errors)}"
        )
        if not report.ok:
            raise CommandError(f"{len(report.errors)} bad row(s): fix them and run again")
        self.stdout.write(self.style.SUCCESS("ok"))
