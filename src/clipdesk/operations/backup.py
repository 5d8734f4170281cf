"""Make a backup of a running site: the database snapshot, the media it names, and the manifest.

Media is copied through the storage API by the names the *snapshot's* rows hold. A file is stored
before the row that names it commits (clipdesk.media.actions.attach_media), so every name in a
committed row is a whole file, and files of uploads still in progress (no row yet) are never copied.
"""

import contextlib
import datetime as dt
import os
import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections

import clipdesk
from clipdesk.media.streams import StoredStream

from .databases import archiver_for
from .manifest import (
    MEDIA_DIR,
    BackupError,
    FileEntry,
    Manifest,
    check_relative,
    hash_file,
    hash_stream,
    write_manifest,
)
from .progress import Tracker


@contextlib.contextmanager
def _private_files():
    """Everything created inside is readable by its owner only (directories 0700, files 0600).

    A backup holds every subscriber's address and every staff account's password hash; the umask
    also covers what a database tool run as a child process writes (pg_dump).
    """
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _prepare(dest: Path) -> bool:
    """Make sure `dest` is a new or empty directory, readable by its owner only; True when this call
    created it. A directory that was already there is narrowed to 0700 too."""
    if dest.exists():
        if not dest.is_dir():
            raise BackupError(f"{dest} exists and is not a directory.")
        if any(dest.iterdir()):
            raise BackupError(f"{dest} is not empty. A backup goes into a new (or empty) directory.")
        dest.chmod(0o700)
        return False
    dest.mkdir(parents=True, mode=0o700)
    return True


def _discard(dest: Path, created: bool) -> None:
    """Remove what an unfinished backup wrote, so nothing half-made is ever mistaken for a backup."""
    if created:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _copy_media(names: list[str], root: Path, tracker: Tracker) -> tuple[list[FileEntry], list[str]]:
    storage = default_storage
    sizes: dict[str, int] = {}
    missing = []
    for name in names:
        check_relative(name)
        # exists() first: how a storage reports a missing file from size() differs (S3 raises its own error).
        if storage.exists(name):
            sizes[name] = storage.size(name)
        else:
            missing.append(name)
    bar = tracker.bar("media", total=sum(sizes.values()), unit="bytes")
    entries = []
    for name in sizes:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        bar.describe(f"media {name}")
        try:
            with StoredStream(storage, name) as source, open(target, "xb") as out:
                size, sha256 = hash_stream(source, target=out, on_chunk=bar.advance)
                out.flush()
                os.fsync(out.fileno())
        except FileNotFoundError:  # removed since it was sized: its row went after the snapshot
            target.unlink(missing_ok=True)
            missing.append(name)
            continue
        entries.append(FileEntry(f"{MEDIA_DIR}/{name}", size, sha256))
    bar.describe("media")
    return entries, sorted(missing)


# Channel recordings (clipdesk.recording: about 30 GB a channel a day) are left out unless asked for.
RECORDINGS_PREFIX = "recordings/"


def make_backup(
    dest: Path, *, tracker: Tracker, using: str = DEFAULT_DB_ALIAS, recordings: bool = False
) -> Manifest:
    """Back up the database and the media into `dest`, a new or empty directory; returns the manifest.

    Raises BackupError (and leaves `dest` as it found it) when the backup cannot be made. Media files
    that the database names but the storage lacks do not stop the backup: the manifest lists them in
    `missing_media`, and the caller reports them. The recorded segments of channels are copied only
    with `recordings` (their rows are in the database either way).
    """
    dest = Path(dest)
    with _private_files():
        return _make_backup(dest, tracker=tracker, using=using, recordings=recordings)


def left_out(names: list[str], recordings: bool) -> list[str]:
    """The media names a backup leaves out: the recordings, unless asked for."""
    return [] if recordings else [name for name in names if name.startswith(RECORDINGS_PREFIX)]


def _make_backup(dest: Path, *, tracker: Tracker, using: str, recordings: bool) -> Manifest:
    created = _prepare(dest)
    try:
        archiver = archiver_for(connections[using])
        bar = tracker.bar("database", total=2)
        database_path = dest / archiver.file_name
        snapshot = archiver.dump(database_path)
        bar.advance()
        size, sha256 = hash_file(database_path)
        bar.advance()
        files = [FileEntry(archiver.file_name, size, sha256)]
        skipped = set(left_out(snapshot.media_names, recordings))
        wanted = [name for name in snapshot.media_names if name not in skipped]
        media, missing = _copy_media(wanted, dest / MEDIA_DIR, tracker)
        manifest = Manifest(
            clipdesk_version=clipdesk.__version__,
            created_at=snapshot.taken_at.astimezone(dt.UTC).isoformat(),
            database_vendor=archiver.vendor,
            database_file=archiver.file_name,
            migrations=snapshot.migrations,
            files=files + media,
            missing_media=missing,
        )
        write_manifest(dest, manifest)
    except BaseException:
        _discard(dest, created)
        raise
    return manifest
