"""A recording uploaded in parts (tus, as the ingest page's uploader sends it) is handed to ingest by
the form: checked by its content and stored as an upload in one request is, then the upload is gone."""

from pathlib import Path

import pytest

from clipdesk.ingest.models import IngestJob
from clipdesk.uploads.models import Upload
from uploads.protocol import create, patch, send

pytestmark = pytest.mark.django_db

SHORT = Path(__file__).resolve().parents[2] / "samples" / "audio" / "speechbrain-asr" / "spk1_snt1.wav"
URL = "/staff/ingest/"
FORM = {"language": "auto", "translate": "none", "speakers": "auto"}


@pytest.fixture
def monitor(client, roles):
    client.force_login(roles["monitor"])
    return roles["monitor"]


def parts_on_disk(settings) -> list[Path]:
    return [p for p in (Path(settings.MEDIA_ROOT) / "uploads").rglob("*") if p.is_file()]


def test_a_complete_upload_becomes_a_job_and_its_parts_are_deleted(
    client, monitor, settings, django_capture_on_commit_callbacks
):
    url = send(client, SHORT, part_size=30_000)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(URL, {**FORM, "upload": url, "channel": "Al-Mayadeen", "start": "0:01"})
    job = IngestJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/"
    assert len(queued) == 1
    assert (job.original_name, job.uploaded_by, job.channel.name, job.start_ms) == (
        "spk1_snt1.wav",
        monitor,
        "Al-Mayadeen",
        1000,
    )
    with job.original.open("rb") as stored:
        assert stored.read() == SHORT.read_bytes()
    assert not Upload.objects.exists() and parts_on_disk(settings) == []


def test_an_upload_that_is_not_media_is_refused_by_its_content_and_deleted(
    client, monitor, settings, tmp_path
):
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all\n" * 20)
    url = send(client, notes, part_size=100)
    response = client.post(URL, {**FORM, "upload": url})
    assert response.status_code == 400
    assert "notes.mp4: this is not an audio or video file" in response.content.decode()
    assert not IngestJob.objects.exists()
    assert not Upload.objects.exists() and parts_on_disk(settings) == []


def test_an_unfinished_upload_is_not_ingested_and_is_kept_to_resume(client, monitor):
    data = SHORT.read_bytes()
    url = create(client, len(data), filename="spk1_snt1.wav")["Location"]
    patch(client, url, 0, data[:40_000])
    response = client.post(URL, {**FORM, "upload": url})
    assert response.status_code == 400
    assert "only 40,000 of" in response.content.decode()
    assert Upload.objects.get().offset == 40_000 and not IngestJob.objects.exists()


def test_another_users_upload_cannot_be_ingested(client, roles):
    client.force_login(roles["monitor"])
    url = send(client, SHORT, part_size=100_000)
    client.force_login(roles["admin"])
    response = client.post(URL, {**FORM, "upload": url})
    assert response.status_code == 400
    assert "The uploaded file was not found" in response.content.decode()
    assert Upload.objects.exists() and not IngestJob.objects.exists()


def test_the_form_without_a_file_or_an_upload_asks_for_the_recording(client, monitor):
    response = client.post(URL, FORM)
    assert response.status_code == 400
    assert "Choose the recording to ingest." in response.content.decode()


def test_the_page_loads_the_uploader_from_this_site(client, monitor):
    html = client.get(URL).content.decode()
    assert 'data-upload-endpoint="/staff/uploads/"' in html
    assert "/static/ingest/vendor/tus-js-client/tus.min.js" in html
    assert "/static/ingest/ingest-upload.js" in html
