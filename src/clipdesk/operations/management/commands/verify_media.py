from django.core.management.base import BaseCommand, CommandError

from clipdesk.operations.integrity import check_media
from clipdesk.operations.progress import command_tracking


class Command(BaseCommand):
    help = (
        "Check every media file against the SHA-256 recorded when it was attached, and that every poster "
        "exists. Lists each missing or altered file; exits with status 1 if any."
    )

    def handle(self, *args, **options):
        with command_tracking(self, options) as tracker:
            report = check_media(tracker=tracker)
        for problem in report.problems:
            self.stdout.write(str(problem))
        summary = (
            f"Checked {report.files_checked} media files and {report.posters_checked} posters "
            "(posters for presence only: no checksum is recorded for them)"
        )
        if report.ok:
            self.stdout.write(f"{summary}: all present and intact.")
            return
        raise CommandError(f"{summary}: {len(report.problems)} failed.")
