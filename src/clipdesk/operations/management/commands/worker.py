from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from clipdesk.operations.workers import Heartbeat


class Command(BaseCommand):
    help = (
        "Run the background job workers (Huey). Any number of workers may share a Redis queue; "
        "exactly one of them should run the periodic schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.HUEY["consumer"]["workers"],
            help="worker threads in this process",
        )
        parser.add_argument(
            "--no-periodic", action="store_true", help="do not run periodic tasks (for every worker but one)"
        )

    def handle(self, *args, threads, no_periodic, **options):
        queue = settings.REDIS_URL or settings.HUEY.get("filename")
        self.stdout.write(
            f"clipdesk worker: {threads} threads on {queue}" + (", no periodic tasks" if no_periodic else "")
        )
        extra = ["--no-periodic"] if no_periodic else []
        heartbeat = Heartbeat().start()  # /healthz reports the workers' last heartbeat
        try:
            call_command("run_huey", "--workers", str(threads), "--worker-type", "thread", *extra)
        finally:
            heartbeat.stop()
