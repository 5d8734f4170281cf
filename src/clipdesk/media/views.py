"""Media files, served with HTTP Range support so that players can seek.

Browsers ask for byte ranges when the viewer seeks; a server that answers 200 with the whole file
makes `video.currentTime` snap back to 0. Media of unpublished clips is for staff only. Files are read
through the storage: from disk, or from the bucket a range at a time (clipdesk.media.streams).

A file is served inline only as what its content is: the type the probe recorded when it was attached,
or, for a poster, a JPEG or PNG known by its first bytes. Anything else is a download of opaque bytes
(`application/octet-stream`, `attachment`, with `nosniff`): a file served from our own origin as
script or HTML would run with the reader's cookies, and the CSP's `script-src 'self'` would let it.
"""

import re
from pathlib import PurePosixPath

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from clipdesk.accounts.decorators import staff_required
from clipdesk.archive.models import Clip
from clipdesk.caching import tag
from clipdesk.caching.tags import mark

from . import actions, waveform
from .models import MediaAsset
from .probe import PLAYABLE_TYPES, SNIFF_BYTES, sniff_image
from .streams import StoredStream

# [0-9], not \d: \d also matches other scripts' digits ("٣"), which are not HTTP.
_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
# More than any file holds; a position given with more digits than this is read as this.
_BEYOND = 10**18
CHUNK = 64 * 1024


class _Slice:
    """Bytes `start`..`end` of a stored file, in chunks; Django calls close() when the response ends.

    Nothing is read until the response is sent, so a HEAD request never fetches the file's bytes.
    """

    def __init__(self, stream: StoredStream, start: int, end: int):
        self.stream, self.start, self.end = stream, start, end

    def __iter__(self):
        remaining = self.end - self.start + 1
        if remaining <= 0:  # an empty file
            return
        self.stream.seek(self.start, self.end)
        while remaining > 0:
            block = self.stream.read(min(CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block

    def close(self) -> None:
        self.stream.close()


def _requested_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte a Range header asks for, or None for the whole file.

    The pair may lie outside the file (start >= size): the caller answers 416 then.
    """
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = (_position(digits) if digits else None for digits in match.groups())
    if first is not None:
        return first, min(last, size - 1) if last is not None else size - 1
    return max(0, size - last), size - 1  # "bytes=-N": the last N bytes


def _position(digits: str) -> int:
    """A byte position; int() raises for more than 4,300 digits, and any 19 of them are beyond the file."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) < 19 else _BEYOND


def _inline_type(asset: MediaAsset, kind: str, stream: StoredStream) -> str | None:
    """The type to serve the file inline as, from its content; None when it is to be a download.

    Never `asset.mime_type`: that is only what the row declares.
    """
    if kind == "file":
        return asset.probed_type if asset.probed_type in PLAYABLE_TYPES else None
    if stream.size == 0:
        return None
    stream.seek(0, SNIFF_BYTES - 1)
    return sniff_image(stream.read(SNIFF_BYTES))


@require_http_methods(["GET", "HEAD"])
def asset_file(request, pk: int, kind: str = "file"):
    asset = get_object_or_404(MediaAsset.objects.select_related("clip"), pk=pk)
    if asset.clip.status != Clip.Status.PUBLISHED and not (
        request.user.is_authenticated and request.user.is_staff
    ):
        raise Http404("No such media.")
    field = asset.poster if kind == "poster" else asset.file
    if not field:
        raise Http404("No such media.")
    # Public media is cached by its content: for a year (immutable) at its versioned address, briefly at
    # any other; purged with its clip (a withdrawal).
    version = asset.version(kind)
    mark("media" if request.GET.get("v") == version else "download")
    tag(f"clip-{asset.clip.number}")
    try:
        stream = StoredStream(field.storage, field.name)
    except FileNotFoundError:
        raise Http404("The media file is missing from storage.") from None
    size = stream.size
    wanted = _requested_range(request.headers.get("Range", ""), size)
    start, end = wanted or (0, size - 1)
    if wanted and (start >= size or start > end):
        stream.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    try:
        inline_type = _inline_type(asset, kind, stream)
    except FileNotFoundError:
        stream.close()
        raise Http404("The media file is missing from storage.") from None
    response = StreamingHttpResponse(
        _Slice(stream, start, end),
        status=206 if wanted else 200,
        content_type=inline_type or "application/octet-stream",
    )
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{asset.sha256 if kind == "file" else version}"'
    response["Content-Disposition"] = content_disposition_header(
        inline_type is None, PurePosixPath(field.name).name
    )
    return response


@staff_required
@require_GET
def peaks(request, pk: int):
    """The waveform strip's peaks for the editor (computed on the first request, then stored)."""
    asset = get_object_or_404(MediaAsset, pk=pk)
    return JsonResponse({"per_second": waveform.PER_SECOND, "peaks": actions.ensure_peaks(asset)})
