"""The write endpoints for tools with a token: resumable uploads at /api/uploads/ (tus) and ingest at
/api/ingest/, as `clipdesk ingest --remote` uses them. Always a token of a user who may ingest."""

import base64
import json
from pathlib import Path

import pytest

from clipdesk.api.actions import create_token
from clipdesk.ingest.models import IngestJob
from clipdesk.uploads.models import Upload

pytestmark = pytest.mark.django_db

SHORT = Path(__file__).resolve().parents[2] / "samples" / "audio" / "speechbrain-asr" / "spk1_snt1.wav"
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture(autouse=True)
def _own_media(media_root):
    """Uploads and originals under the test's own MEDIA_ROOT."""


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {create_token(user)[1]}"}


def send(client, auth: dict) -> str:
    data = SHORT.read_bytes()
    name = base64.b64encode(SHORT.name.encode()).decode()
    headers = {**TUS, **auth, "Upload-Length": str(len(data)), "Upload-Metadata": f"filename {name}"}
    created = client.post("/api/uploads/", headers=headers)
    assert created.status_code == 201, created.content
    url = created["Location"]
    assert url.startswith("/api/uploads/")
    answer = client.generic(
        "PATCH",
        url,
        data,
        content_type="application/offset+octet-stream",
        headers={**TUS, **auth, "Upload-Offset": "0"},
    )
    assert answer.status_code == 204, answer.content
    return url


def test_uploads_need_a_token_of_a_user_who_may_ingest(client, roles):
    headers = {**TUS, "Upload-Length": "10"}
    assert client.post("/api/uploads/", headers=headers).status_code == 401
    assert (
        client.post("/api/uploads/", headers={**headers, "Authorization": "Bearer nope"}).status_code == 401
    )
    assert client.post("/api/uploads/", headers={**headers, **bearer(roles["translator"])}).status_code == 403
    client.force_login(roles["monitor"])  # a session is not a token here
    assert client.post("/api/uploads/", headers=headers).status_code == 401
    assert not Upload.objects.exists()


def test_a_complete_upload_is_ingested_and_the_job_followed(client, roles, settings):
    settings.CLIPDESK_BASE_URL = "https://clips.example"
    auth = bearer(roles["monitor"])
    url = send(client, auth)
    body = {
        "upload": url,
        "channel": "Al-Mayadeen",
        "aired_on": "2024-03-01",
        "start": "0:01",
        "translate": "none",
    }
    answer = client.post("/api/ingest/", json.dumps(body), content_type="application/json", headers=auth)
    assert answer.status_code == 201, answer.content
    job = IngestJob.objects.get()
    document = answer.json()
    assert (document["id"], document["status"], document["original_name"]) == (
        job.pk,
        "queued",
        "spk1_snt1.wav",
    )
    assert document["status_url"] == f"https://clips.example/api/ingest/{job.pk}"
    assert (job.channel.name, str(job.aired_on), job.start_ms, job.translate) == (
        "Al-Mayadeen",
        "2024-03-01",
        1000,
        "none",
    )
    assert not Upload.objects.exists()
    followed = client.get(f"/api/ingest/{job.pk}", headers=auth)
    assert (followed.status_code, followed.json()["status"]) == (200, "queued")
    assert client.get(f"/api/ingest/{job.pk}").status_code == 401


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({}, "'upload'"),
        ({"upload": "x", "aired_on": "yesterday"}, "Invalid isoformat"),
        ({"upload": "x", "start": "1:99"}, "not a time"),
        ({"upload": "/api/uploads/4b1c2a9e-0000-4000-8000-000000000000"}, "The uploaded file was not found"),
    ],
)
def test_a_bad_ingest_request_is_refused_with_the_reason(client, roles, body, said):
    answer = client.post(
        "/api/ingest/", json.dumps(body), content_type="application/json", headers=bearer(roles["monitor"])
    )
    assert answer.status_code == 400
    assert said in answer.json()["detail"]
    assert not IngestJob.objects.exists()
