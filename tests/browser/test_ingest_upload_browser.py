"""In Chromium: the ingest page sends the recording ahead in parts with tus-js-client, a part whose
connection drops is sent again from the offset the server reports (nothing else twice), and the form
then hands the complete upload to ingest."""

import hashlib
import re
from pathlib import Path

import pytest

from clipdesk.ingest import actions, views
from clipdesk.ingest.models import IngestJob
from clipdesk.uploads.models import Upload
from support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHORT = Path(__file__).resolve().parents[2] / "samples" / "audio" / "speechbrain-asr" / "spk1_snt1.wav"
PART = 32 * 1024


def test_a_recording_goes_up_in_parts_survives_a_dropped_connection_and_becomes_a_job(
    page, live_server, roles, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(views, "CHUNK_BYTES", PART)
    monkeypatch.setattr(actions, "enqueue_on_commit", lambda job_id, delay=0: None)  # no worker here
    requests: list[tuple[str, str | None]] = []
    dropped = []

    def drop_the_second_part_once(route, request):
        if request.method == "PATCH" and request.headers.get("upload-offset") == str(PART) and not dropped:
            dropped.append(request.url)
            route.abort("connectionreset")  # the hotel Wi-Fi, halfway through the upload
        else:
            route.continue_()

    page.on(
        "request",
        lambda r: (
            requests.append((r.method, r.headers.get("upload-offset")))
            if "/staff/uploads/" in r.url
            else None
        ),
    )
    page.route(re.compile(r".*/staff/uploads/.*"), drop_the_second_part_once)
    login(page, live_server, roles["monitor"])
    page.goto(live_server.url + "/staff/ingest/")
    page.set_input_files("input[type=file]", str(SHORT))
    page.fill("input[name=channel]", "Al-Mayadeen")
    page.select_option("select[name=translate]", "none")
    page.click(".ingest-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/ingest/\d+/$"), timeout=30_000)

    job = IngestJob.objects.get()
    assert (job.original_name, job.channel.name) == ("spk1_snt1.wav", "Al-Mayadeen")
    assert job.original_sha256 == hashlib.sha256(SHORT.read_bytes()).hexdigest()
    assert not Upload.objects.exists()
    assert dropped, "the connection was never dropped"
    patches = [offset for method, offset in requests if method == "PATCH"]
    size = SHORT.stat().st_size
    assert patches == ["0", str(PART), str(PART), *[str(o) for o in range(2 * PART, size, PART)]]
    assert ("HEAD", None) in requests[requests.index(("PATCH", str(PART))) :]  # asked where to go on
    # Nothing else went wrong: no script refused by the Content-Security-Policy, no failed request.
    assert [e for e in page.console_errors if "ERR_CONNECTION_RESET" not in e] == []


def test_cut_and_language_are_checked_before_the_upload_and_the_file_stays_chosen(
    page, live_server, roles, settings, tmp_path, monkeypatch, screenshot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(actions, "enqueue_on_commit", lambda job_id, delay=0: None)  # no worker here
    uploads = []
    page.on("request", lambda r: uploads.append(r.method) if "/staff/uploads/" in r.url else None)
    login(page, live_server, roles["monitor"])
    page.goto(live_server.url + "/staff/ingest/")
    page.set_input_files("input[type=file]", str(SHORT))
    page.fill("input[name=language]", "klingon")
    page.fill("input[name=start]", "0:40")
    page.fill("input[name=end]", "0:20")
    page.select_option("select[name=translate]", "none")
    page.click(".ingest-form button[type=submit]")
    language_error = page.locator("#check-language")
    language_error.wait_for()
    assert "Whisper does not know the language 'klingon'" in language_error.inner_text()
    assert page.locator("#check-end").inner_text() == "The cut must end after it starts."
    assert page.locator("input[name=language]").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.name") == "language"
    assert page.locator("input[type=file]").evaluate("(input) => input.files[0].name") == "spk1_snt1.wav"
    screenshot(page, "ingest-checked-before-upload")
    assert uploads == [] and not IngestJob.objects.exists()  # nothing was sent
    page.fill("input[name=language]", "en")
    page.fill("input[name=end]", "")
    page.fill("input[name=start]", "")
    page.click(".ingest-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/ingest/\d+/$"), timeout=30_000)
    assert IngestJob.objects.get().language == "en" and "POST" in uploads
    assert [e for e in page.console_errors] == []
