"""The tus 1.0.0 server (core, creation, termination, expiration) at /staff/uploads/, asked as
tus-js-client asks it: parts appended in the media storage, offsets that only move once a part is
stored, limits checked from Upload-Length and from the first part's header, never at the end."""

import datetime as dt

import pytest
from django.core.files.storage import InMemoryStorage
from django.test import Client
from django.utils import timezone

from clipdesk.uploads import actions, store
from clipdesk.uploads.models import Upload
from uploads.conftest import make_wav
from uploads.protocol import TUS, create, patch, send


@pytest.fixture
def monitor(client, roles):
    client.force_login(roles["monitor"])
    return roles["monitor"]


def test_options_says_what_the_server_supports(client):
    answer = client.options("/staff/uploads/")
    assert answer.status_code == 204
    assert answer["Tus-Version"] == "1.0.0"
    assert answer["Tus-Extension"] == "creation,termination,expiration"
    assert int(answer["Tus-Max-Size"]) == actions.max_bytes()


@pytest.mark.django_db
def test_a_file_sent_in_parts_is_assembled_byte_for_byte_in_the_media_storage(client, monitor, recording):
    url = send(client, recording, part_size=100_000)
    upload = Upload.objects.get()
    assert url == f"/staff/uploads/{upload.pk}/"
    assert (upload.filename, upload.owner, upload.is_complete) == ("evening news.wav", monitor, True)
    assert upload.completed_at is not None
    assert upload.declared_duration == pytest.approx(20, abs=0.01)
    with store.local_copy(upload, "copy.wav") as path:
        assert path.read_bytes() == recording.read_bytes()
    head = client.head(url, headers=TUS)
    assert (head.status_code, head["Upload-Offset"], head["Upload-Length"]) == (
        200,
        *[str(upload.length)] * 2,
    )
    assert head["Cache-Control"] == "no-store" and head["Upload-Expires"]


@pytest.mark.django_db
def test_after_an_interruption_head_says_where_to_go_on_and_a_wrong_offset_is_refused(
    client, monitor, recording
):
    data = recording.read_bytes()
    url = create(client, len(data), filename="x.wav")["Location"]
    assert patch(client, url, 0, data[:50_000]).status_code == 204
    assert client.head(url, headers=TUS)["Upload-Offset"] == "50000"
    assert patch(client, url, 60_000, data[60_000:]).status_code == 409  # not where it stands
    assert patch(client, url, 50_000, data[50_000:]).status_code == 204
    with store.local_copy(Upload.objects.get(), "copy.wav") as path:
        assert path.read_bytes() == data


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_when_the_upload_is_created(client, monitor, settings):
    settings.CLIPDESK_MAX_UPLOAD_MB = 1
    answer = create(client, 2 * 2**20 + 1, filename="long.mp4")
    assert answer.status_code == 413
    assert "CLIPDESK_MAX_UPLOAD_MB" in answer.content.decode()
    assert not Upload.objects.exists()


@pytest.mark.django_db
def test_a_part_past_the_declared_length_is_refused(client, monitor):
    url = create(client, 10, filename="x.wav")["Location"]
    assert patch(client, url, 0, b"x" * 11).status_code == 413
    assert Upload.objects.get().offset == 0


@pytest.mark.django_db
def test_a_recording_over_the_duration_limit_is_stopped_at_its_first_part(
    client, monitor, settings, tmp_path, media_root
):
    settings.CLIPDESK_MAX_DURATION_MINUTES = 0.25  # 15 s
    long = make_wav(tmp_path / "long.wav", 20)
    data = long.read_bytes()
    url = create(client, len(data), filename="long.wav")["Location"]
    answer = patch(client, url, 0, data[:100_000])
    assert answer.status_code == 422
    assert "CLIPDESK_MAX_DURATION_MINUTES" in answer.content.decode()
    assert not Upload.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]  # nothing of it is kept


