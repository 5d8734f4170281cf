"""A backup taken while the site is being written to restores, in an empty instance, one consistent moment.

Each instance is a separate clipdesk: its own CLIPDESK_VAR_DIR (database, media, queue) and, for the
PostgreSQL variant, its own database. A writer process (live_writer.py) keeps changing the source
through the real actions while `clipdesk backup` runs; `clipdesk restore` then fills an empty
instance, and the two databases and media directories are compared row by row and file by file.
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from simple_history.models import registered_models
from simple_history.utils import get_history_model_for_model

from clipdesk.archive.models import Clip
from clipdesk.media.models import MediaAsset
from clipdesk.transcripts.models import Segment, Speaker

HERE = Path(__file__).resolve().parent
CLIPDESK = Path(sys.executable).with_name("clipdesk")
WAIT = 300  # seconds: a guard against a hung process, never a measurement


def instance(var_dir: Path, database_url: str | None = None) -> dict[str, str]:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CLIPDESK_VAR_DIR": str(var_dir), "CLIPDESK_ENV": "development"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def clipdesk(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(CLIPDESK), *args], env=env, capture_output=True, text=True, timeout=WAIT, check=False
    )
    assert done.returncode == 0, f"clipdesk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def rounds(work: Path) -> int:
    path = work / "rounds"
    return int(path.read_text()) if path.exists() else 0


def wait_for_rounds(writer: subprocess.Popen, work: Path, at_least: int) -> None:
    deadline = time.monotonic() + WAIT
    while rounds(work) < at_least:
        if writer.poll() is not None:
            pytest.fail(f"the writer stopped: {(work / 'writer.log').read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the writer did not finish round {at_least} in {WAIT} s")
        time.sleep(0.05)


def fetch(conn, sql: str) -> list[dict]:
    cursor = conn.cursor()
    cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def backup_during_writes(tmp_path: Path, source: dict, target: dict) -> tuple[int, int, int]:
    """Back up `source` while the writer runs, restore into `target`; returns the rounds finished
    when the backup started, when it ended, and when the writer stopped."""
    clipdesk(source, "migrate", "--no-input", "-v", "0")
    work = tmp_path / "writer"
    work.mkdir()
    with open(work / "writer.log", "w") as log:
        writer = subprocess.Popen(
            [sys.executable, str(HERE / "live_writer.py"), str(work)], env=source, stdout=log, stderr=log
        )
    try:
        wait_for_rounds(writer, work, 3)
        before = rounds(work)
        clipdesk(source, "backup", str(tmp_path / "backup"))
        after = rounds(work)
        wait_for_rounds(writer, work, after + 2)  # the source moves on past the backup
        (work / "stop").touch()
        assert writer.wait(timeout=WAIT) == 0, (work / "writer.log").read_text()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    restored = clipdesk(target, "restore", str(tmp_path / "backup"))
    assert "Restored the" in restored.stdout
    return before, after, rounds(work)


def compare(source, restored, before: int, final: int) -> int:
    """Assert that `restored` is `source` as it was at one moment between `before` and `final` rounds;
    returns the rounds the restored database holds."""
    for history_model in (get_history_model_for_model(m) for m in registered_models.values()):
        table = history_model._meta.db_table
        kept = fetch(restored, f"SELECT * FROM {table} ORDER BY history_id")
        last = kept[-1]["history_id"] if kept else 0
        assert kept == fetch(
            source, f"SELECT * FROM {table} WHERE history_id <= {last} ORDER BY history_id"
        ), f"{table}: the restored history differs from the source's first {last} entries"
        latest = {row["id"]: row for row in kept}
        model_table = history_model.instance_type._meta.db_table
        current = {row["id"]: row for row in fetch(restored, f"SELECT * FROM {model_table}")}
        assert set(current) == {pk for pk, row in latest.items() if row["history_type"] != "-"}, model_table
        # Columns the history leaves out (a segment's machine scores) are not compared.
        tracked = [name for name in next(iter(current.values()), {}) if not kept or name in kept[0]]
        for pk, row in current.items():
            assert {name: row[name] for name in tracked} == {name: latest[pk][name] for name in tracked}, (
                f"{model_table} {pk} differs from its history"
            )

    clip, segment, speaker = Clip._meta.db_table, Segment._meta.db_table, Speaker._meta.db_table
    titles = [r["title"] for r in fetch(restored, f"SELECT title FROM {clip} ORDER BY id")]
    held = len(titles)
    assert before <= held < final, (before, held, final)
    assert titles == [f"Live clip {n}" for n in range(held)]  # whole rounds only, none skipped
    for n, clip_id in enumerate(r["id"] for r in fetch(restored, f"SELECT id FROM {clip} ORDER BY id")):
        lines = fetch(restored, f"SELECT * FROM {segment} WHERE clip_id = {clip_id} ORDER BY position")
        assert [line["original_text"] for line in lines] == [f"سطر {i} من الجولة {n}" for i in range(3)]
        edited = f"edited in round {n + 1}" if n + 1 < held else f"line 0 of round {n}"
        assert [line["english_text"] for line in lines] == [
            edited,
            f"line 1 of round {n}",
            f"line 2 of round {n}",
        ]
        assert len(fetch(restored, f"SELECT id FROM {speaker} WHERE clip_id = {clip_id}")) == 1

    assets = fetch(restored, f"SELECT * FROM {MediaAsset._meta.db_table} ORDER BY id")
    assert len(assets) == len(range(0, held, 3))
    ids = ", ".join(str(a["id"]) for a in assets)
    assert assets == fetch(
        source, f"SELECT * FROM {MediaAsset._meta.db_table} WHERE id IN ({ids}) ORDER BY id"
    )
    return held


def compare_media(source_media: Path, restored_media: Path, restored) -> None:
    assets = fetch(restored, f"SELECT file, sha256 FROM {MediaAsset._meta.db_table}")
    assert assets
    for asset in assets:
        assert (
            sha256(restored_media / asset["file"]) == asset["sha256"] == sha256(source_media / asset["file"])
        )


def same_exports(source: dict, target: dict) -> None:
    """The first clip, finished before the backup began, reads the same from both instances."""
    export = ("export", "id:1", "--format", "json")
    assert clipdesk(source, *export).stdout == clipdesk(target, *export).stdout


def test_sqlite_backup_during_writes_restores_a_consistent_moment(tmp_path):
    source_env, target_env = instance(tmp_path / "source"), instance(tmp_path / "target")
    before, after, final = backup_during_writes(tmp_path, source_env, target_env)
    with (
        closing(sqlite3.connect(tmp_path / "source" / "clipdesk.sqlite3")) as source,
        closing(sqlite3.connect(tmp_path / "target" / "clipdesk.sqlite3")) as restored,
    ):
        held = compare(source, restored, before, final)
        assert held <= after + 1  # the snapshot was taken while the backup ran, not later
        compare_media(tmp_path / "source" / "media", tmp_path / "target" / "media", restored)
    same_exports(source_env, target_env)
    assert "all present and intact" in clipdesk(target_env, "verify-media").stdout


# PostgreSQL ------------------------------------------------------------------------------------------

SERVER = os.environ.get("CLIPDESK_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _unavailable(reason: str):
    message = f"PostgreSQL backup test: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres_databases():
    """Two new, empty databases on the test server, dropped afterwards; their URLs."""
    import psycopg

    for tool in ("pg_dump", "pg_restore"):
        if not any((Path(p) / tool).exists() for p in os.environ.get("PATH", "").split(os.pathsep)):
            _unavailable(f"{tool} is not on PATH (install postgresql-client-15).")
    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        _unavailable(
            f"the server at {SERVER} is not reachable ({exc}); start it or set CLIPDESK_TEST_POSTGRES_URL."
        )
    names = [f"clipdesk_backup_{role}_{uuid.uuid4().hex[:12]}" for role in ("source", "target")]
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            parts = urlsplit(SERVER)
            yield [urlunsplit(parts._replace(path=f"/{name}")) for name in names]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_postgres_backup_during_writes_restores_a_consistent_moment(tmp_path, postgres_databases):
    import psycopg

    source_url, target_url = postgres_databases
    source_env = instance(tmp_path / "source", source_url)
    target_env = instance(tmp_path / "target", target_url)
    before, after, final = backup_during_writes(tmp_path, source_env, target_env)
    with psycopg.connect(source_url) as source, psycopg.connect(target_url) as restored:
        held = compare(source, restored, before, final)
        assert held <= after + 1
        compare_media(tmp_path / "source" / "media", tmp_path / "target" / "media", restored)
    same_exports(source_env, target_env)
    assert "all present and intact" in clipdesk(target_env, "verify-media").stdout
