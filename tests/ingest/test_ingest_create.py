"""Creating a job: a recording is checked by its content before anything is stored, then stored with
its SHA-256 and queued after commit. Every bad input gets its own clear message and leaves nothing."""

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from clipdesk.archive.models import Channel
from clipdesk.ingest import validation
from clipdesk.ingest.actions import create_ingest_job
from clipdesk.ingest.models import IngestJob
from clipdesk.pipeline import languages
from clipdesk.pipeline.media import make_demo_video
from factories.media import make_video, odd_codec_wav, silent_video

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
JFK = SAMPLES / "jfk.flac"
SHORT = SAMPLES / "speechbrain-asr" / "spk1_snt1.wav"


def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("Minutes of the editorial meeting.\nNothing to transcribe here.\n")
    return path


def empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "empty.mp4"
    path.touch()
    return path


def cut_flac(tmp_path: Path) -> Path:
    path = tmp_path / "jfk-cut.flac"
    path.write_bytes(JFK.read_bytes()[:100_000])
    return path


def cut_wav(tmp_path: Path) -> Path:
    path = tmp_path / "cut.wav"
    path.write_bytes(SHORT.read_bytes()[:40_000])
    return path


def cut_mp4_index_first(tmp_path: Path) -> Path:
    """An MP4 with its index at the front (as web encoders write it), cut in half: it still opens."""
    whole = make_demo_video(JFK, tmp_path / "whole.mp4", "cut")
    path = tmp_path / "half.mp4"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def cut_mp4_index_last(tmp_path: Path) -> Path:
    """An MP4 as a camera writes it (index at the end), cut short: the index is gone."""
    whole = make_video(tmp_path / "camera.mp4", seconds=3)
    path = tmp_path / "camera-cut.mp4"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    return path


BAD_FILES = [
    (text_file, validation.NotMedia, "not an audio or video file"),
    (empty_file, validation.Truncated, r"empty \(0 bytes\)"),
    (silent_video, validation.NoAudio, r"no audio track \(it contains: video\)"),
    (odd_codec_wav, validation.UnsupportedCodec, "codec"),
    (cut_flac, validation.Truncated, "truncated: only 00:01 of the 00:11"),
    (cut_wav, validation.Truncated, "header declares 91884 bytes but only 40000"),
    (cut_mp4_index_first, validation.Truncated, "truncated"),
    (cut_mp4_index_last, validation.Truncated, "damaged or truncated"),
]


