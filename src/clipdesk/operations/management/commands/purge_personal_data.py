from django.core.management.base import BaseCommand

from clipdesk.operations.actions import purge_personal_data
from clipdesk.operations.progress import command_tracking


class Command(BaseCommand):
    help = (
        "Anonymise or delete the personal data past its retention period (settings CLIPDESK_RETAIN_*), as "
        "the worker does every night. Prints how many rows of each kind it purged. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be purged, change nothing")

    def handle(self, *args, dry_run, **options):
        with command_tracking(self, options) as tracker:
            report = purge_personal_data(dry_run=dry_run, tracker=tracker)
        verb = "would be purged" if dry_run else "purged"
        for kind, count in report.counts.items():
            self.stdout.write(f"{kind}: {count} {verb}")
        self.stdout.write(f"{report.total} rows {verb} in all.")
