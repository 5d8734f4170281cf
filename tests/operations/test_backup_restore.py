"""clipdesk backup and restore, run in this process against the test database and a media directory."""

import hashlib
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

import clipdesk
from clipdesk.archive.models import Clip
from clipdesk.media.models import MediaAsset
from clipdesk.operations.manifest import BackupError, read_manifest
from clipdesk.operations.schema import latest_applied
from factories.archive import ClipFactory
from factories.media import attach_test_video

# Restoring replaces the whole database, which a test wrapped in a transaction could not see.
pytestmark = pytest.mark.django_db(transaction=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def backed_up(tmp_path):
    """A clip with a video, backed up to tmp_path/backup."""
    clip = ClipFactory(title="Kept in the backup")
    asset = attach_test_video(clip, tmp_path)
    dest = tmp_path / "backup"
    call_command("backup", str(dest), verbosity=0)
    return dest, clip, asset


def test_backup_holds_the_database_the_media_and_a_manifest(backed_up):
    dest, clip, asset = backed_up
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["format"] == "clipdesk-backup"
    assert manifest["clipdesk_version"] == clipdesk.__version__
    assert manifest["database_vendor"] == "sqlite"
    applied = latest_applied(MigrationRecorder(connection).applied_migrations())
    assert manifest["migrations"] == applied
    assert manifest["migrations"]["archive"].startswith("00")
    assert manifest["created_at"].endswith("+00:00")
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == {"database.sqlite3", f"media/{asset.file.name}"}
    for path, entry in listed.items():
        assert (entry["size"], entry["sha256"]) == ((dest / path).stat().st_size, sha256(dest / path))
    assert listed[f"media/{asset.file.name}"]["sha256"] == asset.sha256
    with sqlite3.connect(dest / "database.sqlite3") as saved:
        assert saved.execute("SELECT title FROM archive_clip WHERE id = ?", [clip.pk]).fetchone() == (
            "Kept in the backup",
        )
        assert saved.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert not (dest / "database.sqlite3-wal").exists()


@pytest.mark.parametrize("existing", [False, True], ids=["new directory", "empty directory"])
def test_backup_is_readable_by_its_owner_only(tmp_path, existing):
    """A backup holds subscribers' addresses and password hashes: directories 0700, files 0600,
    whatever the umask of the shell that ran it."""
    clip = ClipFactory()
    attach_test_video(clip, tmp_path)
    dest = tmp_path / "backup"
    if existing:
        dest.mkdir(mode=0o755)
    previous = os.umask(0o022)
    try:
        call_command("backup", str(dest), verbosity=0)
        assert os.umask(0o022) == 0o022, "the backup left the process umask changed"
    finally:
        os.umask(previous)
    paths = [dest, *dest.rglob("*")]
    assert any(p.is_file() and p.parent != dest for p in paths), "no media file was backed up"
    modes = {str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode) for p in paths}
    wanted = {str(p.relative_to(tmp_path)): 0o700 if p.is_dir() else 0o600 for p in paths}
    assert modes == wanted


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    dest = tmp_path / "backup"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(dest), verbosity=0)
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_backup_into_an_empty_existing_directory(tmp_path):
    dest = tmp_path / "backup"
    dest.mkdir()
    call_command("backup", str(dest), verbosity=0)
    assert read_manifest(dest).database_vendor == "sqlite"


def test_restore_replaces_the_database_and_the_media(backed_up, media_root):
    dest, _, asset = backed_up
    ClipFactory(title="Made after the backup")
    default_storage.delete(asset.file.name)
    with pytest.raises(CommandError, match=r"not empty \(it holds .*2 clips"):
        call_command("restore", str(dest), verbosity=0)
    assert Clip.objects.filter(title="Made after the backup").exists()  # refused: nothing changed
    assert not default_storage.exists(asset.file.name)

    call_command("restore", str(dest), "--force", verbosity=0)
    assert list(Clip.objects.values_list("title", flat=True)) == ["Kept in the backup"]
    restored = MediaAsset.objects.get()
    assert sha256(media_root / restored.file.name) == asset.sha256


