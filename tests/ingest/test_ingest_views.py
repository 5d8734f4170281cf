"""The staff pages: the upload form with the recent jobs, and a job's page with its live status."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from clipdesk.ingest.models import IngestJob
from factories.archive import ClipFactory
from factories.ingest import IngestJobFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"
SHORT = SAMPLES / "speechbrain-asr" / "spk1_snt1.wav"
URL = "/staff/ingest/"


@pytest.fixture
def monitor(client, roles):
    client.force_login(roles["monitor"])
    return roles["monitor"]


def upload(client, path: Path, **fields):
    with open(path, "rb") as handle:
        data = {"language": "auto", "translate": "whisper", "speakers": "auto", "file": handle, **fields}
        return client.post(URL, data)


def assert_strict_csp_markup(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"<style|\sstyle=", html), "inline style"


def test_the_ingest_pages_are_for_staff_who_may_add_clips_and_media(client, roles):
    assert reverse("ingest:ingest") == URL
    job = IngestJobFactory()
    pages = [URL, f"{URL}{job.pk}/", f"{URL}{job.pk}/status.json"]
    for page in pages:
        assert client.get(page).status_code == 302  # to the sign-in page
    client.force_login(roles["reader"])
    assert all(client.get(page).status_code == 302 for page in pages)
    client.force_login(roles["translator"])  # staff, but may not add clips or media
    assert all(client.get(page).status_code == 403 for page in pages)
    assert client.post(f"{URL}{job.pk}/cancel/").status_code == 403
    client.force_login(roles["monitor"])
    assert all(client.get(page).status_code == 200 for page in pages)


def test_the_form_and_the_recent_jobs(client, monitor):
    done = IngestJobFactory(status="done", clip=ClipFactory(), original_name="news-0528.ts")
    IngestJobFactory(status="running", progress=0.42, original_name="talk-show.mkv", start_ms=61_500)
    response = client.get(URL)
    html = response.content.decode()
    for name in (
        "file",
        "title",
        "channel",
        "aired_on",
        "language",
        "start",
        "end",
        "translate",
        "speakers",
        "source",
    ):
        assert f'name="{name}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "news-0528.ts" in html and f'href="/staff/clips/id:{done.clip_id}/edit/"' in html
    assert "talk-show.mkv <small>(1:01.5 to the end)</small>" in html and "Running</span> 42%" in html
    assert_strict_csp_markup(html)


def test_an_upload_is_stored_and_queued_and_leads_to_its_job(
    client, monitor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = upload(
            client, SHORT, channel="Al-Mayadeen", aired_on="2024-03-01", source="capture 7", start="0:01"
        )
    job = IngestJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/"
    assert len(queued) == 1
    assert (job.uploaded_by, job.channel.name, str(job.aired_on), job.source) == (
        monitor,
        "Al-Mayadeen",
        "2024-03-01",
        "capture 7",
    )
    assert (job.original_name, job.start_ms, job.status) == ("spk1_snt1.wav", 1000, "queued")
    with job.original.open("rb") as stored:
        assert stored.read() == SHORT.read_bytes()


@pytest.mark.parametrize("in_memory", [True, False])
def test_an_upload_that_is_not_media_is_refused_with_the_reason(
    client, monitor, settings, tmp_path, stored_files, in_memory
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440 if in_memory else 100
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all\n" * 20)
    response = upload(client, notes)
    assert response.status_code == 400
    assert "notes.mp4: this is not an audio or video file" in response.content.decode()
    assert not IngestJob.objects.exists() and stored_files() == []


def test_an_upload_over_the_limit_is_dropped_while_it_arrives(client, monitor, settings, stored_files):
    settings.CLIPDESK_MAX_UPLOAD_MB = 0.05  # 52 kB; the sample has 92 kB
    response = upload(client, SHORT)
    assert response.status_code == 400
    assert "The file is over the upload limit of 51 KB" in response.content.decode()
    assert not IngestJob.objects.exists() and stored_files() == []


def test_bad_times_are_refused_by_the_form(client, monitor):
    response = upload(client, SHORT, start="1:99")
    assert response.status_code == 400
    assert "minutes and seconds run from 0 to 59" in response.content.decode()
    assert not IngestJob.objects.exists()


def test_the_upload_form_checks_its_csrf_token(roles):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles["monitor"])
    assert upload(client, SHORT).status_code == 403
    assert not IngestJob.objects.exists()


def test_a_running_job_shows_live_progress(client, monitor):
    job = IngestJobFactory(
        status="running", stage="transcribe", progress=0.375, attempts=1, claimed_by="host:7:Worker-1"
    )
    html = client.get(f"{URL}{job.pk}/").content.decode()
    assert f'data-status-url="{URL}{job.pk}/status.json"' in html
    assert '<script src="/static/ingest/job-progress.js" defer></script>' in html
    assert "Finding speech, recognising words and speakers" in html and 'value="37"' in html
    assert f'action="{URL}{job.pk}/cancel/"' in html and "Retry" not in html
    assert job.original_sha256 in html
    assert_strict_csp_markup(html)
    status = client.get(f"{URL}{job.pk}/status.json")
    assert status["Cache-Control"].startswith("max-age=0")
    assert status.json() == {
        "id": job.pk,
        "status": "running",
        "stage": "transcribe",
        "stage_label": "Finding speech, recognising words and speakers",
        "progress": 0.375,
        "percent": 37,
        "attempts": 1,
        "max_attempts": 3,
        "error": "",
        "clip": None,
        "editor_url": None,
    }


def test_a_failed_job_shows_its_reason_and_can_be_retried(
    client, monitor, django_capture_on_commit_callbacks
):
    reason = "spk1_snt1.wav: the file is truncated. Copy or upload the complete file again."
    job = IngestJobFactory(status="failed", attempts=1, error=reason)
    html = client.get(f"{URL}{job.pk}/").content.decode()
    assert reason in html and f'action="{URL}{job.pk}/retry/"' in html
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"{URL}{job.pk}/retry/", follow=True)
    assert "is queued again" in response.content.decode()
    assert len(queued) == 1
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == ("queued", "", 0)
    again = client.post(f"{URL}{job.pk}/retry/", follow=True)
    assert "Only a failed job can be retried" in again.content.decode()


def test_a_done_job_links_to_its_draft(client, monitor):
    job = IngestJobFactory(status="done", progress=1.0, stage="store", clip=ClipFactory())
    html = client.get(f"{URL}{job.pk}/").content.decode()
    assert f'href="/staff/clips/id:{job.clip_id}/edit/"' in html and f"draft #{job.clip_id}" in html
    assert (
        client.get(f"{URL}{job.pk}/status.json").json()["editor_url"]
        == f"/staff/clips/id:{job.clip_id}/edit/"
    )


def test_a_queued_job_can_be_cancelled(client, monitor):
    job = IngestJobFactory()
    response = client.post(f"{URL}{job.pk}/cancel/", follow=True)
    assert "is cancelled" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Cancelled by monitor.")
