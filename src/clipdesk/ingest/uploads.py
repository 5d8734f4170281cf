"""An upload handler that stops reading a file once it passes the size limit.

Django would otherwise write the whole upload to disk before the view could look at its size.
"""

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
