"""Live transcription with the real Whisper base model: a program of real speech, silence and tone
is stored segment by segment as the recorder stores it, and the channel's running transcript comes
out line by line, on the air clock, once each, in each line's language, with English drafts."""

import datetime as dt
import itertools

import pytest
from django.db import transaction

from alerts.program import PRIMING, program, sample, silence, store, tone
from clipdesk.alerts import actions, live
from clipdesk.alerts.models import LiveChannel, LiveLine
from clipdesk.alerts.signals import lines_stored
from clipdesk.alerts.tasks import transcribe_live
from clipdesk.recording.actions import open_gap
from recording.streams import add

pytestmark = pytest.mark.django_db(transaction=True)
AIR = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def arabic(n: int):
    return sample(f"rhasspy-ar/ar_wavenet_0{n}.wav")


def news():
    """Silence, JFK (straddling the first window's end), tone, then Arabic speech, then silence."""
    return program(
        silence(6),
        ("jfk", sample("jfk.flac")),
        tone(3),
        silence(2),
        ("arabic", arabic(1)),
        silence(0.6),
        arabic(2),
        silence(0.6),
        arabic(3),
        silence(5),
    )


def test_lines_come_once_whole_on_the_air_clock_in_their_language_with_english():
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    sent = []

    def heard(sender, source_id, line_ids, **kwargs):
        sent.append((source_id, list(line_ids)))

    lines_stored.connect(heard)
    try:
        samples, marks = news()
        # Each stored segment wakes the live transcription (Huey runs jobs at once in the tests).
        store(source, samples, AIR)
        assert LiveLine.objects.exists(), "no window was transcribed as the segments came"
        open_gap(source.pk, "closed", "the stream ended")  # the last window is final now
        live.work()
    finally:
        lines_stored.disconnect(heard)

    lines = list(LiveLine.objects.for_source(source).order_by("start"))
    english = [line for line in lines if line.language == "en"]
    text = " ".join(line.text for line in english).lower()
    # JFK's sentence straddles the first window's end: it comes out once, whole.
    assert text.count("americans") == 1, text
    assert text.count("your country") == 2, text  # "... what your country can do ... for your country."
    words = text.split()
    assert not [a for a, b in itertools.pairwise(words) if a == b], text  # no word heard twice
    assert all(line.english == "" for line in english)
    # No two lines cover the same air.
    for before, after in itertools.pairwise(lines):
        assert after.start >= before.end - dt.timedelta(milliseconds=300), (before, after)
    # "Americans" starts near 1.8 s into the sample (samples/audio/REFERENCES.md).
    word = next((line, w) for line in english for w in line.words if "americans" in w[2].lower())
    aired = word[0].start + dt.timedelta(milliseconds=word[1][0])
    expected = AIR + dt.timedelta(seconds=PRIMING + marks["jfk"] + 1.8)
    assert abs((aired - expected).total_seconds()) < 1.0, (aired, expected)
    # The Arabic lines are in Arabic, each with its English draft, after the tone.
    spoken = [line for line in lines if line.language == "ar"]
    assert spoken, [(line.language, line.text) for line in lines]
    assert all(line.english.strip() for line in spoken)
    assert all(line.start >= AIR + dt.timedelta(seconds=marks["arabic"] - 1) for line in spoken)
    # Everything stored was announced once, after commit, in air order.
    announced = [i for _, ids in sent for i in ids]
    assert sorted(announced) == sorted(line.pk for line in lines)
    assert len(announced) == len(set(announced))
    state = LiveChannel.objects.get(source=source)
    assert state.watermark >= AIR + dt.timedelta(seconds=samples.shape[0] / 16000)
    assert state.lag_seconds == 0.0
    assert state.claimed_by == ""


def test_a_job_that_fails_mid_way_is_redone_and_stores_nothing_twice(monkeypatch, settings):
    settings.CLIPDESK_LIVE_BATCH_CHANNELS = 2
    one = add("http://127.0.0.1:9/one.m3u8", name="One TV")
    two = add("http://127.0.0.1:9/two.m3u8", name="Two TV")
    samples, _ = program(silence(2), sample("jfk.flac"), silence(3))
    LiveChannel.objects.create(source=one, enabled=False)  # stored first, transcribed after
    LiveChannel.objects.create(source=two, enabled=False)
    store(one, samples, AIR)
    store(two, samples, AIR)
    LiveChannel.objects.update(enabled=True)

    # The first attempt dies inside the transaction that stores the second channel's window, after
    # the first channel's lines were committed.
    real = actions.store_window
    calls = []

    def dying(window, rows, mark, *, worker):
        calls.append(window.source_id)
        if len(calls) == 2:
            with transaction.atomic():
                LiveLine.objects.bulk_create(rows)  # written, then rolled back with the failure
                raise RuntimeError("worker killed")
        return real(window, rows, mark, worker=worker)

    monkeypatch.setattr(actions, "store_window", dying)
    with pytest.raises(RuntimeError):
        transcribe_live.call_local()
    monkeypatch.setattr(actions, "store_window", real)
    assert LiveChannel.objects.filter(claimed_by="").count() == 2  # the claims were let go
    # Huey runs it once more (retries=1); the rest of both channels is transcribed, each line once.
    assert transcribe_live.retries == 1
    transcribe_live.call_local()
    for source in (one, two):
        open_gap(source.pk, "closed", "the stream ended")
    live.work()
    for source in (one, two):
        text = " ".join(LiveLine.objects.for_source(source).order_by("start").values_list("text", flat=True))
        assert text.lower().count("americans") == 1, text
        assert text.lower().count("your country") == 2, text


def test_a_claim_left_by_a_killed_job_is_taken_over_once_stale(settings):
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    LiveChannel.objects.create(source=source, enabled=False)
    samples, _ = program(silence(1), sample("jfk.flac"), silence(1))
    store(source, samples, AIR)
    open_gap(source.pk, "closed", "the stream ended")
    LiveChannel.objects.filter(source=source).update(
        enabled=True, claimed_by="dead-worker", claimed_at=dt.datetime.now(dt.UTC)
    )
    assert live.work().windows == 0  # the claim is fresh: another job holds it
    settings.CLIPDESK_LIVE_STALE_SECONDS = 0
    assert live.work().windows >= 1
    assert LiveLine.objects.for_source(source).exists()
