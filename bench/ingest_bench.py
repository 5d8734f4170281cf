"""Ingest benchmark: clipdesk's speech pipeline against bare faster-whisper, on one machine, in one run.

Builds an H.264/AAC MP4 of at least two minutes from the sample recordings (jfk.flac and the
annotated speechbrain clips, separated by short silences, repeated), then measures on that file:

* the clipdesk Pipeline end to end (decode, VAD, per-chunk language identification, batched
  decoding, word timestamps, the safeguards; speakers and translation off), the same with the
  safeguards switched off (``safeguards=False``: no re-decoding, no repetition check), so that
  their cost is measured in the same run, and the same with the sequential decoder (``batched=False``);
* the peer: bare ``faster_whisper.WhisperModel.transcribe`` (sequential, its defaults: no VAD, no
  word timestamps) with the same model (the bundled Whisper base, int8, loaded the same way) on the
  very same file;

reporting wall time, CPU time, real-time factor (wall time / audio length), word error rate
against the concatenated references (lowercase, punctuation removed) and peak resident memory
(ru_maxrss). Each measurement runs in its own fresh process (model load, warm-up, run), so each
peak is that row's own; the CPU column shows whether other load on the machine skewed wall times.

    .venv/bin/python bench/ingest_bench.py [--minutes 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be downloaded

import av
import jiwer
import numpy as np

from clipdesk.pipeline import Pipeline, PipelineOptions
from clipdesk.pipeline.audio import decode_audio
from clipdesk.pipeline.media import is_web_playable, make_demo_video

ROOT = Path(__file__).resolve().parents[1]

SAMPLES = ROOT / "samples" / "audio"
JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
RATE = 16000


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def clips() -> list[tuple[Path, str]]:
    references: dict[str, str] = {}
    for name in ("ASR_train.json", "ASR_dev.json"):
        data = json.loads((SAMPLES / "speechbrain-asr" / name).read_text())
        references.update({key: entry["wrd"] for key, entry in data.items()})
    return [(SAMPLES / "jfk.flac", JFK_TEXT)] + [
        (SAMPLES / "speechbrain-asr" / f"{key}.wav", text) for key, text in sorted(references.items())
    ]


def write_wav(path: Path, samples: np.ndarray) -> None:
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=RATE)
        stream.layout = "mono"
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        for start in range(0, pcm.size, RATE):
            frame = av.AudioFrame.from_ndarray(pcm[None, start : start + RATE], format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def build_recording(directory: Path, minutes: float) -> tuple[Path, str, float]:
    """The benchmark MP4 and its reference text."""
    silence = np.zeros(int(0.7 * RATE), np.float32)
    pieces: list[np.ndarray] = []
    texts: list[str] = []
    decoded = [(decode_audio(path).samples, text) for path, text in clips()]
    while sum(p.size for p in pieces) < minutes * 60 * RATE:
        for samples, text in decoded:
            pieces += [samples, silence]
            texts.append(text)
    wav = directory / "bench.wav"
    write_wav(wav, np.concatenate(pieces))
    mp4 = make_demo_video(wav, directory / "bench.mp4", "clipdesk ingest benchmark")
    assert is_web_playable(mp4)
    return mp4, " ".join(texts), sum(p.size for p in pieces) / RATE


ROWS = {
    "pipeline": "clipdesk Pipeline (batched, default)",
    "pipeline-unguarded": "clipdesk Pipeline (safeguards=False)",
    "pipeline-seq": "clipdesk Pipeline (batched=False)",
    "peer": "faster-whisper transcribe (peer)",
}


def run_row(row: str, mp4: Path, reference: str, duration: float) -> dict:
    """One measurement, in this (fresh) process: load the model, warm up, transcribe ``mp4``."""
    pipeline = Pipeline()  # bundled Whisper base, verified, int8 on CPU
    # Warm-up (VAD model load, first-call allocations) so that no row pays for it.
    list(pipeline.transcribe(SAMPLES / "jfk.flac", PipelineOptions(translate="none"))[0])
    started, cpu_started = time.perf_counter(), time.process_time()
    if row == "peer":
        segments, _ = pipeline.model.transcribe(str(mp4))  # faster-whisper's own defaults
    else:
        options = PipelineOptions(
            speakers="none",
            translate="none",
            batched=row != "pipeline-seq",
            safeguards=row != "pipeline-unguarded",
        )
        segments, _ = pipeline.transcribe(mp4, options)
    text = " ".join(s.text for s in segments)  # the generators decode as they are consumed
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "label": ROWS[row],
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "rtf": elapsed / duration,
        "wer": jiwer.wer(normalise(reference), normalise(text)),
        "peak_mib": peak_mib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="length of the test recording")
    parser.add_argument("--keep", type=Path, help="write the MP4 here and keep it")
    parser.add_argument("--row", choices=ROWS, help=argparse.SUPPRESS)  # internal: one measurement
    parser.add_argument("--mp4", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.row:
        spec = json.loads(sys.stdin.read())
        print(json.dumps(run_row(args.row, args.mp4, spec["reference"], spec["duration"])))
        return

    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        mp4, reference, duration = build_recording(directory, args.minutes)
        print(f"recording: {mp4.name}, {duration:.1f} s, H.264/AAC, {mp4.stat().st_size / 1e6:.1f} MB")
        print(f"cores usable: {len(os.sched_getaffinity(0))}; load average before: {os.getloadavg()[0]:.2f}")

        started = time.perf_counter()
        Pipeline()
        print(f"model load (verify + load) in this process: {time.perf_counter() - started:.1f} s")

        # Each row runs in a fresh process so that its peak memory (ru_maxrss: model + run) is its own.
        rows = []
        for row in ROWS:
            child = subprocess.run(
                [sys.executable, __file__, "--row", row, "--mp4", str(mp4)],
                input=json.dumps({"reference": reference, "duration": duration}),
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"load average after: {os.getloadavg()[0]:.2f}")

    width = max(len(r["label"]) for r in rows)
    print()
    print(f"{'run':<{width}}  {'wall s':>7}  {'CPU s':>6}  {'RTF':>6}  {'WER':>6}  {'peak MiB':>8}")
    for r in rows:
        print(
            f"{r['label']:<{width}}  {r['seconds']:7.1f}  {r['cpu_seconds']:6.1f}  {r['rtf']:6.3f}  "
            f"{r['wer']:6.3f}  {r['peak_mib']:8.0f}"
        )
    pipeline, unguarded, peer = rows[0], rows[1], rows[-1]
    print(
        f"\nsafeguards' cost, CPU time with / without: {pipeline['cpu_seconds'] / unguarded['cpu_seconds']:.3f}"
    )
    print(f"\nRTF ratio, clipdesk Pipeline / peer: {pipeline['rtf'] / peer['rtf']:.3f}")
    print(f"CPU time ratio, clipdesk Pipeline / peer: {pipeline['cpu_seconds'] / peer['cpu_seconds']:.3f}")


if __name__ == "__main__":
    main()
