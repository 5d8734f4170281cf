"""`make demo` on another address: every command it runs links to the address it serves on.

The demo's commands are replaced by a recorder (BIN=...), so the Makefile itself is what is tested:
which environment each step of `make demo` gets.
"""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# `serve` waits for the worker the demo starts beside it to have recorded itself (it is killed when
# serve returns).
RECORDER = """#!/bin/sh
echo "$1 ${CLIPDESK_BASE_URL:-unset}" >> "$RECORD"
if [ "$1" = serve ]; then
  for _ in $(seq 100); do grep -q '^worker ' "$RECORD" && exit 0; sleep 0.1; done
fi
"""


def demo_steps(tmp_path: Path, *make_args: str, **env: str) -> list[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorder = bin_dir / "clipdesk"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    stamp = tmp_path / "installed"
    stamp.touch()
    record = tmp_path / "record.txt"
    environ = {k: v for k, v in os.environ.items() if k != "CLIPDESK_BASE_URL"}
    subprocess.run(
        ["make", "--no-print-directory", "-s", "demo", f"BIN={bin_dir}", f"STAMP={stamp}", *make_args],
        cwd=ROOT,
        env={**environ, "RECORD": str(record), "CLIPDESK_VAR_DIR": str(tmp_path / "var"), **env},
        check=True,
        timeout=120,
        capture_output=True,
    )
    return record.read_text().splitlines()


def test_demo_on_another_port_links_to_that_port(tmp_path):
    steps = demo_steps(tmp_path, "PORT=8102")
    assert {step.split()[0] for step in steps} >= {
        "migrate",
        "demo-clip",
        "worker",
        "demo-stream",
        "recorder",
        "serve",
    }
    assert {step.split()[1] for step in steps} == {"http://127.0.0.1:8102"}


def test_an_explicit_base_url_wins(tmp_path):
    steps = demo_steps(tmp_path, "PORT=8102", CLIPDESK_BASE_URL="https://clips.example.org")
    assert {step.split()[1] for step in steps} == {"https://clips.example.org"}
