"""Live transcription benchmark: speech-hours transcribed per CPU-hour by the live path, batched across
N channels with voice activity first, against bare faster-whisper `transcribe` (sequential) on the
same audio, in one run.

    python bench/live_bench.py                       # 4 channels of 60 s each
    python bench/live_bench.py --channels 8 --seconds 120 --english

What it does:

1. Builds N channels of air from the repository's real speech samples (samples/audio), every other
   channel in Arabic (the rhasspy voice) or English (JFK, the speechbrain speakers), each in its own
   order, with silence and a jingle (tone) between them; each channel declares its language, as a
   monitored channel does. Each is encoded each as one continuous AAC stream cut into 6-second MPEG-TS segments
   (remuxed, as the recorder stores them).
2. The live path: a fresh SQLite site under a temporary directory; the segments are stored through
   the recorder's own action (`store_segment`), then `clipdesk.alerts.live.work` runs the live
   transcription as a worker does, with CLIPDESK_LIVE_WINDOW_SECONDS windows and one round taking
   the due windows of every channel together (Whisper base int8, per-line language, word times,
   safeguards; English drafts only with --english: Whisper's translate task decoded from the
   encoder output of each line's window, see clipdesk.pipeline.drafts).
3. The peer: the same model's bare `WhisperModel.transcribe(audio, word_timestamps=True)` on each
   channel's whole audio, one after the other (its default options otherwise: no VAD, beam 5).

Both are timed in CPU seconds of this process (every thread), so the machine's other load counts
less than in wall time; the load average is printed beside them. Speech-hours are the seconds of the
samples placed on the air (the same for both), so the ratio of the rates is the ratio of CPU costs.
Goal: the live path >= 1.5x the peer.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RATE = 16000
SAMPLES = ROOT / "samples" / "audio"


def speeches() -> dict[str, list[np.ndarray]]:
    """The samples by language: a channel broadcasts in its own language (and declares it)."""
    from clipdesk.pipeline.audio import decode_audio

    names = {
        "ar": [f"rhasspy-ar/ar_wavenet_0{n}.wav" for n in range(1, 6)],
        "en": ["jfk.flac", *(f"speechbrain-asr/spk{s}_snt{n}.wav" for s in (1, 2) for n in range(1, 6))],
    }
    return {code: [decode_audio(SAMPLES / name).samples for name in group] for code, group in names.items()}


def channel_air(index: int, seconds: float, voices: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """A channel: the samples from the `index`-th on, with silence or a jingle (tone) between; its
    seconds of speech."""
    rng = np.random.default_rng(index)
    parts, total, speech = [], 0, 0.0
    k = index
    while total < seconds * RATE:
        voice = voices[k % len(voices)]
        pause = round(rng.uniform(0.5, 3.0) * RATE)
        if k % 4 == 3:
            t = np.arange(pause * 2) / RATE
            gap = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        else:
            gap = np.zeros(pause, dtype=np.float32)
        kept = min(voice.shape[0], round(seconds * RATE) - total)
        speech += kept / RATE
        parts += [voice, gap]
        total += voice.shape[0] + gap.shape[0]
        k += 1
    return np.concatenate(parts)[: round(seconds * RATE)].astype(np.float32), speech


def segments(air: np.ndarray, folder: Path, seconds: float = 6.0) -> list[tuple[Path, float, float]]:
    """One continuous AAC stream, remuxed into MPEG-TS segments of about `seconds`."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mpegts") as out:
        stream = out.add_stream("aac", rate=RATE)
        stream.layout = "mono"
        for at in range(0, air.shape[0], 1024):
            frame = av.AudioFrame.from_ndarray(
                air[at : at + 1024].reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate, frame.pts, frame.time_base = RATE, at, Fraction(1, RATE)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    source = av.open(io.BytesIO(buffer.getvalue()), format="mpegts")
    audio = source.streams.audio[0]
    pieces: list[tuple[Path, float, float]] = []
    out = track = None
    first = None
    for packet in source.demux(audio):
        if packet.pts is None or packet.size == 0:
            continue
        t = float(packet.pts * packet.time_base)
        first = t if first is None else first
        t -= first
        if out is None or t >= pieces[-1][1] + seconds - 1e-6:
            if out is not None:
                out.close()
            path = folder / f"{len(pieces)}.ts"
            out = av.open(str(path), "w", format="mpegts")
            track = out.add_stream_from_template(audio)
            pieces.append((path, t, t))
        packet.stream = track
        out.mux(packet)
        pieces[-1] = (pieces[-1][0], pieces[-1][1], t + float(packet.duration * packet.time_base))
    if out is not None:
        out.close()
    source.close()
    return pieces


def site(tmp: Path, window: float, channels: int, english: bool) -> None:
    os.environ.update(
        {
            "CLIPDESK_VAR_DIR": str(tmp / "var"),
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "CLIPDESK_LIVE_WINDOW_SECONDS": str(window),
            "CLIPDESK_LIVE_MAX_WINDOW_SECONDS": str(window),
            "CLIPDESK_LIVE_BATCH_CHANNELS": str(channels),
            "CLIPDESK_LIVE_ENGLISH": "true" if english else "false",
            "CLIPDESK_LIVE_LAG_ALERT_SECONDS": "1000000",
            "DJANGO_SETTINGS_MODULE": "clipdesk.settings",
            "HF_HUB_OFFLINE": "1",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp / "media")
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0, help="air per channel")
    parser.add_argument("--window", type=float, default=20.0, help="CLIPDESK_LIVE_WINDOW_SECONDS")
    parser.add_argument("--english", action="store_true", help="the live path drafts English too")
    args = parser.parse_args()

    import datetime as dt
    import logging

    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="clipdesk-live-bench-") as name:
        tmp = Path(name)
        site(tmp, args.window, args.channels, args.english)
        from clipdesk.alerts import live
        from clipdesk.alerts.models import LiveChannel, LiveLine
        from clipdesk.archive.models import Channel
        from clipdesk.ingest.runner import get_pipeline
        from clipdesk.recording import actions

        voices = speeches()
        codes = [("ar", "en")[i % 2] for i in range(args.channels)]
        airs = [channel_air(i, args.seconds, voices[code]) for i, code in enumerate(codes)]
        speech = sum(s for _, s in airs)
        print(
            f"{args.channels} channels x {args.seconds:.0f} s of air, {speech:.0f} s of speech in all; "
            f"windows of {args.window:.0f} s; English drafts {'on' if args.english else 'off'}"
        )
        pipeline, _ = get_pipeline()  # loaded before anything is timed, used by both

        # -- the live path
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        for index, (air, _) in enumerate(airs):
            source = actions.add_source(
                user=None, channel=f"Bench {index}", url=f"http://127.0.0.1:9/{index}.m3u8"
            )
            Channel.objects.filter(pk=source.channel_id).update(languages=codes[index])
            LiveChannel.objects.create(source=source, enabled=False)  # stored first, then transcribed
            actions.acquire_leases("bench", lease_seconds=3600)
            folder = tmp / f"segments-{index}"
            folder.mkdir()
            for path, begin, end in segments(air, folder):
                actions.store_segment(
                    source.pk,
                    path,
                    start=start + dt.timedelta(seconds=begin),
                    end=start + dt.timedelta(seconds=end),
                    holder="bench",
                )
            actions.open_gap(source.pk, "closed", "the bench's stream ended")  # its last window is final
        LiveChannel.objects.update(enabled=True)
        load = os.getloadavg()
        cpu, wall = time.process_time(), time.perf_counter()
        done = live.work(
            report=lambda r: print(f"  live round: {r.windows} windows, {r.lines} lines", flush=True)
        )
        live_cpu, live_wall = time.process_time() - cpu, time.perf_counter() - wall
        lines = LiveLine.objects.count()
        live_words = sum(len(text.split()) for text in LiveLine.objects.values_list("text", flat=True))

        # -- the peer
        cpu, wall = time.process_time(), time.perf_counter()
        peer_lines = peer_words = 0
        for air, _ in airs:
            found, _info = pipeline.model.transcribe(air, word_timestamps=True)
            for segment in found:
                peer_lines += 1
                peer_words += len(segment.text.split())
        peer_cpu, peer_wall = time.process_time() - cpu, time.perf_counter() - wall
        load_after = os.getloadavg()

    def rate(cpu_seconds: float) -> float:
        return (speech / 3600) / (cpu_seconds / 3600)

    print(
        f"load average (1, 5, 15 min): before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, after {load_after[0]:.2f}"
    )
    print(
        f"live path:  {live_cpu:7.1f} CPU s ({live_wall:6.1f} s wall), {done.windows} windows, {lines} lines, "
        f"{live_words} words: "
        f"{rate(live_cpu):5.1f} speech-hours per CPU-hour"
    )
    print(
        f"bare faster-whisper transcribe, sequential: {peer_cpu:7.1f} CPU s ({peer_wall:6.1f} s wall), "
        f"{peer_lines} segments, {peer_words} words: {rate(peer_cpu):5.1f} speech-hours per CPU-hour"
    )
    print(f"live / peer: {peer_cpu / live_cpu:.2f}x (goal >= 1.5x)")


if __name__ == "__main__":
    main()
