"""The waveform's peaks: computed with PyAV once per media file, stored with it, served to staff."""

import math
import struct
import wave

import pytest

from clipdesk.media import actions, waveform
from clipdesk.media.actions import attach_media
from clipdesk.media.models import MediaAsset
from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db


def quiet_then_loud(path, rate=16000):
    """One second of silence, then one second of a loud tone."""
    samples = [0] * rate + [int(20000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(rate)]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path


@pytest.fixture
def asset(tmp_path, media_root):
    return attach_media(ClipFactory(), quiet_then_loud(tmp_path / "tone.wav"), user=None)


def test_peaks_follow_the_sound(asset):
    peaks = waveform.compute_peaks(asset.file)
    per_bucket = waveform.PER_SECOND
    assert len(peaks) == pytest.approx(2 * per_bucket, abs=1)
    assert max(peaks[: per_bucket - 1]) == 0  # the silence
    assert min(peaks[per_bucket + 1 : 2 * per_bucket - 1]) > 150  # 20000 of 32767 is 61%: 155 of 255
    assert max(peaks) <= 255


def test_peaks_are_computed_once_and_stored(asset, monkeypatch):
    calls = []
    real = waveform.compute_peaks
    monkeypatch.setattr(waveform, "compute_peaks", lambda file: calls.append(1) or real(file))
    first = actions.ensure_peaks(asset)
    again = actions.ensure_peaks(MediaAsset.objects.get(pk=asset.pk))
    assert first == again and len(calls) == 1
    assert MediaAsset.objects.get(pk=asset.pk).peaks == first


def test_staff_read_the_peaks_readers_do_not(client, asset, roles):
    url = f"/staff/media/{asset.pk}/peaks.json"
    client.force_login(roles["translator"])
    data = client.get(url).json()
    assert data["per_second"] == waveform.PER_SECOND and len(data["peaks"]) >= 2 * waveform.PER_SECOND - 1
    assert client.get("/staff/media/999999/peaks.json").status_code == 404
    client.force_login(roles["reader"])
    assert client.get(url).status_code in (302, 403)


def test_a_video_has_the_peaks_of_its_sound(tmp_path, media_root):
    from factories.media import make_video

    asset = attach_media(ClipFactory(), make_video(tmp_path / "v.mp4", seconds=1), user=None)
    assert len(actions.ensure_peaks(asset)) == pytest.approx(waveform.PER_SECOND, abs=1)
