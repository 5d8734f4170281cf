"""Media files, served with HTTP Range support so that players can seek.

Browsers ask for byte ranges when the viewer seeks; a server that answers 200 with the whole file
makes `video.currentTime` snap back to 0. Media of unpublished clips is for staff only.
"""

import re

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from clipdesk.archive.models import Clip

from .models import MediaAsset

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


class _Slice:
    """`remaining` bytes of an open file, in chunks; Django calls close() when the response ends."""

    def __init__(self, handle, remaining: int):
        self.handle, self.remaining = handle, remaining

    def __iter__(self):
        while self.remaining > 0:
            block = self.handle.read(min(CHUNK, self.remaining))
            if not block:
                break
            self.remaining -= len(block)
            yield block

    def close(self) -> None:
        self.handle.close()


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
    content_type = asset.mime_type if kind == "file" else "image/jpeg"
    size = field.size
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        response = FileResponse(field.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:  # "bytes=-N": the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = field.open("rb")
    handle.seek(start)
    response = StreamingHttpResponse(_Slice(handle, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
