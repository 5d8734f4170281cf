"""The backup manifest: what a backup holds, with the size and SHA-256 of every file in it.

A backup directory looks like this::

    manifest.json          written last: a directory without it is not a finished backup
    database.sqlite3       SQLite's online backup of the database (or database.pgdump, pg_dump -Fc)
    media/<storage name>   every media file and poster the database names, under its storage name

`manifest.json` records the format, the clipdesk version, the database vendor, the latest applied
migration of every app, when the database snapshot was taken, and one entry per file.
"""

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

FORMAT = "clipdesk-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative, with forward slashes
    size: int
    sha256: str


@dataclass
class Manifest:
    clipdesk_version: str
    created_at: str  # ISO 8601, UTC: when the database snapshot was taken
    database_vendor: str  # Django's vendor name: "sqlite" or "postgresql"
    database_file: str
    migrations: dict[str, str]  # app label -> latest applied migration
    files: list[FileEntry] = field(default_factory=list)
    missing_media: list[str] = field(default_factory=list)  # named by the database, absent from storage
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def media_files(self) -> list[FileEntry]:
        return [f for f in self.files if f.path.startswith(f"{MEDIA_DIR}/")]

    def to_json(self) -> str:
        data = asdict(self)
        data["files"] = [asdict(f) for f in self.files]
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise BackupError(f"{MANIFEST_NAME} is not a clipdesk backup manifest.")
            if data.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"This backup has format version {data.get('format_version')}; this clipdesk reads "
                    f"version {FORMAT_VERSION}. Restore it with the clipdesk version that made it "
                    f"({data.get('clipdesk_version')})."
                )
            files = [FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"])) for f in data["files"]]
            manifest = cls(
                clipdesk_version=str(data["clipdesk_version"]),
                created_at=str(data["created_at"]),
                database_vendor=str(data["database_vendor"]),
                database_file=str(data["database_file"]),
                migrations={str(k): str(v) for k, v in data["migrations"].items()},
                files=files,
                missing_media=[str(name) for name in data.get("missing_media", [])],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"{MANIFEST_NAME} is damaged ({exc}).") from exc
        for entry in manifest.files:
            check_relative(entry.path)
        if manifest.database_file not in {f.path for f in manifest.files}:
            raise BackupError(f"{MANIFEST_NAME} lists no checksum for the database file.")
        return manifest


def check_relative(path: str) -> PurePosixPath:
    """A path that stays inside the backup directory; anything else is refused, never followed."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path or str(pure) != path:
        raise BackupError(f"Refusing the path {path!r}: backup paths are plain relative paths.")
    return pure


def hash_stream(
    source: BinaryIO, *, target: BinaryIO | None = None, on_chunk: Callable[[int], None] | None = None
) -> tuple[int, str]:
    """Size and SHA-256 of a stream, read in chunks; copied to `target` on the way when given."""
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        if target is not None:
            target.write(chunk)
        size += len(chunk)
        if on_chunk:
            on_chunk(len(chunk))
    return size, digest.hexdigest()


def hash_file(path: Path, on_chunk: Callable[[int], None] | None = None) -> tuple[int, str]:
    with open(path, "rb") as handle:
        return hash_stream(handle, on_chunk=on_chunk)


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Write the manifest last and atomically: its presence is what marks the backup finished."""
    partial = root / f".{MANIFEST_NAME}.partial"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(manifest.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, root / MANIFEST_NAME)
    fsync_dir(root)


def read_manifest(root: Path) -> Manifest:
    path = root / MANIFEST_NAME
    if not root.is_dir():
        raise BackupError(f"{root} is not a directory.")
    if not path.is_file():
        raise BackupError(
            f"{root} holds no {MANIFEST_NAME}: it is not a clipdesk backup, or the backup did not finish."
        )
    return Manifest.from_json(path.read_text(encoding="utf-8"))


def verify_files(
    root: Path, entries: Iterable[FileEntry], on_chunk: Callable[[int], None] | None = None
) -> list[str]:
    """Every problem with the backup's files (missing, wrong size, wrong checksum); empty when all match."""
    problems = []
    for entry in entries:
        path = root / check_relative(entry.path)
        if not path.is_file():
            problems.append(f"{entry.path}: missing")
            continue
        size, sha256 = hash_file(path, on_chunk)
        if size != entry.size:
            problems.append(f"{entry.path}: {size} bytes, the manifest says {entry.size}")
        elif sha256 != entry.sha256:
            problems.append(f"{entry.path}: SHA-256 {sha256}, the manifest says {entry.sha256}")
    return problems


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
