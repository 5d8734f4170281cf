"""ASGI entry point: `gunicorn -k asgi clipdesk.asgi`, what `clipdesk serve` runs by default.

Why ASGI: gunicorn's asyncio worker reads requests in its event loop, and Django's ASGI handler reads
a request's whole body before it hands the request to a thread. A client that sends its body slowly
(a field upload over hotel Wi-Fi, or an attacker) holds a coroutine, not a worker process or a
thread, so it cannot starve the pages (bench/load_bench.py measured the worker classes; README
"Serving"). `BodyLimits` adds what neither does: a body that stops arriving for
CLIPDESK_REQUEST_BODY_TIMEOUT seconds is answered 408, and one larger than the largest upload 413 at
once, before Django spools it to disk.
"""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402  configured by get_asgi_application

# Room for a multipart form's fields and boundaries around the largest upload.
FORM_OVERHEAD = 1024 * 1024


def _plain(status: int, text: str) -> tuple[dict, dict]:
    body = text.encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class BodyLimits:
    """ASGI middleware: a stalled body gets 408 and an oversized one 413, and the app never sees them."""

    def __init__(self, app, *, idle_timeout: float, max_bytes: int):
        self.app = app
        self.idle_timeout = idle_timeout
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            return await self._refuse(send, *_plain(413, self._too_large()))
        state = {"received": 0, "refusal": None, "started": False}

        async def guarded_receive():
            try:
                message = await asyncio.wait_for(receive(), timeout=self.idle_timeout)
            except TimeoutError:
                state["refusal"] = _plain(
                    408,
                    f"The request body stopped arriving for {self.idle_timeout:g} s "
                    "(CLIPDESK_REQUEST_BODY_TIMEOUT); send it again.",
                )
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_bytes:
                    state["refusal"] = _plain(413, self._too_large())
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message):
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, guarded_receive, tracked_send)
        if state["refusal"] and not state["started"]:
            await self._refuse(send, *state["refusal"])

    @staticmethod
    async def _refuse(send, start: dict, body: dict) -> None:
        await send(start)
        await send(body)

    def _too_large(self) -> str:
        return (
            f"The request body is over {self.max_bytes // 2**20:,} MB, the largest upload "
            "(CLIPDESK_MAX_UPLOAD_MB); large recordings go in parts through /staff/ingest/."
        )


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


application = BodyLimits(
    django_application,
    idle_timeout=settings.CLIPDESK_REQUEST_BODY_TIMEOUT,
    max_bytes=int(settings.CLIPDESK_MAX_UPLOAD_MB * 2**20) + FORM_OVERHEAD,
)
