"""Recorder benchmark: `clipdesk recorder` against a bare PyAV remux, on the same streams, in one run.

    python bench/recorder_bench.py                    # 8 channels, 36 s measured in each run
    python bench/recorder_bench.py --channels 20 --seconds 40

What it does:

1. Generates, before anything is measured, a minute of 720p25 H.264 at about 2.5 Mbit/s with AAC
   speech (the repository's samples) and cuts it into 6-second MPEG-TS segments with PyAV.
2. Serves them from a loopback HTTP server in this process as N live HLS channels (a sliding window
   with program date-times; every channel plays the same files, so the disk cache serves them all).
3. Runs `clipdesk recorder` in a process of its own on a fresh SQLite site under a temporary
   directory, recording the N channels for the measured time, then stops it and counts the segments
   stored and the gaps recorded.
4. Runs the peer in a process of its own: per channel a thread that polls the same playlist and remuxes
   each new segment with PyAV into an MPEG-TS file, with nothing else (no database, no storage, no
   checks). The same time, the same channels.

It prints, for both, the CPU seconds per channel per minute of stream, the peak memory per channel,
and the ratio of the two CPU costs; and the channels one core would record at that cost (CPU fraction
per channel, inverted). Goals: the recorder at most 1.5x the bare remux's CPU, and 50 channels a core.
Both processes' CPU is read from the kernel (/proc), from 12 s after each starts to the end of its run,
so that Python's and Django's start-up is not counted as the cost of recording.
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SEGMENT = 6.0


def generate(folder: Path, seconds: int = 60) -> list[Path]:
    """The stream: 720p25 H.264 (about 2.5 Mbit/s, a key frame per segment) and AAC, as 6 s segments."""
    from clipdesk.recording.livestream import RATE, speech

    voice = speech()
    paths = []
    for index in range(int(seconds / SEGMENT)):
        buffer = io.BytesIO()
        with av.open(buffer, "w", format="mpegts") as out:
            video = out.add_stream("libx264", rate=25)
            video.width, video.height, video.pix_fmt = 1280, 720, "yuv420p"
            video.bit_rate = 2_500_000
            video.options = {"preset": "ultrafast", "g": str(int(SEGMENT * 25)), "nal-hrd": "cbr"}
            audio = out.add_stream("aac", rate=RATE)
            audio.layout = "mono"
            rng = np.random.default_rng(index)
            for i in range(int(SEGMENT * 25)):
                # Moving noise over a gradient: pictures that cost bits, as broadcast pictures do.
                image = np.empty((720, 1280, 3), dtype=np.uint8)
                image[:] = np.linspace(0, 255, 1280, dtype=np.uint8)[None, :, None]
                image[::4, ::4] = rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = int(index * SEGMENT * 25) + i
                frame.time_base = Fraction(1, 25)
                out.mux(video.encode(frame))
            out.mux(video.encode())
            first = int(index * SEGMENT * RATE)
            pcm = np.take(voice, np.arange(first, first + int(SEGMENT * RATE)), mode="wrap")
            for at in range(0, len(pcm), 1024):
                frame = av.AudioFrame.from_ndarray(
                    pcm[at : at + 1024].reshape(1, -1), format="flt", layout="mono"
                )
                frame.sample_rate, frame.pts, frame.time_base = RATE, first + at, Fraction(1, RATE)
                out.mux(audio.encode(frame))
            out.mux(audio.encode())
        path = folder / f"seg-{index}.ts"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths


class Clock:
    """When the channels went live: restarted before each measured run, so no run reaches the end of
    the generated minute (its timestamps would jump back to the start there)."""

    started = time.time()

    @classmethod
    def restart(cls) -> None:
        cls.started = time.time()


def serve(paths: list[Path]) -> str:
    """N channels at http://127.0.0.1:PORT/cN/index.m3u8, live from now on, over the same files."""
    from datetime import UTC, datetime
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    data = [p.read_bytes() for p in paths]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            started = Clock.started
            newest = int((time.time() - started) / SEGMENT)
            name = self.path.rsplit("/", 1)[-1]
            if name == "index.m3u8":
                oldest = max(0, newest - 3)
                lines = [
                    "#EXTM3U",
                    "#EXT-X-VERSION:3",
                    f"#EXT-X-TARGETDURATION:{int(SEGMENT)}",
                    f"#EXT-X-MEDIA-SEQUENCE:{oldest}",
                ]
                for k in range(oldest, newest + 1):
                    aired = datetime.fromtimestamp(started + k * SEGMENT - SEGMENT, UTC).isoformat(
                        timespec="milliseconds"
                    )
                    lines += [
                        f"#EXT-X-PROGRAM-DATE-TIME:{aired.replace('+00:00', 'Z')}",
                        f"#EXTINF:{SEGMENT:.3f},",
                        f"s{k}.ts",
                    ]
                body = ("\n".join(lines) + "\n").encode()
            elif name.startswith("s") and name.endswith(".ts"):
                body = data[int(name[1:-3]) % len(data)]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU so far, all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(command: list[str], env: dict, seconds: float, warmup: float = 12.0) -> tuple[float, int]:
    """Runs `command`; returns the CPU seconds it spends in `seconds` after `warmup` (its start-up,
    Django's included, is not what a channel costs) and its peak memory (bytes)."""
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(warmup)
    before = cpu_seconds(process.pid)
    time.sleep(seconds)
    spent = cpu_seconds(process.pid) - before
    process.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return spent, usage.ru_maxrss * 1024


