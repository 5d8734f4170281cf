"""Fixtures for the live transcription tests: stored files in the test's directory, short windows."""

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be downloaded


@pytest.fixture(autouse=True)
def live_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    settings.CLIPDESK_LIVE_WINDOW_SECONDS = 12
    settings.CLIPDESK_LIVE_MAX_WINDOW_SECONDS = 24
    settings.CLIPDESK_LIVE_OVERLAP_SECONDS = 1
    settings.CLIPDESK_LIVE_LAG_ALERT_SECONDS = 3600
    return settings
