"""Where an upload's bytes go: the media storage, so that every web machine behind the proxy can take
the next part of an upload another one began.

On a file system (one disk, or one shared by the web machines) the parts are appended to one file.
Object storages (S3) cannot append: each part is an object named by the offset it starts at, and the
parts are joined into a local file when the upload is read. Either way a part is written before the
upload's offset moves (actions.append), so a part cut off halfway is never counted, and a part
written again after a failure simply replaces the first copy.
"""

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage

from .models import Upload

PREFIX = "uploads/partial"


def appends(storage=None) -> bool:
    """Whether the storage is a file system (one disk, or one the web machines share) to append to."""
    return isinstance(storage or default_storage, FileSystemStorage)


def file_name(upload: Upload) -> str:
    return f"{PREFIX}/{upload.pk}"


def part_name(upload: Upload, offset: int) -> str:
    return f"{PREFIX}/{upload.pk}.parts/{offset:016d}"


def write_part(upload: Upload, part: Path, offset: int) -> None:
    """Stores `part` (a local file) as the bytes of `upload` from `offset` on. The caller holds the
    upload's row lock and has checked that `offset` is what has arrived so far."""
    if appends():
        target = Path(default_storage.path(file_name(upload)))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "r+b" if target.exists() else "wb") as out, open(part, "rb") as source:
            # A part written before a failure to record it (the database went away) is cut off
            # first: the file holds exactly the bytes the row counts.
            out.truncate(offset)
            out.seek(offset)
            shutil.copyfileobj(source, out, 1024 * 1024)
        return
    name = part_name(upload, offset)
    default_storage.delete(name)  # S3Storage never overwrites: a repeated part replaces the first copy
    with open(part, "rb") as source:
        default_storage.save(name, File(source))


@contextlib.contextmanager
def local_copy(upload: Upload, name: str) -> Iterator[Path]:
    """The received bytes as a local file called `name` (in a temporary directory, removed after):
    the stored file itself on a file system, the parts joined on an object storage."""
    with tempfile.TemporaryDirectory(prefix="clipdesk-upload-") as tmp:
        path = Path(tmp) / name
        if appends():
            path.symlink_to(default_storage.path(file_name(upload)))
            yield path
            return
        with open(path, "wb") as out:
            position = 0
            while position < upload.offset:
                with default_storage.open(part_name(upload, position), "rb") as part:
                    shutil.copyfileobj(part, out, 1024 * 1024)
                    position = out.tell()
        yield path


def delete(upload: Upload) -> None:
    """Removes whatever of `upload` was stored."""
    if appends():
        default_storage.delete(file_name(upload))
        return
    folder = f"{PREFIX}/{upload.pk}.parts"
    with contextlib.suppress(FileNotFoundError):
        for part in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{part}")
