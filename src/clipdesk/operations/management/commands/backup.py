from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clipdesk.operations.backup import make_backup
from clipdesk.operations.manifest import BackupError
from clipdesk.operations.progress import command_tracking


class Command(BaseCommand):
    help = (
        "Back up the database and every media file into DEST, a new directory, while the site runs: "
        "SQLite through its online backup API, PostgreSQL through pg_dump, with a manifest of SHA-256 "
        "checksums. Exits with status 1 if media files named by the database are missing from storage."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", metavar="DEST", help="a directory that does not exist yet, or is empty")
        parser.add_argument(
            "--with-recordings",
            action="store_true",
            help="also copy the channels' recorded segments (left out by default: they are large)",
        )

    def handle(self, *args, dest, with_recordings, **options):
        with command_tracking(self, options) as tracker:
            try:
                manifest = make_backup(Path(dest), tracker=tracker, recordings=with_recordings)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        media = manifest.media_files
        size = sum(f.size for f in manifest.files)
        self.stdout.write(
            f"Backed up the {manifest.database_vendor} database (snapshot at {manifest.created_at}) and "
            f"{len(media)} media files, {size / 1e6:.1f} MB in all, to {dest}."
        )
        if not with_recordings:
            self.stdout.write(
                "Recorded channel segments were left out (their rows are in the database); "
                "pass --with-recordings to copy them too."
            )
        if manifest.missing_media:
            for name in manifest.missing_media:
                self.stderr.write(f"missing from storage: {name}")
            raise CommandError(
                f"{len(manifest.missing_media)} media files named by the database are missing from storage; "
                "the backup was made without them (the manifest lists them). Run `clipdesk verify-media`."
            )
