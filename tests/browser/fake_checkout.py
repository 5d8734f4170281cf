"""A payment provider for browser tests whose hosted checkout is a page on another origin.

Like Stripe's, its checkout lives outside the site, so a browser shows whether the donate form's
Content-Security-Policy lets the donor reach it. `serve()` starts the checkout page on a free loopback
port and points the provider at it.
"""

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from clipdesk.donations.providers import Checkout, CheckoutRequest, InvalidSignature, PaymentEvent

PAGE = b"<!doctype html><title>Fake checkout</title><h1>Fake checkout</h1>"


class FakeCheckout:
    name = "fake"
    label = "a fake provider (tests)"
    is_live = False
    origin = ""  # set by serve()

    @property
    def checkout_origins(self) -> tuple[str, ...]:
        return (self.origin,)

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        return Checkout(id=f"fake_cs_{request.reference}", url=f"{self.origin}/pay/{request.reference}")

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        raise InvalidSignature("The fake provider sends no events.")


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format, *args):
        pass


@contextmanager
def serve() -> Iterator[str]:
    """The fake checkout page on 127.0.0.1 and a free port; yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeCheckout.origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield FakeCheckout.origin
    finally:
        server.shutdown()
        server.server_close()
        FakeCheckout.origin = ""
