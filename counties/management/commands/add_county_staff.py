"""add_county_staff USERNAME --county CODE [--county CODE …] [--role staff|centre] [--password P]"""

from django.core.management.base import BaseCommand, CommandError

from counties.staff import CountyStaffError, counties_by_code, county_staff_upsert
from rural_taobao.accounts import set_password_path


class Command(BaseCommand):
    help = (
        "Create a county staff login if missing and assign it one or more counties; with --role centre, "
        "a county operation centre login (receives and dispatches the counties' parcels). "
        "Idempotent: running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--county",
            dest="counties",
            action="append",
            required=True,
            metavar="CODE",
            help="six-digit county code; repeat for several counties",
        )
        parser.add_argument(
            "--role",
            choices=["staff", "centre"],
            default="staff",
            help="staff (the default): reads the counties' figures; centre: moves their parcels",
        )
        parser.add_argument("--password", help="set this password (a new login without one gets a set-password link)")

    def handle(self, *args, username, counties, password=None, role="staff", **options):
        try:
            result = county_staff_upsert(
                username=username, counties=counties_by_code(counties), password=password, role=role
            )
        except CountyStaffError as exc:
            raise CommandError(exc.message) from exc
        user = result.user
        verb = "created" if result.user_created else "exists"
        self.stdout.write(f"{user.username}: login {verb}, role {role}")
        for county in result.counties_added:
            self.stdout.write(f"  + {county.code} {county.name}")
        assigned = ", ".join(
            a.county.code for a in user.county_assignments.select_related("county").order_by("county__code")
        )
        self.stdout.write(f"  counties: {assigned}")
        if result.password_set:
            self.stdout.write("  password set")
        elif not user.has_usable_password():
            self.stdout.write(f"  no password yet; one-time set-password link: {set_password_path(user)}")
        self.stdout.write(self.style.SUCCESS("done"))