@pytest.mark.django_db
def test_termination_deletes_the_upload_and_its_bytes(client, monitor, recording, media_root):
    url = create(client, 1000, filename="x.wav")["Location"]
    patch(client, url, 0, b"x" * 500)
    assert client.delete(url, headers=TUS).status_code == 204
    assert client.head(url, headers=TUS).status_code == 404
    assert not [p for p in media_root.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_an_abandoned_upload_is_deleted_after_the_expiry(client, monitor, settings, media_root):
    settings.CLIPDESK_UPLOAD_EXPIRY_HOURS = 2
    url = create(client, 1000, filename="x.wav")["Location"]
    answer = patch(client, url, 0, b"x" * 500)
    expires = dt.datetime.strptime(answer["Upload-Expires"], "%a, %d %b %Y %H:%M:%S GMT")
    assert abs(expires.replace(tzinfo=dt.UTC) - (timezone.now() + dt.timedelta(hours=2))) < dt.timedelta(
        seconds=5
    )
    assert actions.delete_expired(timezone.now() + dt.timedelta(hours=1)) == 0
    assert actions.delete_expired(timezone.now() + dt.timedelta(hours=3)) == 1
    assert client.head(url, headers=TUS).status_code == 404
    assert not [p for p in media_root.rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_only_the_owner_with_the_ingest_permissions_may_use_an_upload(client, roles, recording):
    client.force_login(roles["monitor"])
    url = create(client, 1000, filename="x.wav")["Location"]
    client.force_login(roles["admin"])  # staff who may ingest, but not this upload's owner
    assert client.head(url, headers=TUS).status_code == 404
    assert patch(client, url, 0, b"x").status_code == 404
    client.force_login(roles["translator"])  # staff who may not add clips or media
    assert create(client, 1000).status_code == 403
    client.logout()
    assert create(client, 1000).status_code == 403


@pytest.mark.django_db
def test_requests_need_the_tus_version_the_content_type_and_the_csrf_token(roles, recording):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles["monitor"])
    assert client.post("/staff/uploads/", headers={**TUS, "Upload-Length": "10"}).status_code == 403
    client.get("/staff/ingest/")
    token = client.cookies["csrftoken"].value
    headers = {**TUS, "Upload-Length": "10", "X-CSRFToken": token}
    assert client.post("/staff/uploads/", headers={**headers, "Tus-Resumable": "0.2.2"}).status_code == 412
    url = client.post("/staff/uploads/", headers=headers)["Location"]
    wrong_type = client.generic(
        "PATCH", url, b"x", content_type="text/plain", headers={**headers, "Upload-Offset": "0"}
    )
    assert wrong_type.status_code == 415


@pytest.mark.django_db
def test_on_an_object_storage_each_part_is_an_object_joined_when_read(
    client, monitor, recording, monkeypatch
):
    """S3 cannot append: the parts are stored as objects named by their offsets (here in Django's
    in-memory storage, which like S3Storage has no local paths)."""
    objects = InMemoryStorage()
    monkeypatch.setattr(store, "default_storage", objects)
    send(client, recording, part_size=120_000)
    upload = Upload.objects.get()
    folder = f"uploads/partial/{upload.pk}.parts"
    assert sorted(objects.listdir(folder)[1]) == [f"{o:016d}" for o in (0, 120_000, 240_000)]
    assert upload.declared_duration == pytest.approx(20, abs=0.01)  # read from the first part
    with store.local_copy(upload, "copy.wav") as path:
        assert path.read_bytes() == recording.read_bytes()
    actions.terminate(upload, user=monitor)
    assert not any(objects.exists(f"{folder}/{o:016d}") for o in (0, 120_000, 240_000))


@pytest.mark.django_db
def test_the_hourly_task_deletes_the_expired_uploads(client, monitor, media_root):
    from huey.contrib.djhuey import HUEY

    from clipdesk.uploads.tasks import delete_expired_uploads

    create(client, 1000, filename="old.wav")
    kept = create(client, 1000, filename="new.wav")["Location"]
    Upload.objects.filter(filename="old.wav").update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert delete_expired_uploads.call_local() == 1
    assert list(Upload.objects.values_list("filename", flat=True)) == ["new.wav"]
    assert client.head(kept, headers=TUS).status_code == 200
    assert delete_expired_uploads.task_class in HUEY._registry._periodic_tasks  # run by the schedule
