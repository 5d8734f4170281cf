"""Fixtures for the ingest tests: files in the test's own directories, quick retries, a queue with
no worker, and the speech samples."""

import os
from pathlib import Path

import pytest

from operations.sites import make_site, migrated  # noqa: F401  clipdesk sites in processes, shared

# Nothing may be downloaded: any hub access fails instead of hanging on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def ingest_settings(settings, tmp_path):
    """Stored files, scratch space and the search index under the test's directory; retries at once;
    the CLI runs a job itself after a fifth of a second without a worker."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    settings.CLIPDESK_INGEST_RETRY_SECONDS = 0
    settings.CLIPDESK_INGEST_WORKER_WAIT_SECONDS = 0.2
    return settings


@pytest.fixture
def queue_without_worker(jobs_run_in_process, monkeypatch):
    """The real queue API on Huey's in-memory storage, with nobody consuming it: messages wait there,
    as they do when no `clipdesk worker` runs (or the worker lost them)."""
    huey = jobs_run_in_process
    monkeypatch.setattr(huey, "_immediate", False)  # not the setter: it would switch to the site's queue
    huey.storage.flush_all()
    yield huey
    huey.storage.flush_all()


@pytest.fixture
def stored_files(ingest_settings):
    """Lists the files under MEDIA_ROOT: what an ingest stored."""

    def listing() -> list[Path]:
        root = Path(ingest_settings.MEDIA_ROOT)
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return listing
