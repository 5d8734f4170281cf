"""Jobs end to end with the real Whisper base model and the repository's recordings: from a file to a
draft clip with its speakers, bilingual segments, a playable rendition and a poster.

These tests commit (transactional_db): the worker's progress thread uses its own connection and must
see the job row. Without `queue_without_worker`, Huey runs a job as soon as it is enqueued, as a
worker would; with it, the message waits in a queue nobody reads, as when no worker runs.
"""

import re
from pathlib import Path

import av
import jiwer
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from clipdesk.archive.models import Clip
from clipdesk.ingest import actions, runner, tasks
from clipdesk.ingest.actions import create_ingest_job
from clipdesk.ingest.models import IngestJob
from clipdesk.media.models import MediaAsset
from clipdesk.pipeline.media import is_web_playable
from clipdesk.transcripts.models import Segment, Speaker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
JFK = SAMPLES / "jfk.flac"
JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
STEREO = SAMPLES / "stereo_diarization.wav"
SHORT = SAMPLES / "speechbrain-asr" / "spk1_snt1.wav"
ARABIC = SAMPLES / "rhasspy-ar" / "ar_wavenet_01.wav"


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def transcript(clip: Clip) -> str:
    return " ".join(clip.segments.order_by("position").values_list("original_text", flat=True))


def assert_one_set_of_segments(clip: Clip) -> None:
    positions = list(clip.segments.order_by("position").values_list("position", flat=True))
    assert positions == list(range(len(positions))) and positions, positions
    assert Segment.objects.count() == len(positions)


def test_the_cli_runs_the_job_itself_when_no_worker_takes_it(queue_without_worker, capsys, settings):
    call_command("ingest", str(JFK), "--channel", "Test TV", "--aired", "2021-05-28", "--wait")
    captured = capsys.readouterr()
    job = IngestJob.objects.get()
    assert "No worker took job" in captured.err and "running it here" in captured.err
    assert captured.out.splitlines()[-2:] == [
        f"Draft ready: id:{job.clip_id}",
        f"{settings.CLIPDESK_BASE_URL}/staff/clips/id:{job.clip_id}/edit/",
    ]

    assert (job.status, job.stage, job.progress, job.attempts, job.error) == ("done", "store", 1.0, 1, "")
    assert job.claimed_by.startswith("cli:")
    assert not (Path(settings.VAR_DIR) / "ingest-work" / str(job.pk)).exists()  # scratch space removed
    assert {"model", "decode", "transcribe", "rendition", "poster", "store", "total"} <= set(job.timings)
    assert job.timings["audio_seconds"] == pytest.approx(11.0, abs=0.05)

    clip = job.clip
    assert (clip.status, clip.origin, clip.number) == (Clip.Status.DRAFT, Clip.Origin.INGESTED, None)
    assert (clip.channel.name, str(clip.aired_on), clip.title) == (
        "Test TV",
        "2021-05-28",
        "Untitled: jfk.flac",
    )
    assert [s.label for s in clip.speakers.all()] == ["unidentified voice"]

    # WER bound from the pipeline's own measurement on this file (0.0 to 0.05 seen), with margin.
    assert jiwer.wer(normalise(JFK_TEXT), normalise(transcript(clip))) <= 0.15
    for segment in clip.segments.all():
        assert segment.speaker.label == "unidentified voice"
        assert (segment.original_language, segment.original_origin, segment.english_origin) == (
            "en",
            "machine",
            "machine",
        )
        assert segment.english_text == segment.original_text  # English speech is its own English
        assert 0 <= segment.start_ms < segment.end_ms <= 11_000
    assert_one_set_of_segments(clip)

    asset = MediaAsset.objects.get(clip=clip)
    assert is_web_playable(asset.file.path)
    with av.open(asset.file.path) as rendition:
        # An audio-only recording plays as a still picture, so the captions have somewhere to show.
        assert [s.codec_context.name for s in rendition.streams] == ["h264", "aac"]
    assert (asset.mime_type, asset.duration_ms) == ("video/mp4", pytest.approx(11_000, abs=100))
    with asset.poster.open("rb") as poster:
        assert poster.read(3) == b"\xff\xd8\xff"  # a JPEG
    assert f"web rendition of jfk.flac (sha256 {job.original_sha256})" in asset.source

    # The message the CLI enqueued is still waiting: a worker that takes it late finds the job done.
    waiting = [t for t in queue_without_worker.pending() if isinstance(t, tasks.run_ingest_job.task_class)]
    assert [t.args for t in waiting] == [(job.pk,)]
    assert tasks.execute_job(job.pk, worker="late-worker") == "done"
    assert_one_set_of_segments(clip)
    assert Clip.objects.count() == MediaAsset.objects.count() == 1