def peer(base: str, channels: int) -> None:
    """The bare remux: poll each playlist, remux each new segment with PyAV to a file, nothing else."""
    import urllib.request

    import m3u8

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    out_dir = Path(tempfile.mkdtemp(prefix="peer-"))

    def channel(n: int) -> None:
        seen = None
        while not stop.is_set():
            url = f"{base}/c{n}/index.m3u8"
            playlist = m3u8.loads(urllib.request.urlopen(url, timeout=10).read().decode(), uri=url)
            for number, segment in enumerate(playlist.segments, start=playlist.media_sequence):
                if (seen is not None and number <= seen) or (
                    seen is None and segment is not playlist.segments[-1]
                ):
                    continue
                data = urllib.request.urlopen(segment.absolute_uri, timeout=10).read()
                with (
                    av.open(io.BytesIO(data)) as source,
                    av.open(str(out_dir / f"{n}.ts"), "w", format="mpegts") as out,
                ):
                    streams = {
                        s.index: out.add_stream_from_template(s)
                        for s in (source.streams.video[0], source.streams.audio[0])
                    }
                    for packet in source.demux(source.streams.video[0], source.streams.audio[0]):
                        if packet.dts is None:
                            continue
                        packet.stream = streams[packet.stream.index]
                        out.mux(packet)
                seen = number
            stop.wait(1.5)

    threads = [threading.Thread(target=channel, args=(n,), daemon=True) for n in range(channels)]
    for thread in threads:
        thread.start()
    while not stop.is_set():
        stop.wait(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=36, help="measured, after 12 s of start-up")
    parser.add_argument("--peer-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer_of:
        peer(args.peer_of, args.channels)
        return

    work = Path(tempfile.mkdtemp(prefix="recorder-bench-"))
    print(f"Generating a minute of 720p25 H.264 + AAC in {SEGMENT:g} s segments...", flush=True)
    paths = generate(work)
    rate = sum(p.stat().st_size for p in paths) * 8 / (len(paths) * SEGMENT) / 1e6
    print(f"  {len(paths)} segments, {rate:.2f} Mbit/s")
    base = serve(paths)
    env = {
        **os.environ,
        "CLIPDESK_VAR_DIR": str(work / "site"),
        "DJANGO_SETTINGS_MODULE": "clipdesk.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "CLIPDESK_RECORDING_SEGMENT_SECONDS": str(SEGMENT),
        "CLIPDESK_RECORDING_LEASE_SECONDS": "30",
    }
    env.pop("DATABASE_URL", None)
    clipdesk = [sys.executable, "-m", "clipdesk"]
    subprocess.run([*clipdesk, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    for n in range(args.channels):
        subprocess.run(
            [*clipdesk, "channel", "add", f"Bench {n}", f"{base}/c{n}/index.m3u8"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    print(f"Recording {args.channels} channels for {args.seconds:g} s with clipdesk recorder...", flush=True)
    Clock.restart()
    ours_cpu, ours_mem = measure([*clipdesk, "recorder", "--name", "bench"], env, args.seconds)
    import sqlite3

    db = sqlite3.connect(work / "site" / "clipdesk.sqlite3")
    stored = db.execute("SELECT count(*), coalesce(sum(duration_ms), 0) FROM recording_segment").fetchone()
    gaps = db.execute(
        "SELECT reason, count(*) FROM recording_gap WHERE reason <> 'recorder' GROUP BY reason"
    ).fetchall()
    print(
        f"Remuxing the same {args.channels} channels for {args.seconds:g} s with a bare PyAV remux...",
        flush=True,
    )
    Clock.restart()
    peer_cpu, peer_mem = measure(
        [sys.executable, __file__, "--channels", str(args.channels), "--peer-of", base], env, args.seconds
    )

    minutes = args.channels * args.seconds / 60
    print()
    print(f"{'':24}{'recorder':>12}{'bare remux':>12}")
    print(f"{'CPU s per channel-min':24}{ours_cpu / minutes:12.3f}{peer_cpu / minutes:12.3f}")
    print(
        f"{'peak MB per channel':24}{ours_mem / 2**20 / args.channels:12.1f}{peer_mem / 2**20 / args.channels:12.1f}"
    )
    per_core = lambda cpu: args.channels * args.seconds / cpu if cpu else float("inf")  # noqa: E731
    print(f"{'channels per core':24}{per_core(ours_cpu):12.0f}{per_core(peer_cpu):12.0f}")
    print(f"recorder / bare remux CPU: {ours_cpu / peer_cpu:.2f} (goal <= 1.5)")
    print(f"segments stored: {stored[0]} ({stored[1] / 1000:.0f} s of stream); gaps: {dict(gaps) or 'none'}")


if __name__ == "__main__":
    main()
