import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clipdesk.archive.actions import publish_clip
from clipdesk.archive.models import Clip
from clipdesk.ingest.actions import create_ingest_job
from clipdesk.ingest.models import IngestJob
from clipdesk.ingest.tasks import execute_job

TITLE = "Sample: John F. Kennedy's inaugural address, 1961 (ingested by the real pipeline)"


class Command(BaseCommand):
    help = (
        "Run a sample recording through the real ingest pipeline and publish the result, so the demo has "
        "a clip with real speech, a video track and captions. Does nothing when that clip already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(Path(settings.BASE_DIR).parents[1] / "samples" / "audio" / "jfk.flac"),
            help="the recording to ingest (default samples/audio/jfk.flac)",
        )

    def handle(self, *args, file, **options):
        existing = Clip.objects.filter(title=TITLE, origin=Clip.Origin.INGESTED).first()
        if existing:
            self.stdout.write(
                f"Demo clip already there: {existing.reference} {settings.CLIPDESK_BASE_URL}{existing.get_absolute_url()}"
            )
            return
        job = create_ingest_job(
            Path(file),
            user=None,
            channel="Sample recordings",
            aired_on=dt.date(1961, 1, 20),
            title=TITLE,
            source="samples/audio/REFERENCES.md (openai/whisper tests/jfk.flac, public domain speech)",
        )
        self.stdout.write(f"Ingesting {file} (job {job.pk}) with the real speech model...")
        status = execute_job(job.pk)
        job.refresh_from_db()
        if status != IngestJob.Status.DONE or job.clip is None:
            raise CommandError(f"The demo ingest did not finish: {job.error or status}")
        clip = publish_clip(job.clip, user=None, confirm_machine_text=True)
        self.stdout.write(
            f"Published {clip.reference}: {settings.CLIPDESK_BASE_URL}{clip.get_absolute_url()}"
        )
