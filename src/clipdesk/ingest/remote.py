"""`clipdesk ingest FILE --remote URL`: the recording goes to another clipdesk site in resumable parts
(tuspy, the tus client, to its /api/uploads/), then that site queues the job (/api/ingest/).

Each part is a short request; a part that fails is sent again (with a pause), and an upload cut off
altogether (the laptop closed, the command interrupted) resumes where it stopped when the same
command is run again: the upload's address is kept under the user's cache directory, keyed by the
site and the file's content, and forgotten once the upload is complete.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

import requests
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.fingerprint.fingerprint import Fingerprint
from tusclient.storage.filestorage import FileStorage
from tusclient.uploader import Uploader

PART_BYTES = 8 * 1024 * 1024
RETRIES = 10  # a part that fails is sent again this many times, RETRY_SECONDS apart
RETRY_SECONDS = 5
TIMEOUT = 60


class RemoteError(Exception):
    """The remote site refused or could not be reached; the message says what it answered."""


class _Kept:
    """The file being uploaded, left open when tuspy closes it (it opens the file again for every part
    and never closes those): `upload()` opens it once and closes it."""

    def __init__(self, handle):
        self.handle = handle

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self) -> None:
        pass


class _Uploader(Uploader):
    def get_file_stream(self):
        self.file_stream.seek(0)
        return _Kept(self.file_stream)


class SiteFingerprint(Fingerprint):
    """tuspy's fingerprint of the file's content, with the site: the same file sent to two sites is two uploads."""

    def __init__(self, site: str):
        self.site = site

    def get_fingerprint(self, fs):
        return f"{self.site} {super().get_fingerprint(fs)}"


def resume_store() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "clipdesk" / "uploads.json"


def _answer(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text.strip()}
    if response.status_code >= 400:
        raise RemoteError(f"{response.url} answered {response.status_code}: {body.get('detail', body)}")
    return body


def upload(
    path: Path,
    *,
    site: str,
    token: str,
    part_bytes: int = PART_BYTES,
    on_progress: Callable[[int, int], None] | None = None,
    store: Path | None = None,
    retry_seconds: float = RETRY_SECONDS,
) -> str:
    """Sends `path` to `site` in parts, resuming an earlier upload of the same file; returns its URL."""
    store = store or resume_store()
    store.parent.mkdir(parents=True, exist_ok=True)
    storage = FileStorage(str(store))
    client = tus_client.TusClient(f"{site}/api/uploads/", headers={"Authorization": f"Bearer {token}"})
    options = {
        "chunk_size": part_bytes,
        "metadata": {"filename": path.name},
        "retries": 0,  # retried here, where a refusal is told from a dropped connection
        "store_url": True,
        "url_storage": storage,
        "fingerprinter": SiteFingerprint(site),
    }
    handle = open(path, "rb")  # noqa: SIM115  closed below, whatever happens
    try:
        try:
            uploader = _Uploader(file_stream=handle, client=client, **options)
        except TusCommunicationError:  # the kept upload expired or was deleted there: begin again
            storage.remove_item(SiteFingerprint(site).get_fingerprint(handle))
            uploader = _Uploader(file_stream=handle, client=client, **options)
        total = uploader.get_file_size()
        if not uploader.url:
            uploader.set_url(uploader.create_url())
        while uploader.offset < total:
            _send_part(uploader, retry_seconds)
            if on_progress:
                on_progress(uploader.offset, total)
        storage.remove_item(uploader._get_fingerprint())
        return uploader.url
    except (TusCommunicationError, TusUploadFailed) as exc:
        detail = exc.response_content.decode("utf-8", "replace") if exc.response_content else str(exc)
        raise RemoteError(f"The upload to {site} stopped ({exc.status_code}): {detail.strip()}") from None
    except requests.RequestException as exc:
        raise RemoteError(f"{site} cannot be reached: {exc}. Run the command again to resume.") from None
    finally:
        storage.close()
        handle.close()


def _send_part(uploader, retry_seconds: float) -> None:
    """One part, sent again from where the site says it stands after a dropped connection or a server
    error (the site unreachable for a while included); a refusal (4xx: too long, not allowed) ends
    the upload at once."""
    for attempt in range(RETRIES + 1):
        try:
            if attempt:
                uploader.offset = uploader.get_offset()
            uploader.upload_chunk()
            return
        except TusUploadFailed as exc:
            refused = exc.status_code is not None and 400 <= exc.status_code < 500 and exc.status_code != 409
            if refused or attempt == RETRIES:
                raise
        except (TusCommunicationError, requests.RequestException):
            if attempt == RETRIES:
                raise
        time.sleep(retry_seconds)


def queue(site: str, token: str, upload_url: str, options: dict) -> dict:
    """Asks the site to ingest the complete upload; its job, as /api/ingest/<id> describes it."""
    response = requests.post(
        f"{site}/api/ingest/",
        json={"upload": upload_url, **{k: v for k, v in options.items() if v not in (None, "")}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT * 10,  # the site checks the whole file by its content before it answers
    )
    return _answer(response)


def follow(job: dict, token: str, on_change: Callable[[dict], None], poll: float = 1.0) -> dict:
    while job["status"] not in ("done", "failed"):
        time.sleep(poll)
        job = _answer(
            requests.get(job["status_url"], headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
        )
        on_change(job)
    return job