@pytest.mark.parametrize(
    ("build", "kind", "message"), BAD_FILES, ids=[case[0].__name__ for case in BAD_FILES]
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_stored(
    tmp_path, stored_files, build, kind, message
):
    path = build(tmp_path)
    with pytest.raises(kind, match=message) as refused:
        create_ingest_job(path, user=None, channel="Brand New TV")
    assert isinstance(refused.value, ValidationError)
    assert path.name in refused.value.messages[0]
    with pytest.raises(CommandError, match=message):
        call_command("ingest", str(path), "--channel", "Brand New TV")
    assert not IngestJob.objects.exists()
    assert not Channel.objects.filter(name="Brand New TV").exists()
    assert stored_files() == []


def test_over_the_size_limit(settings, stored_files):
    settings.CLIPDESK_MAX_UPLOAD_MB = 1  # jfk.flac is 1.1 MB
    with pytest.raises(validation.TooLarge, match="over the limit of 1 MB"):
        create_ingest_job(JFK, user=None)
    assert stored_files() == []


def test_over_the_duration_limit_unless_a_shorter_clip_is_cut(
    settings, stored_files, django_capture_on_commit_callbacks
):
    settings.CLIPDESK_MAX_DURATION_MINUTES = 0.1  # 6 s; jfk.flac lasts 11 s
    with pytest.raises(validation.TooLong, match=r"jfk.flac lasts 00:11, over the limit of 00:06"):
        create_ingest_job(JFK, user=None)
    with pytest.raises(validation.TooLong, match="the cut lasts 00:08"):
        create_ingest_job(JFK, user=None, start=3)
    assert stored_files() == []
    with django_capture_on_commit_callbacks():
        job = create_ingest_job(JFK, user=None, start=1.5, end=6.5)
    assert (job.start_ms, job.end_ms, job.original_duration_ms) == (1500, 6500, 11000)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"language": "xx"}, "Whisper does not know the language 'xx'"),
        ({"translate": "ctranslate2"}, "needs a translation model: set CLIPDESK_TRANSLATION_MODEL_DIR"),
        ({"translate": "deepl"}, "Translation must be one of whisper, ctranslate2, none"),
        ({"speakers": "psychic"}, "Speakers must be one of"),
        ({"start": 12}, r"starts at 00:12, but jfk.flac lasts only 00:11"),
        ({"start": 5, "end": 4}, "must end after it starts"),
        ({"start": -1}, "cannot be negative"),
    ],
)
def test_options_are_checked_before_anything_is_stored(stored_files, options, message):
    with pytest.raises(validation.BadOptions, match=message):
        create_ingest_job(JFK, user=None, **options)
    assert not IngestJob.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "1:75"], "minutes and seconds run from 0 to 59"),
        (["--end", "soon"], "'soon' is not a time"),
        (["--aired", "yesterday"], "Invalid isoformat string"),
        (["--language", "klingon"], "Whisper does not know the language 'klingon'"),
    ],
)
def test_the_cli_says_what_is_wrong_with_its_options(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("ingest", str(JFK), *args)
    assert not IngestJob.objects.exists()


@pytest.mark.parametrize(
    ("text", "seconds"), [("95", 95.0), ("95.5", 95.5), ("1:35", 95.0), ("1:01:35.5", 3695.5), ("0:00", 0.0)]
)
def test_times_are_seconds_or_hours_minutes_seconds(text, seconds):
    assert validation.parse_time(text) == seconds


def test_languages_are_bcp47_codes_read_as_whisper_codes():
    assert validation.whisper_language("auto") is None
    assert validation.whisper_language("ar") == "ar"
    assert validation.whisper_language("fa-IR") == "fa"
    assert validation.whisper_language("jv") == "jw"
    assert languages.bcp47("jw") == "jv"


def test_a_good_file_is_stored_with_its_provenance_and_queued_after_commit(
    roles, stored_files, django_capture_on_commit_callbacks
):
    monitor = roles["monitor"]
    with django_capture_on_commit_callbacks() as queued:
        job = create_ingest_job(
            SHORT,
            user=monitor,
            channel="Al-Manar TV",
            language="en",
            translate="none",
            source="satellite capture, dish 2",
        )
    assert len(queued) == 1  # the job is enqueued once the transaction commits, not before
    job.refresh_from_db()
    digest = hashlib.sha256(SHORT.read_bytes()).hexdigest()
    assert (job.status, job.attempts, job.max_attempts) == ("queued", 0, 3)
    assert (job.original_name, job.original_sha256, job.original_size) == (
        SHORT.name,
        digest,
        SHORT.stat().st_size,
    )
    assert (job.mime_type, job.original_duration_ms) == ("audio/wav", 2870)
    assert (job.uploaded_by, job.source, job.channel.name) == (
        monitor,
        "satellite capture, dish 2",
        "Al-Manar TV",
    )
    assert job.original.name == f"ingest/originals/{digest[:2]}/{digest}/{SHORT.name}"
    with job.original.open("rb") as stored:
        assert stored.read() == SHORT.read_bytes()
    assert job.enqueued_at is not None and job.due_at == job.enqueued_at

    # The same recording again (another cut, say) shares the stored original.
    with django_capture_on_commit_callbacks():
        again = create_ingest_job(SHORT, user=monitor, start=1)
    assert again.original.name == job.original.name
    assert stored_files() == [Path(job.original.path)]


def test_only_staff_who_may_add_clips_and_media_can_ingest(roles):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_ingest_job(SHORT, user=roles["translator"])
    assert not IngestJob.objects.exists()


def test_the_cli_without_wait_prints_the_job_and_where_to_follow_it(capsys, settings):
    call_command("ingest", str(SHORT), "--aired", "2021-05-28", "--start", "0:01", "--title", "A dog")
    out = capsys.readouterr().out
    job = IngestJob.objects.get()
    assert out.startswith(f"Job {job.pk} queued: spk1_snt1.wav (00:03, 0.1 MB, sha256 ")
    assert f"{settings.CLIPDESK_BASE_URL}/staff/ingest/{job.pk}/" in out
    assert (str(job.aired_on), job.start_ms, job.end_ms, job.title) == ("2021-05-28", 1000, None, "A dog")
    assert job.translate == "whisper"  # CLIPDESK_DEFAULT_TRANSLATE
