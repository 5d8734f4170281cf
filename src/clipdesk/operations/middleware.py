"""While the database cannot be reached, pages answer 503 instead of a server error; HEAD is answered as GET;
files stream a block at a time under ASGI."""

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

log = logging.getLogger(__name__)

# What a client (or a proxy) is told to wait before asking again: a restart or a failover takes seconds.
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is down, restarting, refusing connections or busy
    (Django's OperationalError and InterfaceError) answers 503 with Retry-After and a short page.

    The page is rendered without the request's context: its context processors would ask the database
    who is signed in. The error goes to the log only, since psycopg's message names the server, its
    port and the user. The failed connection needs no handling here: Django closes a connection that
    raised at the end of the request, and checks a kept one before reusing it (CONN_HEALTH_CHECKS), so
    the first request after the database is back gets a new one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        return unavailable_response()


def unavailable_response() -> HttpResponse:
    page = render_to_string("operations/unavailable.html", {"site_name": settings.CLIPDESK_SITE_NAME})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class HeadAsGetMiddleware:
    """HEAD is answered wherever GET is: the request goes through as a GET and the body is dropped.

    Most views are decorated with require_GET, which (unlike require_safe) refuses HEAD with 405,
    while link checkers, feed readers and uptime monitors send HEAD. Rather than rely on every view
    saying so, HEAD becomes GET here, before any other middleware or view looks at the method, and the
    response keeps its status and headers (Content-Length included) without its body (RFC 9110 9.3.2).
    A view that refuses GET refuses HEAD the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        # Replacing the content keeps the response's closers: a streamed file is closed unread.
        if response.streaming:
            response.streaming_content = []
        else:
            response.content = b""
        return response


_END = object()


class AsyncStreamingMiddleware:
    """Under ASGI, a response streamed from a file is read a block at a time, never whole.

    Django's ASGI handler consumes a streaming response with a synchronous iterator (a FileResponse:
    media with Range, static files, exports) by reading all of it into memory first
    (StreamingHttpResponse.__aiter__), which for an hour of video is a gigabyte per request. Such a
    response gets an asynchronous iterator here that reads each block in a thread. First in the
    middleware, so that WhiteNoise's responses pass through it too; under WSGI it does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(request, ASGIRequest) and response.streaming and not response.is_async:
            response.streaming_content = _blocks(response.streaming_content)
        return response


async def _blocks(iterator):
    read = sync_to_async(next, thread_sensitive=False)
    iterator = iter(iterator)
    while (block := await read(iterator, _END)) is not _END:
        yield block
