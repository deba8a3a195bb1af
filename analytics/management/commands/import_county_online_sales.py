"""import_county_online_sales FILE [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analytics.online_sales_import import county_online_sales_import
from partners.importing import ImportFileError


class Command(BaseCommand):
    help = (
        "Import the official monthly county online retail figures (网络零售额): CSV (UTF-8 with or without BOM, "
        "GB18030) or XLSX with the columns county_code/县代码, month/月份 (YYYY-MM), online_retail_sales/网络零售额. "
        "Every row is checked first; nothing is imported while any row is bad. The same file again changes "
        "nothing. What changes is marked for the next `run_rollups --dirty`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, import nothing")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            report = county_online_sales_import(source=path, filename=path.name, dry_run=dry_run)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
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
            f"{report.rows} rows ({mode}): {would}created {report.created}, {would}updated {report.updated}, "
            f"unchanged {report.unchanged}, errors {len(report.errors)}"
        )
        if not report.ok:
            raise CommandError(f"{len(report.errors)} bad row(s): fix them and run again")
        if report.months and not dry_run:
            self.stdout.write("The county summaries take the new figures at the next `run_rollups --dirty`.")
        self.stdout.write(self.style.SUCCESS("ok"))
