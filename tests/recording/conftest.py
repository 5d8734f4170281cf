"""Fixtures for the recording tests: a live stream on loopback made from the samples, and a recorder
running in this process against it, with short segments, stalls and leases."""

import threading

import pytest

from clipdesk.recording.livestream import LiveStream
from clipdesk.recording.recorder import Options, Recorder
from operations.sites import make_site, migrated  # noqa: F401  clipdesk sites in processes, shared
from recording.streams import FAST


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    return settings


@pytest.fixture
def live():
    stream = LiveStream(1.0, window=4)
    yield stream
    stream.stalled.clear()
    stream.close()


class Running:
    """A recorder running in a thread of this process until the test ends."""

    def __init__(self, options: Options, tmp_path):
        self.recorder = Recorder(options, name="test-recorder", workdir=tmp_path / "work")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.recorder.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


@pytest.fixture
def recorder(tmp_path):
    running = []

    def start(options: Options = FAST) -> Running:
        running.append(Running(options, tmp_path))
        return running[-1]

    yield start
    for each in running:
        each.close()
