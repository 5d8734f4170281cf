"""`clipdesk ingest FILE --remote URL --token T` against a real `clipdesk serve` (gunicorn's asyncio
workers): the file goes in resumable parts through tuspy, an upload cut off resumes where it stopped
(across a restart of the server) without sending again what had arrived, and the site queues the job."""

import hashlib
import re
import time
from pathlib import Path

import pytest

from clipdesk.ingest import remote
from operations.servers import stop_process, wait_until
from operations.sites import Served, Site
from support import free_port

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "audio" / "speechbrain-asr" / "spk1_snt1.wav"
PART = 16 * 1024


def staff_token(site: Site, role: str = "monitor") -> str:
    """A staff user in `role` and an API token of theirs."""
    return site.python(
        "from django.contrib.auth.models import Group, User\n"
        "from clipdesk.api.actions import create_token\n"
        f"user = User.objects.create_user({role!r}, is_staff=True)\n"
        f"user.groups.add(Group.objects.get(name={role!r}))\n"
        "print(create_token(user)[1])\n"
    ).strip()


def serve_on(site: Site, port: int, name: str):
    process = site.start(name, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1")
    served = Served.__new__(Served)
    served.port, served.process, served.site = port, process, site
    wait_until(served._answers, f"{name} to answer")
    return served


class Interrupt(Exception):
    """The command stopped (a closed laptop, ^C)."""


def test_an_upload_cut_off_resumes_after_a_server_restart_and_sends_nothing_twice(make_site, tmp_path):
    site = make_site()
    token = staff_token(site)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve_on(site, port, "serve1")
    store = tmp_path / "cache" / "uploads.json"
    total = SAMPLE.stat().st_size
    sent: list[int] = []

    def stop_after_three_parts(offset: int, size: int) -> None:
        sent.append(offset)
        if len(sent) == 3:
            raise Interrupt

    with pytest.raises(Interrupt):
        remote.upload(
            SAMPLE, site=base, token=token, part_bytes=PART, on_progress=stop_after_three_parts, store=store
        )
    assert sent == [PART, 2 * PART, 3 * PART]
    stop_process(server.process)
    server = serve_on(site, port, "serve2")  # the same site, restarted

    resumed: list[int] = []
    url = remote.upload(
        SAMPLE,
        site=base,
        token=token,
        part_bytes=PART,
        on_progress=lambda o, t: resumed.append(o),
        store=store,
    )
    assert resumed[0] == 4 * PART, "the upload began again instead of resuming"
    assert resumed[-1] == total and len(resumed) == -(-(total - 3 * PART) // PART)
    (upload_id,) = re.findall(r"/api/uploads/([0-9a-f-]{36})$", url)
    (stored,) = (site.var / "media" / "uploads" / "partial").iterdir()
    assert stored.name == upload_id
    assert hashlib.sha256(stored.read_bytes()).digest() == hashlib.sha256(SAMPLE.read_bytes()).digest()
    stop_process(server.process)


def test_clipdesk_ingest_remote_queues_the_job_on_the_site(make_site, tmp_path):
    site = make_site()
    token = staff_token(site)
    server = Served(site, workers=1)
    cli = Site(tmp_path / "laptop", XDG_CACHE_HOME=str(tmp_path / "cache"), CLIPDESK_API_TOKEN=token)
    (tmp_path / "laptop").mkdir()
    started = time.monotonic()
    done = cli.clipdesk(
        "ingest",
        str(SAMPLE),
        "--remote",
        f"http://127.0.0.1:{server.port}",
        "--part-mb",
        "0.02",
        "--channel",
        "Al-Mayadeen",
        "--translate",
        "none",
    )
    assert time.monotonic() - started < 120
    (pk,) = re.findall(r"^Job (\d+) queued: spk1_snt1\.wav", done.stdout, re.MULTILINE)
    [(status, channel, digest)] = site.rows(
        "SELECT j.status, c.name, j.original_sha256 FROM ingest_ingestjob j JOIN archive_channel c "
        "ON c.id = j.channel_id WHERE j.id = ?",
        int(pk),
    )
    assert (status, channel) == ("queued", "Al-Mayadeen")
    assert digest == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert site.rows("SELECT COUNT(*) FROM uploads_upload") == [(0,)]  # handed over and deleted
    assert not list((site.var / "media" / "uploads" / "partial").iterdir())


def test_without_a_valid_token_the_site_refuses_the_upload(make_site, tmp_path):
    site = make_site()
    server = Served(site, workers=1)
    with pytest.raises(remote.RemoteError, match="401"):
        remote.upload(
            SAMPLE, site=f"http://127.0.0.1:{server.port}", token="wrong", store=tmp_path / "u.json"
        )
