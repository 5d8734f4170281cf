from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clipdesk.operations.manifest import BackupError
from clipdesk.operations.progress import command_tracking
from clipdesk.operations.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `clipdesk backup`. Every file is checked against the manifest before "
        "anything is written. Stop the site and the workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", metavar="SRC", help="the backup directory (the one holding manifest.json)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the contents of a database that is not empty",
        )

    def handle(self, *args, src, force, **options):
        with command_tracking(self, options) as tracker:
            try:
                result = restore_backup(Path(src), force=force, tracker=tracker)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            f"Verified {len(manifest.files)} files. Restored the {manifest.database_vendor} database "
            f"(snapshot at {manifest.created_at}, clipdesk {manifest.clipdesk_version}) and "
            f"{result.media_written} media files ({result.media_unchanged} were already in place)."
        )
        for name in manifest.missing_media:
            self.stderr.write(f"not in the backup (already missing when it was made): {name}")
        if result.pending:
            self.stdout.write(
                "This clipdesk has migrations the backup's database lacks: run `clipdesk migrate` before "
                f"starting the site ({', '.join(result.pending)})."
            )
        self.stdout.write("Run `clipdesk repair` to rebuild the search index and re-enqueue unfinished jobs.")
