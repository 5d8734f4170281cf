import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clipdesk.archive.actions import publish_clip
from clipdesk.archive.models import Clip
from clipdesk.ingest import demo
from clipdesk.ingest.actions import create_ingest_job
from clipdesk.ingest.models import IngestJob
from clipdesk.ingest.tasks import execute_job

TITLE = "Sample: John F. Kennedy's inaugural address, 1961 (ingested by the real pipeline)"
BILINGUAL_TITLE = "Sample: five questions in Arabic, with their English (ingested by the real pipeline)"


class Command(BaseCommand):
    help = (
        "Run the sample recordings through the real ingest pipeline and publish the results, so the demo "
        "has a clip with real English speech and a bilingual clip (Arabic beside the English a person "
        "wrote), each with a video track and captions. Makes each clip once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default=str(Path(settings.BASE_DIR).parents[1] / "samples" / "audio" / "jfk.flac"),
            help="the English recording to ingest (default samples/audio/jfk.flac)",
        )

    def handle(self, *args, file, **options):
        self._make(
            TITLE,
            Path(file),
            aired_on=dt.date(1961, 1, 20),
            source="samples/audio/REFERENCES.md (openai/whisper tests/jfk.flac, public domain speech)",
        )
        with tempfile.TemporaryDirectory() as scratch:
            joined = Path(scratch) / "arabic-samples.wav"
            parts = demo.join_samples(joined)
            self._make(
                BILINGUAL_TITLE,
                joined,
                language="ar",
                source="samples/audio/rhasspy-ar (rhasspy/ar_kaldi-rhasspy test/wavenet, MIT); "
                "English: samples/audio/rhasspy-ar/ENGLISH.tsv",
                then=lambda clip: demo.apply_reference_texts(clip, parts),
            )

    def _make(self, title: str, path: Path, *, language="auto", aired_on=None, source="", then=None):
        existing = Clip.objects.filter(title=title, origin=Clip.Origin.INGESTED).first()
        if existing:
            self.stdout.write(
                f"Demo clip already there: {existing.reference} {settings.CLIPDESK_BASE_URL}{existing.get_absolute_url()}"
            )
            return
        job = create_ingest_job(
            path,
            user=None,
            channel="Sample recordings",
            aired_on=aired_on,
            language=language,
            title=title,
            source=source,
        )
        self.stdout.write(f"Ingesting {path.name} (job {job.pk}) with the real speech model...")
        status = execute_job(job.pk)
        job.refresh_from_db()
        if status != IngestJob.Status.DONE or job.clip is None:
            raise CommandError(f"The demo ingest did not finish: {job.error or status}")
        if then is not None:
            then(job.clip)
        clip = publish_clip(job.clip, user=None, confirm_machine_text=True)
        self.stdout.write(
            f"Published {clip.reference}: {settings.CLIPDESK_BASE_URL}{clip.get_absolute_url()}"
        )
