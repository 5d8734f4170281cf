"""Slow clients cannot starve the site: `clipdesk serve` (asyncio workers by default) answers pages while
more clients than it has workers x threads dribble their request bodies, answers a body that stalls
with 408 and one over the largest upload with 413. Each test asks a real `clipdesk serve` over HTTP."""

import socket
import time

import pytest

from operations.servers import stop_process
from operations.sites import ROOT, Served

WORKERS = 2
THREADS = 2  # CLIPDESK_WEB_THREADS: what a gthread worker would have


@pytest.fixture
def served(make_site):
    started = []

    def start(**env: str) -> Served:
        site = make_site(CLIPDESK_WEB_THREADS=str(THREADS), **env)
        started.append(Served(site, workers=WORKERS))
        return started[-1]

    yield start
    for server in started:
        stop_process(server.process)


def slow_post(port: int, path: str = "/subscribe/", length: int = 100_000) -> socket.socket:
    """A POST whose headers and first bytes arrive, and whose body then stalls."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\nemail=slow"
    )
    sock.sendall(head.encode())
    return sock


def test_pages_answer_within_a_second_while_more_clients_than_workers_x_threads_send_slowly(served):
    server = served()
    assert server.get("/").status == 200  # the page is compiled and cached before the clock starts
    slow = [slow_post(server.port) for _ in range(WORKERS * THREADS + 4)]
    try:
        time.sleep(1)  # every slow client is connected and has sent its headers
        for _ in range(3):
            started = time.monotonic()
            answer = server.get("/")
            took = time.monotonic() - started
            assert answer.status == 200
            assert took < 1.0, f"the home page took {took:.2f} s behind {len(slow)} slow clients"
    finally:
        for sock in slow:
            sock.close()


def read_answer(sock: socket.socket) -> str:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received.decode("utf-8", "replace")


def test_a_body_that_stops_arriving_is_answered_408(served):
    server = served(CLIPDESK_REQUEST_BODY_TIMEOUT="1")
    sock = slow_post(server.port)
    started = time.monotonic()
    try:
        answer = read_answer(sock)
    finally:
        sock.close()
    assert answer.startswith("HTTP/1.1 408 "), answer[:200]
    assert "CLIPDESK_REQUEST_BODY_TIMEOUT" in answer
    assert time.monotonic() - started < 10


def test_a_body_over_the_largest_upload_is_refused_413_before_it_is_read(served):
    server = served(CLIPDESK_MAX_UPLOAD_MB="1")
    sock = slow_post(server.port, "/staff/ingest/", length=50 * 2**20)
    try:
        answer = read_answer(sock)
    finally:
        sock.close()
    assert answer.startswith("HTTP/1.1 413 "), answer[:200]
    assert "CLIPDESK_MAX_UPLOAD_MB" in answer


def test_files_stream_under_the_asyncio_workers_a_block_at_a_time(served):
    """Django's ASGI handler would read a file response whole into memory first (and warn): the
    middleware gives it an asynchronous iterator, and the file arrives as it is."""
    server = served()
    css = ROOT / "src" / "clipdesk" / "ingest" / "static" / "ingest" / "ingest.css"
    answer = server.get("/static/ingest/ingest.css")
    assert (answer.status, answer.body) == (200, css.read_text())
    assert "synchronous iterators" not in server.site.logs()
