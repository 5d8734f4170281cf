"""Stored media read as a stream, through the storage API, without first making a whole copy.

A file on disk is read in place. django-storages' S3File, though, downloads the whole object (into
memory or a temporary file) on its first read or seek: a player seeking in an hour-long recording, or
verify-media hashing the archive, would pull every byte into a second copy first. For an S3 object,
`StoredStream` asks the bucket for the bytes themselves (a GET, with a Range when only part is
wanted) and reads the answer as it arrives.
"""

import sys
from collections.abc import Mapping
from typing import Any, Protocol, Self


class StoredFile(Protocol):
    """A stored file opened for reading (Django's `File`, as a storage's `open` returns it)."""

    @property
    def size(self) -> int: ...
    def read(self, size: int = -1) -> bytes: ...
    def seek(self, offset: int) -> object: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...


class Storage(Protocol):
    """What media code asks of a Django storage (the file system's, or django-storages' S3).

    `path` raises NotImplementedError for a store whose files are not on this machine.
    """

    def open(self, name: str, mode: str = "rb") -> StoredFile: ...
    def path(self, name: str) -> str: ...


class _Body(Protocol):
    """The body of an S3 GET (botocore's StreamingBody), read as it arrives."""

    def read(self, amt: int | None = None) -> bytes: ...
    def close(self) -> None: ...


class _S3Object(Protocol):
    """A boto3 `s3.Object`: its GET answers a mapping whose "Body" is a `_Body`."""

    def get(self, **kwargs: str) -> Mapping[str, Any]: ...


def _s3_object(handle: StoredFile) -> _S3Object | None:
    """The boto3 Object behind an S3File, or None for any other file."""
    # Looked up, not imported: only a site that stores media in S3 has loaded django-storages' S3
    # backend (and boto3 with it), and only there can `handle` be one of its files.
    s3 = sys.modules.get("storages.backends.s3")
    if s3 is not None and isinstance(handle, s3.S3File):
        obj: _S3Object = handle.obj
        return obj
    return None


class StoredStream:
    """A stored file, opened for reading from any byte on.

    Opening it checks that the file is there (FileNotFoundError when it is not) and learns its size;
    on S3 that is one HEAD request. Use it as a context manager, or close() it.
    """

    def __init__(self, storage: Storage, name: str):
        self.name = name
        self._handle = storage.open(name, "rb")
        self._object = _s3_object(self._handle)
        self._body: _Body | None = None
        self.size: int = self._handle.size

    def seek(self, start: int, end: int | None = None) -> None:
        """Read from byte `start` on. `end` (inclusive) is the last byte the reader wants, when it
        knows: a remote store then sends no more than that."""
        if self._object is None:
            self._handle.seek(start)
            return
        self._close_body()
        self._body = self._get(self._object, start, end)

    def _get(self, s3_object: _S3Object, start: int, end: int | None) -> _Body:
        """The bytes from `start` to `end` (inclusive; None for the last), as they arrive."""
        from botocore.exceptions import ClientError  # loaded already: the object came through boto3

        # The whole object is a plain GET: a Range on an empty object would be refused.
        wanted = (
            {} if start == 0 and end is None else {"Range": f"bytes={start}-{'' if end is None else end}"}
        )
        try:
            body: _Body = s3_object.get(**wanted)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(f"{self.name} is no longer in the bucket.") from exc
            raise
        return body

    def read(self, size: int = -1) -> bytes:
        if self._object is None:
            return self._handle.read(size)
        if self._body is None:
            self._body = self._get(self._object, 0, None)
        return self._body.read(None if size < 0 else size)

    def close(self) -> None:
        self._close_body()
        self._handle.close()

    def _close_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def __enter__(self) -> "StoredStream":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
