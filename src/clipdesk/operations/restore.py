"""Restore a backup made by `clipdesk backup`: verify everything first, then the database, then the media.

Nothing is written until every file in the backup has matched its size and SHA-256 in the manifest,
the backup's database vendor matches this site's, its migrations are all known to this code, and the
database is empty (or the caller forces the restore). Media files already in the storage with the
right content are left alone, so a restore interrupted during the media can simply be run again.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections

from clipdesk.media.streams import StoredStream

from .databases import archiver_for, holds_data
from .manifest import MEDIA_DIR, BackupError, Manifest, hash_stream, read_manifest, verify_files
from .progress import Tracker
from .schema import pending_migrations, unknown_migrations


@dataclass
class RestoreResult:
    manifest: Manifest
    media_written: int = 0
    media_unchanged: int = 0
    pending: list[str] = field(default_factory=list)  # migrations to apply before the site starts


def check_backup(source: Path, *, tracker: Tracker) -> Manifest:
    """The backup's manifest, once every file in it has matched its size and checksum."""
    manifest = read_manifest(source)
    bar = tracker.bar("verifying", total=sum(f.size for f in manifest.files), unit="bytes")
    problems = verify_files(source, manifest.files, bar.advance)
    if problems:
        listed = "\n  ".join(problems)
        raise BackupError(f"The backup in {source} is damaged; nothing was restored.\n  {listed}")
    return manifest


def _same_content(storage, name: str, sha256: str) -> bool:
    with StoredStream(storage, name) as handle:
        return hash_stream(handle)[1] == sha256


def _restore_media(source: Path, manifest: Manifest, result: RestoreResult, tracker: Tracker) -> None:
    storage = default_storage
    entries = manifest.media_files
    bar = tracker.bar("media", total=sum(e.size for e in entries), unit="bytes")
    for entry in entries:
        name = entry.path.removeprefix(f"{MEDIA_DIR}/")
        if storage.exists(name):
            if _same_content(storage, name, entry.sha256):
                result.media_unchanged += 1
                bar.advance(entry.size)
                continue
            storage.delete(name)  # the restored database names this file with the backup's content
        with open(source / entry.path, "rb") as handle:
            saved = storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"The storage saved {name} as {saved}; the database would not find it.")
        result.media_written += 1
        bar.advance(entry.size)


def restore_backup(
    source: Path, *, force: bool = False, tracker: Tracker, using: str = DEFAULT_DB_ALIAS
) -> RestoreResult:
    """Restore `source` into this site's database and media storage.

    Raises BackupError before anything is written when the backup is damaged or does not fit this
    site, and when the database holds data and `force` is not set.
    """
    source = Path(source)
    manifest = check_backup(source, tracker=tracker)
    connection = connections[using]
    archiver = archiver_for(connection)
    if manifest.database_vendor != archiver.vendor:
        raise BackupError(
            f"This backup holds a {manifest.database_vendor} database and this site runs on {archiver.vendor}. "
            "Restore it into a site on the same kind of database."
        )
    unknown = unknown_migrations(manifest.migrations)
    if unknown:
        raise BackupError(
            f"This backup was made by clipdesk {manifest.clipdesk_version}, whose database has migrations "
            f"this clipdesk does not know ({', '.join(unknown)}). Install that version or a newer one first."
        )
    if not force:
        found = holds_data(connection)
        if found:
            raise BackupError(
                f"The database is not empty (it holds {', '.join(found)}); nothing was restored. "
                "Restore into an empty database, or pass --force to replace its contents."
            )
    archiver.restore(source / manifest.database_file)
    result = RestoreResult(manifest)
    _restore_media(source, manifest, result, tracker)
    result.pending = pending_migrations(connection)
    return result
