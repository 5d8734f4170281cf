"""A live test stream on loopback, made from the repository's speech samples: for `make demo`, the
tests and the benchmark.

`LiveStream` encodes each segment when it is first asked for (H.264 pictures, a colour a second,
and AAC speech looping over the samples), with timestamps that run on for as long as it plays, and
serves them as a live HLS playlist with a sliding window and program date-times, as a continuous
MPEG-TS over HTTP, and over UDP. Its faults are the ones a recorder must notice: `skip` drops
playlist entries, `stall` stops everything from answering or advancing, `stop` closes the server,
`jump` moves the timestamps.
"""

import io
import socket
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from fractions import Fraction
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import numpy as np

RATE = 48000
SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "audio"
SPEECH = ["jfk.flac", *(f"rhasspy-ar/ar_wavenet_0{n}.wav" for n in range(1, 6))]


@lru_cache(maxsize=1)
def speech() -> np.ndarray:
    """The samples joined, mono float at 48 kHz, with half a second of quiet after each."""
    parts = []
    for name in SPEECH:
        path = SAMPLES / name
        if not path.exists():
            continue
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        with av.open(str(path)) as container:
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray().reshape(-1))
        parts.append(np.zeros(RATE // 2, dtype=np.float32))
    return np.concatenate(parts).astype(np.float32)


def encode_segment(
    index: int,
    seconds: float,
    *,
    fps: int = 5,
    size: tuple[int, int] = (320, 180),
    offset: float = 0.0,
    audio: bool = True,
) -> bytes:
    """Segment `index` of the stream as MPEG-TS: `seconds` long, its timestamps starting at
    index x seconds + offset, one key frame at its start."""
    start = index * seconds + offset
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mpegts") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(round(seconds * fps))}
        sound = out.add_stream("aac", rate=RATE) if audio else None
        if sound is not None:
            sound.layout = "mono"
        for i in range(round(seconds * fps)):
            second = int(index * seconds + i / fps)
            colour = ((second * 67) % 256, (second * 131) % 256, 160)
            image = np.full((size[1], size[0], 3), colour, dtype=np.uint8)
            bar = int(size[0] * (i / fps % 1))
            image[:, bar : bar + 4] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = round(start * fps) + i
            frame.time_base = Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode())
        if sound is not None:
            first, count = round((index * seconds) * RATE), round(seconds * RATE)
            pcm = np.take(speech(), np.arange(first, first + count), mode="wrap")
            for at in range(0, count, 1024):
                frame = av.AudioFrame.from_ndarray(
                    pcm[at : at + 1024].reshape(1, -1), format="flt", layout="mono"
                )
                frame.sample_rate = RATE
                frame.pts = round(start * RATE) + at
                frame.time_base = Fraction(1, RATE)
                out.mux(sound.encode(frame))
            out.mux(sound.encode())
    return buffer.getvalue()


class LiveStream:
    """The stream: segment k is live once `seconds` x (k + 1) have passed since `started`."""

    def __init__(
        self,
        seconds: float = 2.0,
        *,
        window: int = 5,
        fps: int = 5,
        size: tuple[int, int] = (320, 180),
        host: str = "127.0.0.1",
        port: int = 0,
        program_date_time: bool = True,
        audio: bool = True,
    ):
        self.seconds, self.window, self.fps, self.size = seconds, window, fps, size
        self.program_date_time, self.audio = program_date_time, audio
        self.started = time.time()
        self.skipped: set[int] = set()
        self.offsets: dict[int, float] = {}  # from segment k on, timestamps moved by this much
        self.stalled = threading.Event()
        self._cache: OrderedDict[tuple[int, float], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._address = (host, port)
        self.server: ThreadingHTTPServer | None = None
        self.start()

    # -- what the stream holds -----------------------------------------------------------------------

    def live_index(self) -> int:
        """The newest complete segment."""
        return int((time.time() - self.started) / self.seconds) - 1

    def offset(self, index: int) -> float:
        return sum(delta for since, delta in self.offsets.items() if index >= since)

    def segment(self, index: int) -> bytes:
        key = (index, self.offset(index))
        with self._lock:
            if key not in self._cache:
                self._cache[key] = encode_segment(
                    index, self.seconds, fps=self.fps, size=self.size, offset=key[1], audio=self.audio
                )
                while len(self._cache) > 4 * self.window:
                    self._cache.popitem(last=False)
            return self._cache[key]

    def aired(self, index: int) -> datetime:
        return datetime.fromtimestamp(self.started + index * self.seconds, UTC)

    def playlist(self) -> str:
        newest = self.live_index()
        oldest = max(0, newest - self.window + 1)
        # Skipped segments never appear: until they have passed the playlist stays as it was before
        # them, then its media sequence jumps past them, as when segments expire unfetched.
        hidden = [index for index in self.skipped if index <= newest]
        if hidden and newest <= max(hidden):
            newest = min(hidden) - 1
            oldest = max(0, newest - self.window + 1)
        elif hidden:
            oldest = max(oldest, max(hidden) + 1)
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{int(self.seconds + 0.999)}",
            f"#EXT-X-MEDIA-SEQUENCE:{oldest}",
        ]
        for index in range(oldest, newest + 1):
            if self.program_date_time:
                aired = self.aired(index).isoformat(timespec="milliseconds").replace("+00:00", "Z")
                lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{aired}")
            lines += [f"#EXTINF:{self.seconds:.3f},", f"seg-{index}.ts"]
        return "\n".join(lines) + "\n"

    # -- faults --------------------------------------------------------------------------------------

    def skip(self, count: int) -> list[int]:
        """Drops the next `count` segments from the playlist; returns their indexes."""
        first = self.live_index() + 1
        dropped = list(range(first, first + count))
        self.skipped.update(dropped)
        return dropped

    def jump(self, seconds: float) -> int:
        """Moves the timestamps of every segment from the next on by `seconds`; returns its index."""
        index = self.live_index() + 1
        self.offsets[index] = seconds
        return index

    # -- serving -------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._address
        return f"http://{host}:{port}/live/index.m3u8"

    @property
    def ts_url(self) -> str:
        host, port = self._address
        return f"http://{host}:{port}/live/stream.ts"

    def start(self) -> None:
        stream = self

        class Handler(_Handler):
            live = stream

        self.server = ThreadingHTTPServer(self._address, Handler)
        self.server.daemon_threads = True
        self._address = self.server.server_address[:2]
        threading.Thread(target=self.server.serve_forever, daemon=True, name="live-stream").start()

    def stop(self) -> None:
        """Closes the server (its port stays this stream's: start() opens it again)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def send_udp(self, port: int, stop: threading.Event) -> None:
        """Sends the stream to 127.0.0.1:`port` in real time, until `stop` is set."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            index = max(0, self.live_index())
            while not stop.is_set():
                while index > self.live_index() and not stop.is_set():
                    time.sleep(0.05)
                if self.stalled.is_set():
                    time.sleep(0.1)
                    continue
                data = self.segment(index)
                step = 7 * 188
                for at in range(0, len(data), step):
                    sock.sendto(data[at : at + step], ("127.0.0.1", port))
                index += 1

    def close(self) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    live: LiveStream
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _hold(self) -> bool:
        """While stalled: keep the connection open without a byte, as a stalled origin does."""
        while self.live.stalled.is_set():
            if self.live.server is None:
                return True
            time.sleep(0.1)
        return self.live.server is None

    def do_GET(self):
        if self._hold():
            return
        path = self.path.split("?", 1)[0]
        if path == "/":
            page = f"<!doctype html><title>Live test stream</title><p>HLS: {self.live.url}</p>"
            self._send(page.encode(), "text/html; charset=utf-8")
        elif path == "/live/index.m3u8":
            self._send(self.live.playlist().encode(), "application/vnd.apple.mpegurl")
        elif path.startswith("/live/seg-") and path.endswith(".ts"):
            try:
                index = int(path[len("/live/seg-") : -3])
            except ValueError:
                index = -1
            if not 0 <= index <= self.live.live_index():
                self.send_error(404)
                return
            self._send(self.live.segment(index), "video/mp2t")
        elif path == "/live/stream.ts":
            self._stream()
        else:
            self.send_error(404)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def _stream(self) -> None:
        """MPEG-TS over HTTP: the segments one after another, each as it goes live, until closed."""
        self.send_response(200)
        self.send_header("Content-Type", "video/mp2t")
        self.send_header("Connection", "close")
        self.end_headers()
        index = max(0, self.live.live_index())
        try:
            while self.live.server is not None:
                while index > self.live.live_index():
                    time.sleep(0.05)
                if self._hold():
                    return
                self.wfile.write(self.live.segment(index))
                self.wfile.flush()
                index += 1
        except (BrokenPipeError, ConnectionResetError):
            return


def serve_forever(port: int, seconds: float = 6.0) -> None:
    """`clipdesk demo-stream`: the stream at http://127.0.0.1:PORT/live/index.m3u8 until interrupted."""
    stream = LiveStream(seconds, window=6, fps=10, size=(640, 360), port=port)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stream.close()
