"""What a machine draft stores per line (its own language, words, scores, doubts), what its job
records of the languages found, and the re-run in a chosen language. No model runs here."""

import pytest

from clipdesk.ingest import actions
from clipdesk.ingest.models import IngestJob
from clipdesk.ingest.runner import Outcome
from clipdesk.pipeline.transcribe import Segment as Recognised
from clipdesk.pipeline.transcribe import Word
from factories.ingest import IngestJobFactory
from factories.media import make_video

pytestmark = pytest.mark.django_db


def outcome_of(tmp_path, lines, language="en", probability=0.97, duration=4.321):
    media = make_video(tmp_path / "clip.mp4", seconds=5)
    seconds = {}
    for line in lines:
        seconds[line.language] = seconds.get(line.language, 0) + (line.end_ms - line.start_ms) / 1000
    return Outcome(
        lines, language, probability, "single", duration, media, None, derived=True, languages=seconds
    )


def lines():
    return [
        Recognised(
            0,
            2000,
            "And so my fellow Americans,",
            words=[
                Word(0, 300, "And", 0.91),
                Word(300, 500, "so", 0.99),
                Word(1700, 2000, "Americans,", 0.874),
            ],
            speaker=0,
            language="en",
            language_probability=0.96,
            avg_logprob=-0.21,
            no_speech_prob=0.01,
            compression_ratio=1.1,
            translation="And so my fellow Americans,",
        ),
        Recognised(
            2500,
            4000,
            "يا رب العالمين",
            words=[Word(2500, 3000, "يا", 0.8)],
            speaker=0,
            language="ar",
            language_probability=0.93,
            avg_logprob=-0.7,
            no_speech_prob=0.05,
            compression_ratio=0.9,
            translation="O Lord of all the worlds, O Lord of all the worlds, O Lord of all the worlds",
            uncertain=["translation-repetition"],
        ),
    ]


def test_each_line_stores_its_language_words_scores_and_doubts(tmp_path):
    job = IngestJobFactory()
    actions.claim_job(job.pk, worker="w")
    clip = actions.complete_job(job.pk, outcome_of(tmp_path, lines()), worker="w")
    english, arabic = clip.segments.order_by("position")
    assert (english.original_language, arabic.original_language) == ("en", "ar")
    assert english.english_text == english.original_text
    assert english.words == [[0, 300, "And", 0.91], [300, 500, "so", 0.99], [1700, 2000, "Americans,", 0.874]]
    assert (
        english.language_probability,
        english.avg_logprob,
        english.no_speech_prob,
        english.compression_ratio,
    ) == (
        0.96,
        -0.21,
        0.01,
        1.1,
    )
    assert (english.uncertain, english.uncertain_reason) == (False, "")
    # Kept, but marked: never silently dropped.
    assert arabic.english_text.startswith("O Lord") and arabic.uncertain
    assert arabic.uncertain_reason == "translation-repetition"
    # Durations exact to the millisecond: the audio's, not the still-picture rendition's 5 s.
    assert clip.duration_ms == 4321 and clip.media.get().duration_ms == 4321
    job.refresh_from_db()
    assert (job.language_found, job.language_probability, job.languages_found) == (
        "en",
        0.97,
        {"en": 2.0, "ar": 1.5},
    )
    assert job.language_warning == ""


def test_a_doubtful_language_is_flagged_on_the_job_and_its_page(tmp_path, client, roles):
    job = IngestJobFactory()
    actions.claim_job(job.pk, worker="w")
    doubtful = [Recognised(0, 4000, "שלום", language="he", language_probability=0.87, translation="Hello")]
    actions.complete_job(job.pk, outcome_of(tmp_path, doubtful, "he", 0.87), worker="w")
    job.refresh_from_db()
    assert "he with probability 0.87" in job.language_warning and "below 0.90" in job.language_warning
    client.force_login(roles["monitor"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "data-language-warning" in page and "Run again in" in page


def test_a_language_the_user_chose_is_not_doubted(tmp_path):
    job = IngestJobFactory(language="fa")
    actions.claim_job(job.pk, worker="w")
    chosen = [Recognised(0, 4000, "سلام", language="fa", language_probability=1.0, translation="")]
    actions.complete_job(job.pk, outcome_of(tmp_path, chosen, "fa", 0.2), worker="w")
    job.refresh_from_db()
    assert job.language_warning == ""


def test_a_finished_job_runs_again_in_a_chosen_language(client, roles, django_capture_on_commit_callbacks):
    job = IngestJobFactory(status="done", language="auto", title="Persian phrase")
    client.force_login(roles["monitor"])
    with django_capture_on_commit_callbacks():
        response = client.post(f"/staff/ingest/{job.pk}/rerun/", {"language": "fa"})
    new = IngestJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert (new.language, new.status, new.title, new.original.name) == (
        "fa",
        "queued",
        "Persian phrase",
        job.original.name,
    )
    assert new.original_sha256 == job.original_sha256


def test_a_rerun_is_refused_for_an_unknown_language_or_an_unfinished_job(roles):
    done = IngestJobFactory(status="done")
    with pytest.raises(actions.BadOptions, match="does not know the language"):
        actions.rerun_job(done, user=roles["monitor"], language="xx")
    running = IngestJobFactory(status="running")
    with pytest.raises(actions.ValidationError, match="wait for it to finish"):
        actions.rerun_job(running, user=roles["monitor"], language="fa")
    assert IngestJob.objects.count() == 2