def test_a_stereo_recording_with_a_voice_per_channel_gives_two_speakers():
    job = create_ingest_job(STEREO, user=None, language="en")  # run at once, as by a worker
    job.refresh_from_db()
    assert job.status == "done", job.error
    speakers = list(job.clip.speakers.all())
    assert [s.label for s in speakers] == ["unidentified voice 1", "unidentified voice 2"]
    by_speaker = {
        s.label: normalise(" ".join(s.segments.values_list("original_text", flat=True))) for s in speakers
    }
    # The pipeline numbers voices by first appearance; which channel speaks first is the recording's.
    said = " | ".join(by_speaker.values())
    assert "wizard" in said and "horizon" in said
    assert not any("wizard" in text and "horizon" in text for text in by_speaker.values())
    assert not job.clip.segments.filter(speaker__isnull=True).exists()


def test_arabic_speech_gets_a_machine_english_draft():
    job = create_ingest_job(ARABIC, user=None, language="ar")
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert "translate" in job.timings
    segments = list(job.clip.segments.all())
    assert segments
    for segment in segments:
        assert segment.original_language == "ar"
        assert re.search(r"[\u0600-\u06ff]", segment.original_text), segment.original_text
        assert segment.english_text and re.search(r"[A-Za-z]", segment.english_text)
        assert segment.english_origin == "machine"


def test_a_clip_is_cut_from_a_longer_recording():
    job = create_ingest_job(JFK, user=None, start=1.5, end=6.5, translate="none")
    job.refresh_from_db()
    assert job.status == "done", job.error
    clip = job.clip
    asset = clip.media.get()
    with av.open(asset.file.path) as rendition:
        assert float(
            rendition.streams.audio[0].duration * rendition.streams.audio[0].time_base
        ) == pytest.approx(5.0, abs=0.05)
    # The still picture runs to its next whole frame (2 a second) past the sound.
    assert 5000 <= clip.duration_ms <= 5500
    segments = list(clip.segments.all())
    assert all(0 <= s.start_ms < s.end_ms <= 5100 for s in segments)
    # "Americans" starts near 1.8 s in the recording: near 0.3 s in the cut.
    assert normalise(segments[0].original_text).startswith("americans")
    assert segments[0].start_ms <= 800
    assert is_web_playable(asset.file.path)
    assert f"web rendition of 0:01.5 to 0:06.5 of jfk.flac (sha256 {job.original_sha256})" in asset.source


@pytest.fixture
def whisper_files():
    from clipdesk.pipeline.models import locate_model

    return locate_model(None)


def broken_model_dir(tmp_path: Path, spec, how: str) -> Path:
    """A CTranslate2 Whisper directory made from the installed package's files, then damaged."""
    directory = tmp_path / f"whisper-{how}"
    directory.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        if not (how == "incomplete" and name == "tokenizer.json"):
            (directory / name).write_bytes((spec.support_dir / name).read_bytes())
    with open(spec.parts[0], "rb") as part:
        head = part.read(1 << 20)  # the first MB of model.bin: a truncated copy
    if how == "altered":
        head = b"\xff\xff\xff\x7f" + head[4:]  # an impossible format version where the header starts
    (directory / "model.bin").write_bytes(head)
    return directory


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("missing", r"Whisper model directory .*whisper-missing does not exist"),
        ("incomplete", r"is incomplete: missing tokenizer.json"),
        ("truncated", r"cannot be loaded"),
        ("altered", r"cannot be loaded"),
    ],
)
def test_a_missing_or_corrupt_model_fails_the_job_with_its_reason_and_is_not_retried(
    tmp_path, settings, queue_without_worker, whisper_files, how, message
):
    directory = tmp_path / "whisper-missing"
    if how != "missing":
        directory = broken_model_dir(tmp_path, whisper_files, how)
    settings.CLIPDESK_WHISPER_MODEL_DIR = str(directory)
    with pytest.raises(CommandError, match=rf"Job \d+ failed: .*{message}"):
        call_command("ingest", str(SHORT), "--wait")
    job = IngestJob.objects.get()
    assert (job.status, job.attempts, job.clip) == ("failed", 1, None)
    assert re.search(message, job.error)
    assert not queue_without_worker.scheduled()  # no retry is coming
    assert not Clip.objects.exists() and not Segment.objects.exists() and not MediaAsset.objects.exists()
    assert str(directory) not in {str(key[0]) for key in runner._pipelines}  # a failed load is not kept


