"""Media in an S3-compatible bucket: a real moto server on loopback, real media files.

Each test switches the default storage to django-storages' S3Storage, configured by the settings'
own `media_storage("s3")` from the environment, and then works through clipdesk as a site would:
attach, serve with Range, verify-media, backup and restore, ingest. What is in the bucket is read
back with boto3, beside clipdesk, never through it.
"""

import hashlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.core.management import call_command

from clipdesk.archive import actions
from clipdesk.media.actions import attach_media
from clipdesk.media.models import MediaAsset
from clipdesk.operations import checks
from clipdesk.operations.manifest import read_manifest
from clipdesk.pipeline.media import extract_poster
from clipdesk.settings import media_storage
from factories.archive import ClipFactory
from factories.media import make_video
from operations.test_verify_media import verify
from support import free_port

REGION = "eu-central-1"
KEYS = {"AWS_ACCESS_KEY_ID": "clipdesk-test", "AWS_SECRET_ACCESS_KEY": "clipdesk-test-secret"}
SHORT_SPEECH = Path(__file__).resolve().parents[2] / "samples" / "audio" / "speechbrain-asr" / "spk1_snt1.wav"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the server and the bucket -----------------------------------------------------------------------


def _moto_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "moto.server"]
    return [*command, "-H", "127.0.0.1", "-p", str(port)]


def _wait_until_answering(server: subprocess.Popen, endpoint: str, log: Path) -> None:
    deadline = time.monotonic() + 60  # a generous bound on start-up, on a machine shared with others
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"moto_server exited with status {server.returncode} before answering; these tests need it "
                f"(pip install -e '.[test]' installs moto[server]). Its output:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # an HTTP answer of any status: the server is up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(
        f"moto_server did not answer at {endpoint} within 60 s. Its output:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory):
    """A moto S3 server on a free loopback port, for this module's tests; stopped at the end."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(_moto_command(port), stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_answering(server, endpoint, log)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Bucket:
    """A bucket on the moto server, read and written with boto3 directly, past clipdesk."""

    name: str
    client: object

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=data)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=key)

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return sorted(item["Key"] for item in listed)


@pytest.fixture
def bucket(moto_endpoint, settings, monkeypatch, tmp_path) -> Bucket:
    """A new bucket, and the site's media storage switched to it the way CLIPDESK_MEDIA_STORAGE=s3 does.

    Assigning STORAGES sends setting_changed, which empties Django's storage cache, so every storage
    made from here on (default_storage included) is the S3 one; the fixture's undo restores the disk.
    """
    name = f"clipdesk-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    environment = {
        **KEYS,
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": moto_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty: nothing may land on the disk
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("s3")}
    assert type(storages["default"]).__name__ == "S3Storage"
    return Bucket(name, client)


@pytest.fixture
def video(tmp_path) -> Path:
    return make_video(tmp_path / "interview.mp4", seconds=3)


@pytest.fixture
def poster(tmp_path, video) -> Path:
    return extract_poster(video, tmp_path / "interview-poster.jpg", at_seconds=1.0)


def nothing_on_disk(media_root: Path) -> bool:
    return not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


# -- attaching and serving ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_attached_media_and_poster_are_stored_in_the_bucket(bucket, video, poster, settings):
    asset = attach_media(ClipFactory(), video, user=None, source="satellite feed", poster=poster)
    assert bucket.keys() == sorted([asset.file.name, asset.poster.name])
    stored = bucket.read(asset.file.name)
    assert stored == video.read_bytes()
    assert sha256(stored) == asset.sha256 == sha256(video.read_bytes())
    assert asset.file.name.startswith(f"clips/{asset.sha256[:2]}/{asset.sha256}/")
    assert bucket.read(asset.poster.name) == poster.read_bytes()
    assert nothing_on_disk(settings.MEDIA_ROOT)


@pytest.mark.django_db
def test_the_same_bytes_attached_twice_get_two_objects(bucket, video):
    """Objects are never overwritten, so removing one asset's file cannot take another's."""
    first = attach_media(ClipFactory(), video, user=None)
    second = attach_media(ClipFactory(), video, user=None)
    assert first.file.name != second.file.name
    assert bucket.keys() == sorted([first.file.name, second.file.name])


def _record_object_reads(storage) -> list[dict]:
    """The parameters of every GetObject the storage's client sends from now on."""
    calls: list[dict] = []
    events = storage.connection.meta.client.meta.events
    events.register("provide-client-params.s3.GetObject", lambda params, **kwargs: calls.append(dict(params)))
    return calls


@pytest.mark.django_db
def test_a_published_clip_answers_a_range_with_exactly_those_bytes_from_the_bucket(bucket, client, video):
    clip = actions.publish_clip(ClipFactory(), user=None)
    asset = attach_media(clip, video, user=None)
    data = bucket.read(asset.file.name)
    url = asset.get_absolute_url()
    reads = _record_object_reads(storages["default"])

    part = client.get(url, HTTP_RANGE="bytes=100-1099")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert part["Content-Length"] == "1000"
    assert b"".join(part.streaming_content) == data[100:1100]
    # Only those bytes were asked of the bucket, not the whole object.
    assert [call.get("Range") for call in reads] == ["bytes=100-1099"]

    tail = client.get(url, HTTP_RANGE="bytes=-500")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == data[-500:]
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Length"] == str(len(data))
    assert b"".join(whole.streaming_content) == data
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"


