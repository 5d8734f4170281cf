"""Uploads: a handler that stops reading a file once it passes the size limit (Django would otherwise
write the whole upload to disk before the view could look at its size), and the clean-up after an
upload that could not be received.
"""

import contextlib

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class UploadLimit(FileUploadHandler):
    """Put first in `request.upload_handlers`; `exceeded` tells the view that a file was dropped."""

    def __init__(self, request, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self.exceeded = True
            # Read and drop the rest of the request, so that the browser gets the page that says why.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file


def abandon_upload(request, chunk_size: int = 64 * 1024) -> None:
    """After an upload failed midway (no room for its temporary file): removes what was written of it,
    and reads and drops the rest of the request, so that a client still sending gets the page that
    says why rather than a reset connection."""
    for handler in request.upload_handlers:
        partial = getattr(handler, "file", None)
        if partial is not None:
            partial.close()  # a temporary upload file is deleted when it is closed
    with contextlib.suppress(OSError):  # the client went away: nobody is left to answer
        while request.read(chunk_size):
            pass
