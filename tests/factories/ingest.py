"""Ingest jobs with a real stored original (a short speech sample), in any state."""

from pathlib import Path

import factory
from django.utils import timezone

from clipdesk.ingest.models import IngestJob
from clipdesk.media.actions import sha256_of

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "audio" / "speechbrain-asr" / "spk1_snt1.wav"


class IngestJobFactory(factory.django.DjangoModelFactory):
    """A queued job, due now. Pass status, attempts, heartbeat_at... for other states."""

    class Meta:
        model = IngestJob

    original = factory.django.FileField(from_path=SAMPLE, filename=SAMPLE.name)
    original_name = SAMPLE.name
    original_sha256 = factory.LazyFunction(lambda: sha256_of(SAMPLE))
    original_size = factory.LazyFunction(lambda: SAMPLE.stat().st_size)
    original_duration_ms = 2870
    mime_type = "audio/wav"
    enqueued_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda job: job.enqueued_at)