def test_restore_into_a_fresh_database_needs_no_force(backed_up, media_root):
    dest, clip, _ = backed_up
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(dest), verbosity=0)
    assert Clip.objects.get().pk == clip.pk


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda dest, media: _flip_a_byte(dest / "media" / media), "SHA-256"),
        (lambda dest, media: _flip_a_byte(dest / "database.sqlite3"), "database.sqlite3: SHA-256"),
        (lambda dest, media: (dest / "media" / media).unlink(), "missing"),
        (lambda dest, media: (dest / "database.sqlite3").write_bytes(b"short"), "5 bytes"),
        (lambda dest, media: (dest / "manifest.json").unlink(), "holds no manifest.json"),
        (lambda dest, media: (dest / "manifest.json").write_text("{"), "manifest.json is damaged"),
    ],
)
def test_restore_verifies_everything_before_writing_anything(backed_up, media_root, damage, message):
    dest, _, asset = backed_up
    damage(dest, asset.file.name)
    ClipFactory(title="Made after the backup")
    default_storage.delete(asset.file.name)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(dest), "--force", verbosity=0)
    assert sorted(Clip.objects.values_list("title", flat=True)) == [
        "Kept in the backup",
        "Made after the backup",
    ]
    assert not default_storage.exists(asset.file.name)


def _edit_manifest(dest: Path, **changes) -> None:
    path = dest / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_restore_refuses_a_backup_from_another_kind_of_database(backed_up):
    dest, *_ = backed_up
    _edit_manifest(dest, database_vendor="postgresql")
    with pytest.raises(CommandError, match="holds a postgresql database and this site runs on sqlite"):
        call_command("restore", str(dest), "--force", verbosity=0)


def test_restore_refuses_a_backup_from_a_newer_clipdesk(backed_up):
    dest, *_ = backed_up
    migrations = json.loads((dest / "manifest.json").read_text())["migrations"]
    _edit_manifest(dest, clipdesk_version="9.0.0", migrations={**migrations, "archive": "0999_future"})
    with pytest.raises(CommandError, match=r"clipdesk 9\.0\.0.*archive\.0999_future"):
        call_command("restore", str(dest), "--force", verbosity=0)


@pytest.mark.parametrize("path", ["../outside", "/etc/passwd", "media/../../outside", "./media/x"])
def test_manifest_paths_must_stay_inside_the_backup(backed_up, path):
    dest, *_ = backed_up
    files = json.loads((dest / "manifest.json").read_text())["files"]
    _edit_manifest(dest, files=[*files, {"path": path, "size": 1, "sha256": "0" * 64}])
    with pytest.raises(BackupError, match="Refusing the path"):
        read_manifest(dest)


def test_media_missing_from_storage_is_listed_and_the_backup_still_made(tmp_path, media_root):
    asset = attach_test_video(ClipFactory(), tmp_path)
    default_storage.delete(asset.file.name)
    dest = tmp_path / "backup"
    with pytest.raises(CommandError, match="1 media files named by the database are missing"):
        call_command("backup", str(dest), verbosity=0)
    manifest = read_manifest(dest)
    assert manifest.missing_media == [asset.file.name]
    assert manifest.media_files == []
    call_command("restore", str(dest), "--force", verbosity=0)  # the database still comes back
    assert MediaAsset.objects.get().pk == asset.pk


def test_cli_backup_and_restore_print_what_they_did(backed_up, capsys):
    from clipdesk.cli import main

    dest, *_ = backed_up
    main(["clipdesk", "restore", str(dest), "--force", "-v", "0"])
    out = capsys.readouterr().out
    assert "Verified 2 files. Restored the sqlite database" in out
    assert "0 media files (1 were already in place)" in out
    assert "clipdesk repair" in out
