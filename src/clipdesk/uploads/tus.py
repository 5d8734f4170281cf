"""The tus 1.0.0 resumable upload protocol (https://tus.io/protocols/resumable-upload), server side:
the core protocol with the creation, termination and expiration extensions.

    POST   <collection>        Upload-Length, Upload-Metadata   -> 201, Location of the new upload
    HEAD   <upload>                                             -> Upload-Offset: where to go on
    PATCH  <upload>            Upload-Offset, the next bytes    -> 204, the new Upload-Offset
    DELETE <upload>                                             -> 204, the upload and its bytes gone
    OPTIONS                                                     -> what this server supports

`TusEndpoint` answers these for whoever `authenticate(request)` names (a staff session or an API
token: the views that mount it decide) and writes only through the named actions. Each PATCH is a
short request: its bytes go to a local temporary file first, then into the media storage under the
upload's lock, so a connection cut halfway stores nothing of that part and the client sends it again
from the offset HEAD reports.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import http_date

from . import actions
from .models import Upload

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
READ_BLOCK = 1024 * 1024


def _response(status: int, text: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _expires(upload: Upload) -> str:
    return http_date(upload.expires_at.timestamp())


def _whole_number(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


class TusEndpoint:
    """`collection(request)` and `upload(request, upload_id)` answer the protocol; `location(upload)`
    is the URL of an upload, `authenticate(request)` the user asking (or None)."""

    def __init__(
        self, *, authenticate: Callable, location: Callable[[Upload], str], refuse_unknown: int = 401
    ):
        """`refuse_unknown`: the status for a request with no acceptable credentials: 401 where a
        token is the way in (with a Bearer challenge), 403 where it is a staff session."""
        self.authenticate = authenticate
        self.location = location
        self.refuse_unknown = refuse_unknown

    def collection(self, request) -> HttpResponse:
        if request.method == "OPTIONS":
            return self._options()
        if request.method != "POST":
            return _response(405, "POST creates an upload here.", Allow="POST, OPTIONS")
        return self._guarded(request, lambda user: self._create(request, user))

    def upload(self, request, upload_id) -> HttpResponse:
        if request.method == "OPTIONS":
            return self._options()
        handlers = {"HEAD": self._head, "GET": self._head, "PATCH": self._patch, "DELETE": self._delete}
        handler = handlers.get(request.method)
        if handler is None:
            return _response(405, "HEAD, PATCH or DELETE an upload.", Allow="HEAD, PATCH, DELETE, OPTIONS")

        def run(user):
            try:
                upload = actions.owned(upload_id, user=user)
            except Upload.DoesNotExist:
                return _response(404, "No such upload: it was finished, deleted or has expired.")
            return handler(request, user, upload)

        return self._guarded(request, run)

    # -- the requests ----------------------------------------------------------------------------------

    def _options(self) -> HttpResponse:
        response = _response(204, Tus_Version=VERSION, Tus_Extension=EXTENSIONS)
        response["Tus-Max-Size"] = str(actions.max_bytes())
        return response

    def _guarded(self, request, run) -> HttpResponse:
        user = self.authenticate(request)
        if user is None:
            response = _response(self.refuse_unknown, "Uploading needs a staff sign-in or an API token.")
            if self.refuse_unknown == 401:
                response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        # HEAD is a GET to Django's middleware (clipdesk.operations.middleware.HeadAsGetMiddleware).
        if request.headers.get("Tus-Resumable") != VERSION and request.method not in ("GET", "HEAD"):
            return _response(412, f"This server speaks tus {VERSION}.", Tus_Version=VERSION)
        try:
            return run(user)
        except PermissionDenied as exc:
            return _response(403, str(exc))
        except actions.UploadRefused as exc:
            return _response(exc.status, " ".join(exc.messages))

    def _create(self, request, user) -> HttpResponse:
        if "Upload-Defer-Length" in request.headers:
            return _response(400, "Upload-Defer-Length is not supported: send Upload-Length.")
        length = _whole_number(request.headers.get("Upload-Length"))
        if length is None:
            return _response(400, "Upload-Length (the file's size in bytes) is required.")
        metadata = actions.parse_metadata(request.headers.get("Upload-Metadata", ""))
        upload = actions.create_upload(user=user, length=length, metadata=metadata)
        return _response(201, Location=self.location(upload), Upload_Expires=_expires(upload))

    def _head(self, request, user, upload: Upload) -> HttpResponse:
        response = _response(200, Upload_Offset=str(upload.offset), Upload_Length=str(upload.length))
        response["Upload-Expires"] = _expires(upload)
        return response

    def _patch(self, request, user, upload: Upload) -> HttpResponse:
        if request.content_type != "application/offset+octet-stream":
            return _response(415, "A PATCH carries Content-Type: application/offset+octet-stream.")
        offset = _whole_number(request.headers.get("Upload-Offset"))
        if offset is None:
            return _response(400, "Upload-Offset (the byte the part starts at) is required.")
        if offset != upload.offset:
            return _response(409, f"Upload-Offset is {offset}, but {upload.offset} bytes have arrived.")
        room = upload.length - offset
        with tempfile.TemporaryDirectory(prefix="clipdesk-part-", dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
            part = Path(tmp) / "part"
            with open(part, "wb") as out:
                received = 0
                while block := request.read(READ_BLOCK):
                    received += len(block)
                    if received > room:
                        return _response(413, f"The part is longer than the {room} bytes left of the upload.")
                    out.write(block)
            declared = _whole_number(request.headers.get("Content-Length"))
            if declared is not None and received != declared:  # the connection was cut: keep nothing
                return _response(400, f"The part ended after {received} of its {declared} bytes.")
            upload = actions.append(upload, user=user, offset=offset, part=part)
        return _response(204, Upload_Offset=str(upload.offset), Upload_Expires=_expires(upload))

    def _delete(self, request, user, upload: Upload) -> HttpResponse:
        actions.terminate(upload, user=user)
        return _response(204)
