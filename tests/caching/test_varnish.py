"""A real Varnish (deploy/varnish/clipdesk.vcl, with its xkey module) in front of a real `clipdesk serve`:
pages are served from Varnish, and a correction or a withdrawal committed in another process purges
them at once, so the next read through Varnish shows it. Prints how long each purge took."""

import http.client
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from operations.servers import stop_process, wait_until
from operations.sites import Served
from support import free_port

VCL = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "clipdesk.vcl"

SETUP = """
from clipdesk.archive import actions
from clipdesk.archive.models import Clip
from clipdesk.transcripts.models import Segment
channel = actions.get_or_create_channel(user=None, name="Al-Manar TV", country="Lebanon")
clip = actions.create_clip(user=None, title="Talks about the elections", channel=channel)
Segment.objects.create(clip=clip, position=0, english_text="The vote is on Sunday.", english_origin="human")
print(actions.publish_clip(clip, user=None, number=8891).get_absolute_url())
"""

# Run in a process of its own, as staff would through the site; prints the purger's log lines.
LOGGED = """
import logging, sys
handler = logging.StreamHandler(sys.stdout)
logging.getLogger("clipdesk.caching").addHandler(handler)
logging.getLogger("clipdesk.caching").setLevel(logging.INFO)
from clipdesk.archive import actions
from clipdesk.archive.models import Clip
from clipdesk.transcripts import actions as transcripts
clip = Clip.objects.get(number=8891)
"""

CORRECT = (
    LOGGED
    + """
line = clip.segments.get(position=0)
transcripts.edit_segment(line.pk, user=None, version=line.version, english_text="The vote is next Sunday.")
revision = transcripts.pending_revision(clip, None)
transcripts.publish_correction(revision, user=None, note="The date.")
"""
)

WITHDRAW = LOGGED + 'actions.withdraw_clip(clip, user=None, reason="Misattributed.")\n'


class Varnish:
    def __init__(self, workdir: Path, port: int, backend_port: int):
        if shutil.which("varnishd") is None:
            pytest.fail("varnishd is missing: apt-get install varnish varnish-modules (.ci/run does)")
        self.port = port
        vcl = workdir / "clipdesk.vcl"
        # The committed VCL, pointed at this test's clipdesk.
        text = VCL.read_text()
        assert '.port = "8000";' in text
        vcl.write_text(text.replace('.port = "8000";', f'.port = "{backend_port}";'))
        vcl.chmod(0o644)
        self.log = open(workdir / "varnishd.log", "w")  # noqa: SIM115  closed by stop()
        self.process = subprocess.Popen(
            [
                "varnishd",
                "-n",
                str(workdir / "state"),
                "-F",
                "-a",
                f"127.0.0.1:{self.port}",
                "-f",
                str(vcl),
                "-s",
                "malloc,32m",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._answers, "varnishd to answer")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"varnishd exited: {Path(self.log.name).read_text()}")
        try:
            self.request("GET", "/healthz")
        except OSError:
            return False
        return True

    def request(self, method: str, path: str, **headers: str) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


@pytest.fixture
def front(make_site):
    varnish_port = free_port()
    site = make_site(
        CLIPDESK_PURGER="clipdesk.caching.purgers.VarnishPurger",
        CLIPDESK_VARNISH_URLS=f"http://127.0.0.1:{varnish_port}",
    )
    site.env["DATABASE_URL"] = f"sqlite:///{site.var / 'clipdesk.sqlite3'}"
    url = site.python(SETUP).strip().splitlines()[-1]
    served = Served(site)
    # Varnish reads its VCL and keeps its state as its own unprivileged user: a directory it may read.
    workdir = Path(tempfile.mkdtemp(prefix="clipdesk-varnish-"))
    workdir.chmod(0o755)
    varnish = None
    try:
        varnish = Varnish(workdir, varnish_port, served.port)
        yield site, varnish, url
    finally:
        if varnish is not None:
            varnish.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _purge_times(output: str) -> list[float]:
    return [float(ms) for ms in re.findall(r"purged .* in ([0-9.]+) ms", output)]


def test_pages_come_from_varnish_until_a_correction_or_withdrawal_purges_them(front):
    site, varnish, url = front
    pages = [url, "/clips/", "/feeds/clips.rss", "/clips/8891/transcript.txt", "/channels/"]
    for path in pages:
        varnish.request("GET", path)
        status, headers, _ = varnish.request("GET", path, Cookie="csrftoken=x; _ga=tracker")
        assert status == 200 and headers["x-cache"] == "hit", (path, headers)
        assert "xkey" not in headers and headers["surrogate-key"]

    corrected = site.python(CORRECT)
    status, headers, body = varnish.request("GET", url)
    assert status == 200 and "The vote is next Sunday." in body and headers["x-cache"] == "miss"
    assert "next Sunday" in varnish.request("GET", pages[3])[2]
    assert varnish.request("GET", "/channels/")[1]["x-cache"] == "hit"  # it does not show the clip

    withdrawn = site.python(WITHDRAW)
    status, headers, body = varnish.request("GET", url)
    assert status == 410 and "Misattributed." in body
    assert "Talks about the elections" not in varnish.request("GET", "/clips/")[2]
    assert "Talks about the elections" not in varnish.request("GET", "/feeds/clips.rss")[2]

    times = _purge_times(corrected) + _purge_times(withdrawn)
    assert times, corrected + withdrawn
    print(f"\npurge through Varnish after commit: {', '.join(f'{t:.1f} ms' for t in times)}")


def test_staff_and_other_methods_pass_through_and_only_loopback_may_purge(front):
    _, varnish, url = front
    varnish.request("GET", url)
    assert varnish.request("GET", url)[1]["x-cache"] == "hit"
    status, headers, _ = varnish.request("GET", url, Cookie="sessionid=not-a-session")
    assert headers["x-cache"] == "miss"  # never from the shared copy
    status, _, body = varnish.request("PURGE", "/", **{"xkey-purge": "clip-8891"})
    assert status == 200 and "Purged 1" in body
    assert varnish.request("GET", url)[1]["x-cache"] == "miss"
