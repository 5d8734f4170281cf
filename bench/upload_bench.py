"""Upload benchmark: a large generated recording sent to `clipdesk serve` over a slow link, resumable
(tus, in parts, as `clipdesk ingest --remote` sends it) with the link cut halfway, beside a plain
upload of the same file in one request over the same link in the same run.

    python bench/upload_bench.py                 # a 256 MB recording at 200 Mbit/s
    python bench/upload_bench.py --gb1           # 1 GB, as the issue measures it
    python bench/upload_bench.py --mbit 50 --outage 5

What it does, in one run:

1. Generates a WAV recording of the chosen size (a tone; its content does not matter here).
2. Serves a throwaway site with `clipdesk serve` (its default workers) and makes a staff user with an
   API token.
3. Puts a bandwidth-limited TCP proxy on loopback in front of it (a token bucket shared by every
   connection, counting the bytes sent to the server), and uploads through it:
   - plain: the whole file in one request (tus with a single part: the same server path);
   - resumable: 8 MB parts (the uploader's default), uninterrupted;
   - resumable, interrupted: the proxy cuts every connection when half the file has gone through and
     refuses connections for `--outage` seconds; the client retries from the offset the server reports.
4. Prints each upload's time, and the bytes sent to the server beyond the file's size: request headers,
   and whatever had to be sent twice (the goal: nothing but the part in flight when the link was cut).

Nothing here is part of the test suite; `make bench` runs it with the defaults.
"""

import argparse
import asyncio
import math
import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import serving

sys.path.insert(0, str(serving.ROOT / "src"))
from clipdesk.ingest import remote

PART = remote.PART_BYTES
TOKEN_SCRIPT = """
import django; django.setup()
from django.contrib.auth.models import Group, User
from clipdesk.api.actions import create_token
user = User.objects.create_user("bench", is_staff=True)
user.groups.add(Group.objects.get(name="monitor"))
print(create_token(user)[1])
"""


def make_recording(path: Path, size: int) -> Path:
    """A mono 16-bit 48 kHz WAV of `size` bytes: a tone, written a block at a time."""
    rate = 48000
    frames = (size - 44) // 2
    block = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(rate)
    )
    with open(path, "wb") as out:
        out.write(b"RIFF" + struct.pack("<I", 36 + frames * 2) + b"WAVEfmt ")
        out.write(struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16))
        out.write(b"data" + struct.pack("<I", frames * 2))
        left = frames * 2
        while left:
            piece = block[: min(left, len(block))]
            out.write(piece)
            left -= len(piece)
    return path


class ThrottledProxy:
    """A TCP proxy on loopback whose client-to-server direction is limited to `rate` bytes a second
    (shared by all connections). `cut_at(n)`: when n bytes have gone up, every connection is cut and
    new ones are refused for `outage` seconds."""

    def __init__(self, target_port: int, rate: float, outage: float):
        self.target_port = target_port
        self.rate = rate
        self.outage = outage
        self.sent = 0
        self.cut_after: int | None = None
        self.refuse_until = 0.0
        self.writers: set[asyncio.StreamWriter] = set()
        self._next = 0.0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def reset(self, cut_at: int | None = None) -> None:
        self.sent, self.cut_after = 0, cut_at

    async def _serve(self, reader, writer) -> None:
        if time.monotonic() < self.refuse_until:
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer, throttled=True), self._pipe(up_reader, writer))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for w in (writer, up_writer):
                self.writers.discard(w)
                w.transport.abort()

    async def _pipe(self, reader, writer, throttled: bool = False) -> None:
        while data := await reader.read(64 * 1024):
            if throttled:
                now = time.monotonic()
                self._next = max(self._next, now) + len(data) / self.rate
                await asyncio.sleep(self._next - now)
                self.sent += len(data)
                if self.cut_after is not None and self.sent >= self.cut_after:
                    self.cut_after = None
                    self.refuse_until = time.monotonic() + self.outage
                    for w in list(self.writers):
                        w.transport.abort()
                    return
            writer.write(data)
            await writer.drain()
        writer.close()


def timed_upload(proxy: ThrottledProxy, path: Path, token: str, part: int, store: Path, cut_at=None):
    proxy.reset(cut_at)
    store.unlink(missing_ok=True)
    started = time.perf_counter()
    remote.upload(
        path,
        site=f"http://127.0.0.1:{proxy.port}",
        token=token,
        part_bytes=part,
        store=store,
        retry_seconds=0.5,
    )
    return time.perf_counter() - started, proxy.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=256, help="the recording's size in MB (default 256)")
    parser.add_argument("--gb1", action="store_true", help="a 1 GB recording (overrides --mb)")
    parser.add_argument(
        "--mbit", type=float, default=200, help="the link's bandwidth in Mbit/s (default 200)"
    )
    parser.add_argument("--outage", type=float, default=3, help="seconds the link stays down (default 3)")
    args = parser.parse_args()
    size = (1024 if args.gb1 else args.mb) * 2**20
    rate = args.mbit * 1e6 / 8

    site = serving.Site("clipdesk-upload-bench-")
    site.env["CLIPDESK_MAX_UPLOAD_MB"] = str(size // 2**20 + 16)
    site.env["CLIPDESK_MAX_DURATION_MINUTES"] = "100000"
    try:
        site.clipdesk("migrate", "--no-input", "-v", "0")
        token = subprocess.run(
            [sys.executable, "-c", TOKEN_SCRIPT], env=site.env, check=True, capture_output=True, text=True
        ).stdout.strip()
        recording = make_recording(site.work / "recording.wav", size)
        store = site.work / "resume.json"
        print(
            f"clipdesk upload benchmark: a {size / 2**20:,.0f} MB WAV over loopback limited to {args.mbit:g} Mbit/s, "
            f"{os.cpu_count()} CPUs; the interrupted upload loses the link for {args.outage:g} s halfway"
        )
        with site.serve(1) as base:
            proxy = ThrottledProxy(int(base.rsplit(":", 1)[1]), rate, args.outage)
            runs = {
                "plain (one request)": timed_upload(proxy, recording, token, size, store),
                f"resumable, {PART // 2**20} MB parts": timed_upload(proxy, recording, token, PART, store),
                "resumable, link cut halfway": timed_upload(
                    proxy, recording, token, PART, store, size // 2 + PART // 3
                ),
            }
        plain = runs["plain (one request)"][0]
        ideal = size / rate
        print(f"  the link's own time for the file: {ideal:.1f} s")
        for name, (seconds, sent) in runs.items():
            extra = sent - size
            print(
                f"  {name:<32} {seconds:7.1f} s  {seconds / plain:5.2f}x plain   "
                f"sent {sent / 2**20:9.1f} MB, {extra / 2**20:+7.2f} MB beyond the file"
                + (f" ({extra / PART:.2f} parts)" if "cut" in name else "")
            )
        print(f"  (the interrupted run includes the {args.outage:g} s the link was down)")
    finally:
        site.remove()


if __name__ == "__main__":
    main()