def test_a_transient_failure_is_retried_and_the_job_finishes(queue_without_worker, monkeypatch, capsys):
    real_decode = runner.decode_audio
    failures = []

    def decode_once_locked(path, *args, **kwargs):
        if not failures:
            failures.append(path)
            raise OperationalError("database is locked")
        return real_decode(path, *args, **kwargs)

    monkeypatch.setattr(runner, "decode_audio", decode_once_locked)
    call_command("ingest", str(SHORT), "--wait", "--translate", "none")
    job = IngestJob.objects.get()
    assert len(failures) == 1
    assert (job.status, job.attempts, job.error) == ("done", 2, "")
    assert capsys.readouterr().err.count("running it here") == 2
    assert "child almost hurt the small dog" in normalise(transcript(job.clip))
    assert_one_set_of_segments(job.clip)


def test_a_failure_that_keeps_coming_back_ends_the_job_with_its_reason(
    queue_without_worker, monkeypatch, settings
):
    settings.CLIPDESK_INGEST_ATTEMPTS = 2

    def always_locked(path, *args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(runner, "decode_audio", always_locked)
    with pytest.raises(
        CommandError, match=r"Gave up after 2 attempts\. The last one failed with: OperationalError"
    ):
        call_command("ingest", str(SHORT), "--wait")
    job = IngestJob.objects.get()
    assert (job.status, job.attempts, job.clip) == ("failed", 2, None)
    assert "database is locked" in job.error


def test_running_a_job_twice_stores_it_once(monkeypatch):
    outcomes = []
    real_process = tasks.process

    def keep_outcome(*args, **kwargs):
        outcomes.append(real_process(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(tasks, "process", keep_outcome)
    job = create_ingest_job(SHORT, user=None, translate="none")
    job.refresh_from_db()
    assert job.status == "done", job.error
    segments = list(Segment.objects.values_list("pk", "original_text"))

    # The same message delivered twice: the second run finds the job done and returns.
    tasks.run_ingest_job.call_local(job.pk)
    assert list(Segment.objects.values_list("pk", "original_text")) == segments

    # A worker that lost the job (its heartbeat went stale, another worker took it over and stored it)
    # comes back with its own result: the store refuses it, writing nothing.
    IngestJob.objects.filter(pk=job.pk).update(status="running", claimed_by="slow-worker")
    assert actions.complete_job(job.pk, outcomes[0], worker="slow-worker") is None
    IngestJob.objects.filter(pk=job.pk).update(clip=None, claimed_by="new-worker")
    with pytest.raises(actions.JobLost):
        actions.complete_job(job.pk, outcomes[0], worker="slow-worker")
    assert list(Segment.objects.values_list("pk", "original_text")) == segments
    assert Clip.objects.count() == Speaker.objects.count() == MediaAsset.objects.count() == 1


def write_wav(path: Path, samples) -> Path:
    import av
    import numpy as np

    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=16000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            (np.clip(samples, -1, 1) * 32767).astype(np.int16)[None], format="s16", layout="mono"
        )
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return path


def test_each_line_of_a_two_language_recording_keeps_its_language(tmp_path):
    import numpy as np

    from clipdesk.pipeline.audio import decode_audio

    silence = np.zeros(12_000, np.float32)
    parts = [
        decode_audio(JFK).samples,
        silence,
        decode_audio(SAMPLES / "rhasspy-ar" / "ar_wavenet_03.wav").samples,
    ]
    job = create_ingest_job(
        write_wav(tmp_path / "two.wav", np.concatenate(parts)), user=None, speakers="none"
    )
    job.refresh_from_db()
    assert job.status == "done", job.error
    rows = list(job.clip.segments.order_by("position"))
    assert {r.original_language for r in rows} == {"en", "ar"}
    for row in rows:
        assert row.words and row.avg_logprob is not None and row.language_probability > 0.5
        if row.original_language == "en":
            assert row.end_ms <= 11_500 and row.english_text == row.original_text  # not translated
        else:
            assert row.start_ms >= 11_000 and re.search(r"[\u0600-\u06ff]", row.original_text)
            assert row.english_text and not re.search(r"[\u0600-\u06ff]", row.english_text)
    assert set(job.languages_found) == {"en", "ar"} and job.language_found == "en"
    assert job.clip.duration_ms == round((11.0 + 0.75) * 1000 + len(parts[2]) / 16)


def test_a_recording_without_speech_ends_as_no_speech_found(tmp_path):
    import numpy as np

    silent = write_wav(tmp_path / "silence.wav", np.zeros(16_000, np.float32))
    job = create_ingest_job(silent, user=None)
    job.refresh_from_db()
    assert job.status == "failed" and job.clip is None
    assert "no speech found" in job.error
    assert not Clip.objects.exists()
