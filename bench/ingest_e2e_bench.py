"""Ingest benchmark, end to end through the job: from a file to a stored draft, against bare faster-whisper.

Uses the recording of bench/ingest_bench.py (an H.264/AAC MP4 of at least two minutes built from the
sample speech, with its reference text) and measures, each in a fresh process, in one run:

* clipdesk, through the job: `create_ingest_job` (probe, SHA-256, store the original) and one attempt
  as a worker runs it (decode, VAD, batched recognition, poster, the web-playable file, the draft with
  its segments stored in one transaction), speakers and translation off; the model is loaded and
  warmed up first, as in a worker that has run a job before;
* the same job with the defaults (speakers auto, Whisper translation; English speech needs none);
* the peer: bare `faster_whisper.WhisperModel.transcribe` with its defaults (sequential, no VAD, no
  word timestamps), same model and file, as bench/ingest_bench.py measures it;

and prints wall time, CPU time, real-time factor, word error rate of the stored text, peak resident
memory, the job's own timing breakdown, and the ratio of clipdesk's time to the peer's.

    .venv/bin/python bench/ingest_e2e_bench.py [--minutes 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be downloaded

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import jiwer  # noqa: E402

from ingest_bench import build_recording, normalise, peak_mib  # noqa: E402  the same recording

ROWS = {
    "job": "clipdesk job, end to end (speakers, translation off)",
    "job-defaults": "clipdesk job, end to end (defaults)",
    "peer": "faster-whisper transcribe (peer)",
}


def run_job(row: str, mp4: Path, reference: str, duration: float) -> dict:
    """One job in this fresh process, against the database under CLIPDESK_VAR_DIR."""
    import django

    django.setup()
    from clipdesk.ingest.actions import create_ingest_job
    from clipdesk.ingest.models import IngestJob
    from clipdesk.ingest.tasks import execute_job

    # Warm-up: load the model (verified) and the VAD, as a worker that has already run a job.
    warm = create_ingest_job(ROOT / "samples" / "audio" / "jfk.flac", user=None, translate="none")
    execute_job(warm.pk, worker="bench")
    options = {"translate": "none", "speakers": "none"} if row == "job" else {}
    started, cpu_started = time.perf_counter(), time.process_time()
    job = create_ingest_job(mp4, user=None, **options)
    status = execute_job(job.pk, worker="bench")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    job = IngestJob.objects.get(pk=job.pk)
    if status != "done":
        raise SystemExit(f"job {job.pk} {status}: {job.error}")
    text = " ".join(job.clip.segments.order_by("position").values_list("original_text", flat=True))
    return {
        "label": ROWS[row],
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "rtf": elapsed / duration,
        "wer": jiwer.wer(normalise(reference), normalise(text)),
        "peak_mib": peak_mib(),
        "timings": job.timings,
    }


def child(args: list[str], spec: dict, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, *args], input=json.dumps(spec), capture_output=True, text=True, env=env, check=False
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="length of the test recording")
    parser.add_argument("--row", choices=("job", "job-defaults"), help=argparse.SUPPRESS)  # internal
    parser.add_argument("--mp4", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.row:
        spec = json.loads(sys.stdin.read())
        print(json.dumps(run_job(args.row, args.mp4, spec["reference"], spec["duration"])))
        return

    with tempfile.TemporaryDirectory(prefix="clipdesk-bench-") as tmp:
        directory = Path(tmp)
        mp4, reference, duration = build_recording(directory, args.minutes)
        print(f"recording: {mp4.name}, {duration:.1f} s, H.264/AAC, {mp4.stat().st_size / 1e6:.1f} MB")
        print(f"cores usable: {len(os.sched_getaffinity(0))}; load average before: {os.getloadavg()[0]:.2f}")
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(CLIPDESK_VAR_DIR=str(directory / "var"), DJANGO_SETTINGS_MODULE="clipdesk.settings")
        subprocess.run(
            [sys.executable, "-m", "clipdesk", "migrate", "--no-input"],
            env=env,
            check=True,
            capture_output=True,
        )
        spec = {"reference": reference, "duration": duration}
        rows = [
            child([__file__, "--row", "job", "--mp4", str(mp4)], spec, env),
            child([__file__, "--row", "job-defaults", "--mp4", str(mp4)], spec, env),
            child([str(HERE / "ingest_bench.py"), "--row", "peer", "--mp4", str(mp4)], spec, env),
        ]
        print(f"load average after: {os.getloadavg()[0]:.2f}")

    width = max(len(r["label"]) for r in rows)
    print()
    print(f"{'run':<{width}}  {'wall s':>7}  {'CPU s':>6}  {'RTF':>6}  {'WER':>6}  {'peak MiB':>8}")
    for r in rows:
        print(
            f"{r['label']:<{width}}  {r['seconds']:7.1f}  {r['cpu_seconds']:6.1f}  {r['rtf']:6.3f}  "
            f"{r['wer']:6.3f}  {r['peak_mib']:8.0f}"
        )
    for r in rows[:2]:
        steps = ", ".join(
            f"{k} {v:.1f}" for k, v in r["timings"].items() if k not in ("audio_seconds", "total")
        )
        print(f"\n{r['label']}: {steps}")
    job, peer = rows[0], rows[-1]
    print(f"\nRTF ratio, clipdesk job end to end / peer: {job['rtf'] / peer['rtf']:.3f}")
    print(f"CPU time ratio, clipdesk job end to end / peer: {job['cpu_seconds'] / peer['cpu_seconds']:.3f}")
    print(f"RTF ratio, clipdesk job with defaults / peer: {rows[1]['rtf'] / peer['rtf']:.3f}")


if __name__ == "__main__":
    main()
