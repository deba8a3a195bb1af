"""reconcile_orders [--all]: the nightly reconciliation, by hand."""

from django.core.management.base import BaseCommand

from orders.models import Order, Reconciliation
from orders.reconciliation import reconcile_orders, reconciliation_counts


class Command(BaseCommand):
    help = (
        "Reconcile orders against the platform records the feed imported: each order gets its state "
        "(unmatched, matched, confirmed, amount_mismatch, refunded, status_conflict). By default only the "
        "orders whose platform view changed since the last run; --all takes every order with a platform "
        "number. Commission follows in the nightly run (or run_rollups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every order with a platform number")

    def handle(self, *args, **options):
        result = reconcile_orders(full=options["all"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Reconciled {result.orders:,} order(s), {result.changed:,} changed, in {result.seconds:.1f} s."
            )
        )
        counts = reconciliation_counts(Order.objects.filter(paid_at__isnull=False))
        for value, label in Reconciliation.choices:
            self.stdout.write(f"  {label}: {counts[value]:,}")
