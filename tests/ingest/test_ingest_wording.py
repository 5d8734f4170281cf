"""What the ingest pages say in words: sizes as people write them, drafts by their number, timings as
sentences, and the options checked before a recording uploads."""

import pytest

from clipdesk.ingest import wording
from factories.archive import ClipFactory
from factories.ingest import IngestJobFactory

pytestmark = pytest.mark.django_db

URL = "/staff/ingest/"


@pytest.fixture
def monitor(client, roles):
    client.force_login(roles["monitor"])
    return roles["monitor"]


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (2048 * 2**20, "2 GB"),
        (1536 * 2**20, "1.5 GB"),
        (700 * 2**20, "700 MB"),
        (int(0.05 * 2**20), "51 KB"),
        (92_000, "90 KB"),
        (500, "500 bytes"),
        (1, "1 byte"),
    ],
)
def test_sizes(size, text):
    assert wording.size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (12.04, "took 12 s"),
        (0.42, "took 0.4 s"),
        (0.01, "took under 0.1 s"),
        (125, "took 2 min 5 s"),
        (3725, "took 1 h 2 min"),
    ],
)
def test_durations(seconds, text):
    assert wording.took(seconds) == text


@pytest.mark.parametrize(
    ("minutes", "text"), [(180.0, "3 hours"), (60, "1 hour"), (90, "90 minutes"), (1, "1 minute")]
)
def test_lengths(minutes, text):
    assert wording.length(minutes) == text


def test_timings_read_as_steps_in_order():
    rows = wording.timings(
        {"total": 30.2, "decode": 12.0, "model": 2.5, "audio_seconds": 61.0, "new_step": 1}
    )
    assert rows == [
        ("Loading the speech model", "took 2.5 s"),
        ("Transcription", "took 12 s"),
        ("New step", "took 1 s"),
        ("In all, for 01:01 of recording", "took 30 s"),
    ]


def test_pages_speak_in_words(client, monitor, settings):
    settings.CLIPDESK_MAX_UPLOAD_MB = 2048
    settings.CLIPDESK_MAX_DURATION_MINUTES = 180.0
    clip = ClipFactory()
    job = IngestJobFactory(
        status="done", progress=1.0, stage="store", clip=clip, timings={"decode": 12.04, "total": 14.0}
    )
    page = client.get(URL).content.decode()
    assert "Files up to 2 GB and 3 hours" in page and "2048" not in page
    assert f">Draft #{clip.pk}</a>" in page and f">id:{clip.pk}<" not in page
    page = client.get(f"{URL}{job.pk}/").content.decode()
    assert f"Open draft #{clip.pk} in the editor" in page
    assert "<dt>Transcription</dt><dd>took 12 s</dd>" in page and "<dt>decode</dt>" not in page
    assert "90 KB" in page  # the sample's size


def test_the_limit_is_said_in_words(client, monitor, settings):
    from pathlib import Path

    settings.CLIPDESK_MAX_UPLOAD_MB = 0.05
    sample = Path(__file__).resolve().parents[2] / "samples" / "audio" / "speechbrain-asr" / "spk1_snt1.wav"
    with open(sample, "rb") as handle:
        data = {"language": "auto", "translate": "whisper", "speakers": "auto", "file": handle}
        response = client.post(URL, data)
    assert "The file is over the upload limit of 51 KB" in response.content.decode()


def test_the_options_are_checked_without_the_recording(client, monitor):
    from clipdesk.ingest.models import IngestJob

    options = {"language": "auto", "translate": "none", "speakers": "auto", "check": "1"}
    assert client.post(URL, options).json() == {"ok": True, "errors": {}}
    bad = client.post(URL, {**options, "language": "klingon", "start": "1:99", "end": ""})
    assert bad.status_code == 200 and bad.json()["ok"] is False
    errors = bad.json()["errors"]
    assert set(errors) == {"language", "start"}
    assert "Whisper does not know the language 'klingon'" in errors["language"][0]
    backwards = client.post(URL, {**options, "start": "1:00", "end": "0:30"}).json()["errors"]
    assert backwards == {"end": ["The cut must end after it starts."]}
    assert not IngestJob.objects.exists()


def test_channel_and_language_are_choices_with_search(client, monitor):
    """Both fields offer what there is to choose (a datalist the browser filters as one types), and
    still take a new channel's name."""
    from bs4 import BeautifulSoup

    from factories.archive import ChannelFactory

    ChannelFactory(name="Al-Manar TV")
    page = BeautifulSoup(client.get(URL).content, "html.parser")
    language = page.select_one("input[name=language]")
    channel = page.select_one("input[name=channel]")
    languages = {o["value"]: o["label"] for o in page.select(f"datalist#{language['list']} option")}
    assert languages["auto"] == "Identify it"
    assert languages["ar"] == "Arabic" and languages["fa"] == "Persian" and languages["tr"] == "Turkish"
    assert "Al-Manar TV" in [o["value"] for o in page.select(f"datalist#{channel['list']} option")]