@pytest.mark.django_db
def test_media_gone_from_the_bucket_is_not_found(bucket, client, video):
    asset = attach_media(actions.publish_clip(ClipFactory(), user=None), video, user=None)
    bucket.delete(asset.file.name)
    assert client.get(asset.get_absolute_url(), HTTP_RANGE="bytes=0-9").status_code == 404


# -- verify-media, backup and restore ----------------------------------------------------------------


@pytest.mark.django_db
def test_verify_media_reads_the_bucket_and_finds_an_object_altered_there(bucket, video, poster, capsys):
    asset = attach_media(ClipFactory(), video, user=None, poster=poster)
    out, error = verify(capsys)
    assert error is None and "all present and intact" in out

    data = bytearray(bucket.read(asset.file.name))
    data[len(data) // 2] ^= 0x01  # one bit, same size
    bucket.write(asset.file.name, bytes(data))
    out, error = verify(capsys)
    assert error is not None and "1 failed" in error
    assert f"{asset.file.name}: altered (SHA-256 {sha256(bytes(data))}, recorded {asset.sha256})" in out

    bucket.delete(asset.poster.name)
    out, error = verify(capsys)
    assert "2 failed" in error and f"{asset.poster.name}: missing poster" in out


@pytest.mark.django_db(transaction=True)  # restoring replaces the whole database
def test_backup_copies_the_bucket_and_restore_writes_it_back(bucket, video, poster, tmp_path, settings):
    asset = attach_media(ClipFactory(title="Kept in the backup"), video, user=None, poster=poster)
    names = [asset.file.name, asset.poster.name]
    originals = {name: bucket.read(name) for name in names}
    dest = tmp_path / "backup"
    call_command("backup", str(dest), verbosity=0)

    manifest = read_manifest(dest)
    listed = {entry.path: entry for entry in manifest.media_files}
    assert sorted(listed) == sorted(f"media/{name}" for name in names)
    assert not manifest.missing_media
    for name, data in originals.items():
        entry = listed[f"media/{name}"]
        assert (entry.size, entry.sha256) == (len(data), sha256(data))
        assert (dest / entry.path).read_bytes() == data
    assert listed[f"media/{asset.file.name}"].sha256 == asset.sha256

    bucket.delete(asset.file.name)
    bucket.write(asset.poster.name, b"not the poster any more")
    call_command("restore", str(dest), "--force", verbosity=0)
    assert {name: bucket.read(name) for name in names} == originals
    assert bucket.keys() == sorted(names)
    assert MediaAsset.objects.get().file.name == asset.file.name
    assert nothing_on_disk(settings.MEDIA_ROOT)


# -- ingest --------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the worker's progress thread must see the job row
def test_an_ingest_job_reads_its_original_from_the_bucket_and_stores_its_results_there(
    bucket, settings, tmp_path, monkeypatch
):
    from clipdesk.ingest.actions import create_ingest_job

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the bundled model only: nothing is downloaded
    settings.VAR_DIR = tmp_path / "var"
    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    job = create_ingest_job(SHORT_SPEECH, user=None, translate="none")  # runs at once, as a worker would
    job.refresh_from_db()
    assert job.status == "done", job.error
    asset = job.clip.media.get()
    assert bucket.keys() == sorted([job.original.name, asset.file.name, asset.poster.name])
    assert sha256(bucket.read(job.original.name)) == job.original_sha256 == sha256(SHORT_SPEECH.read_bytes())
    assert sha256(bucket.read(asset.file.name)) == asset.sha256
    assert bucket.read(asset.poster.name).startswith(b"\xff\xd8")  # a JPEG
    assert job.clip.segments.exists()
    # The local copy of the original, and everything made from it, was scratch: none of it is left.
    work = Path(settings.VAR_DIR) / "ingest-work"
    assert not work.exists() or not any(work.rglob("*"))
    assert nothing_on_disk(settings.MEDIA_ROOT)


# -- settings and the system check ---------------------------------------------------------------------


def test_an_unknown_media_storage_fails_fast():
    with pytest.raises(
        ImproperlyConfigured, match="CLIPDESK_MEDIA_STORAGE must be 'filesystem' or 's3', not 'nfs'"
    ):
        media_storage("nfs")


def test_s3_without_a_bucket_is_an_error(settings, monkeypatch):
    monkeypatch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("s3")}
    (error,) = checks.check_media_bucket(None)
    assert error.id == "clipdesk.E050"
    assert "AWS_STORAGE_BUCKET_NAME" in error.hint

    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "clipdesk-media")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("s3")}
    assert checks.check_media_bucket(None) == []


def test_media_on_disk_needs_no_bucket():
    assert checks.check_media_bucket(None) == []


def test_clipdesk_check_stops_on_s3_without_a_bucket_and_on_an_unknown_storage(tmp_path):
    """From the environment through the settings to the check, as every command runs it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "CLIPDESK_MEDIA"))}
    env.update({"CLIPDESK_VAR_DIR": str(tmp_path / "var"), "CLIPDESK_MEDIA_STORAGE": "s3"})
    clipdesk = str(Path(sys.executable).with_name("clipdesk"))
    done = subprocess.run(
        [clipdesk, "check"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1
    assert "(clipdesk.E050) Media is stored in S3 (CLIPDESK_MEDIA_STORAGE=s3) but no bucket is named." in (
        done.stderr
    )

    env["CLIPDESK_MEDIA_STORAGE"] = "nfs"
    done = subprocess.run(
        [clipdesk, "check"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode != 0
    assert "CLIPDESK_MEDIA_STORAGE must be 'filesystem' or 's3', not 'nfs'" in done.stderr
