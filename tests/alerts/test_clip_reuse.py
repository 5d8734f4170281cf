"""A clip cut from the timeline takes the live transcript of its span as its draft (retimed, with
languages, English drafts, words and the safeguards' marks) instead of transcribing again."""

import datetime as dt

import pytest

from alerts.program import program, silence, store, tone
from clipdesk.alerts import reuse
from clipdesk.alerts.models import LiveChannel, LiveLine, NotTranscribed
from clipdesk.ingest import runner
from clipdesk.ingest.models import IngestJob
from clipdesk.recording import actions
from clipdesk.recording.models import ClipSource
from factories.ingest import IngestJobFactory
from recording.streams import add

pytestmark = pytest.mark.django_db(transaction=True)
AIR = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return AIR + dt.timedelta(seconds=seconds)


def test_a_clip_cut_from_the_timeline_reuses_the_live_lines(monkeypatch):
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    LiveChannel.objects.create(source=source, enabled=False)
    samples, _ = program(tone(4), silence(12))
    store(source, samples, AIR)
    LiveLine.objects.create(source=source, start=at(1), end=at(3), text="before", language="en")
    LiveLine.objects.create(
        source=source,
        start=at(5),
        end=at(8),
        text="وقف إطلاق النار",
        language="ar",
        english="A ceasefire",
        words=[[0, 900, "وقف", 0.9], [1000, 2900, "إطلاق النار", 0.4]],
        uncertain=["low-logprob"],
    )
    LiveLine.objects.create(source=source, start=at(9), end=at(10.5), text="Thank you.", language="en")
    LiveChannel.objects.filter(source=source).update(watermark=at(16))

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded: the clip was transcribed again")

    monkeypatch.setattr(runner, "get_pipeline", no_model)
    job = actions.cut_clip(source, user=None, start=at(4), end=at(12))
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE, job.error
    first, second = job.clip.segments.order_by("position")
    assert (first.start_ms, first.end_ms, first.original_text, first.original_language) == (
        1000,
        4000,
        "وقف إطلاق النار",
        "ar",
    )
    assert first.english_text == "A ceasefire" and first.english_origin == "machine"
    assert first.words == [[1000, 1900, "وقف", 0.9], [2000, 3900, "إطلاق النار", 0.4]]
    assert first.uncertain and first.uncertain_reason == "low-logprob"
    assert (second.start_ms, second.original_text, second.english_text) == (5000, "Thank you.", "Thank you.")


def test_the_live_transcript_is_not_reused_when_asked_or_not_complete():
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    LiveChannel.objects.create(source=source, enabled=False, watermark=at(10))
    LiveLine.objects.create(source=source, start=at(1), end=at(3), text="hello", language="en")
    assert reuse.covered(source.pk, at(0), at(10))
    assert not reuse.covered(source.pk, at(0), at(11))  # not transcribed that far yet
    broken = NotTranscribed.objects.create(source=source, start=at(2), end=at(4), reason="broken")
    assert not reuse.covered(source.pk, at(0), at(10))
    broken.status = NotTranscribed.Status.DONE
    broken.save()

    job = IngestJobFactory()
    span = ClipSource.objects.create(job=job, source=source, start=at(0), end=at(4), offset_ms=0)
    assert [line.text for line in reuse.live_transcript(job, 4.0).segments] == ["hello"]
    span.transcribe_again = True  # the monitor asked for a fresh pass
    span.save()
    assert reuse.live_transcript(job, 4.0) is None
