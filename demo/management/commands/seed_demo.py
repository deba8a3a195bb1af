"""``manage.py seed_demo``: realistic, deterministic demo data (and benchmark volumes).

The generation itself lives in ``counties.seeding``; this command parses options,
protects a database that already holds demo data, and prints the summary and the
demo logins.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.seeding import SeedError, SeedOptions, demo_data_present, seed, wipe_demo_data


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Fill the database with realistic demo data: real and synthetic counties, villages, "
        "partners in every status, villagers and a year of orders. Deterministic for a given "
        "--seed. Does nothing if demo data exists, unless --reset is given."
    )

    def add_arguments(self, parser):
        defaults = SeedOptions()
        parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (default %(default)s)")
        parser.add_argument(
            "--days", type=positive_int, default=defaults.days,
            help="days of orders, ending yesterday in Asia/Shanghai (default %(default)s)",
        )  # fmt: skip
        parser.add_argument(
            "--end-date", type=date.fromisoformat, default=None,
            help="last day of the order period, YYYY-MM-DD (default: yesterday in Asia/Shanghai)",
        )  # fmt: skip
        parser.add_argument(
            "--counties", type=positive_int, default=None,
            help="total number of counties: the ~30 real ones first, then synthetic ones (default: the real ones)",
        )  # fmt: skip
        parser.add_argument(
            "--villages-per-county", type=positive_int, default=defaults.villages_per_county,
            help="villages per county (default %(default)s; raised if the partners need more)",
        )  # fmt: skip
        parser.add_argument(
            "--partners", type=positive_int, default=defaults.partners,
            help="partners in all statuses, at least 8 (default %(default)s)",
        )  # fmt: skip
        parser.add_argument(
            "--orders", type=positive_int, default=defaults.orders,
            help="orders over the whole period (default %(default)s)",
        )  # fmt: skip
        parser.add_argument(
            "--password", default=defaults.password,
            help="password of the demo logins and of every partner login (default %(default)s)",
        )  # fmt: skip
        parser.add_argument(
            "--batch-size", type=positive_int, default=defaults.batch_size,
            help="rows per insert batch (default %(default)s)",
        )  # fmt: skip
        parser.add_argument(
            "--no-money", dest="money", action="store_false",
            help="leave out the money history: platform records, settled statements, payouts and disputes",
        )  # fmt: skip
        parser.add_argument(
            "--reset", action="store_true",
            help="delete existing demo data first (all counties, villages, partners, villagers, orders, "
            "counters, partner logins and demo users; provinces, categories and promotions stay)",
        )  # fmt: skip

    def handle(self, *args, **opts):
        if opts["partners"] < 8:
            raise CommandError("--partners must be at least 8 (one partner per status)")
        options = SeedOptions(
            seed=opts["seed"],
            days=opts["days"],
            end_date=opts["end_date"],
            counties=opts["counties"],
            villages_per_county=opts["villages_per_county"],
            partners=opts["partners"],
            orders=opts["orders"],
            password=opts["password"],
            batch_size=opts["batch_size"],
            money=opts["money"],
        )
        started = time.monotonic()
        with transaction.atomic():
            if demo_data_present():
                if not opts["reset"]:
                    self.stdout.write(
                        "Demo data is already there (county 410225 or a demo login exists); nothing changed. "
                        "Run with --reset to delete it and seed again."
                    )
                    return
                self.stdout.write("Deleting existing demo data…")
                wipe_demo_data(log=self.stdout.write)
            try:
                result = seed(options, stdout=self.stdout)
            except SeedError as exc:
                raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        self.print_summary(result, options, elapsed)

    def print_summary(self, result, options, elapsed):
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"Demo data seeded (seed {options.seed}) in {elapsed:.1f} s"))
        for note in result.notes:
            w(f"  note: {note}")
        w(f"  counties:  {result.counties:,}")
        w(f"  villages:  {result.villages:,}")
        w("  partners:  " + ", ".join(f"{s} {n:,}" for s, n in sorted(result.partners_by_status.items())))
        w(f"  villagers: {result.villagers:,}")
        total = sum(result.orders_by_status.values())
        w(f"  orders:    {total:,}")
        w("    by status:  " + ", ".join(f"{s} {n:,}" for s, n in sorted(result.orders_by_status.items())))
        w("    by channel: " + ", ".join(f"{s} {n:,}" for s, n in sorted(result.orders_by_channel.items())))
        w(f"    in promotions: {result.promotion_orders:,}")
        w(f"  GMV (paid, not cancelled or returned): ¥{result.gmv:,.2f}")
        w(
            f"  official online retail figures: {result.official_months:,} months of {result.official_counties} "
            "counties (run_rollups puts them in the 亿元淘宝县 ranking)"
        )
        money = result.money
        if money:
            w(f"  platform:  {money['platform_numbers']:,} order numbers, {money['platform_records']:,} records")
            w("    reconciliation: " + ", ".join(f"{s} {n:,}" for s, n in money["reconciliation"].items()))
            w(
                f"  money:     {money['nights']} nights settled, {money['payout_accounts']:,} payout accounts, "
                f"{money['payout_batches']} payout batches, {money['disputes']} disputes"
            )
            w("    statements: " + ", ".join(f"{s} {n:,}" for s, n in money["statements"].items()))
        w("")
        w("Demo logins (password: " + options.password + "):")
        w("  demo_admin    programme admin (superuser)")
        w("  demo_county   county staff of 兰考县 (410225)")
        w("  demo_centre   county centre staff of 兰考县 (410225): parcels")
        w("  demo_partner  active partner in 兰考县 东坝头乡 张庄村")
        w("  every other partner who was ever active logs in with their phone number as username")
