"""send_queued_messages: the outbox's sweep by hand (the beat task's work)."""

from django.core.management.base import BaseCommand

from notifications.services import STALE_AFTER, messages_enqueue_stale


class Command(BaseCommand):
    help = (
        f"Enqueue again the outbox messages still queued {int(STALE_AFTER.total_seconds() // 60)} minutes after "
        "they were created (their task never reached the broker). Without a broker they are sent here."
    )

    def handle(self, *args, **options):
        count = messages_enqueue_stale()
        self.stdout.write(self.style.SUCCESS(f"{count:,} queued message(s) enqueued again."))
