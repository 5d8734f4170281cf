"""Plain helpers that tests in every folder share; the fixtures built on them are in tests/conftest.py.

One place for each: a free loopback port, the SMTP handler that keeps (or refuses) what it is sent,
the Chromium the browser tests drive, and signing that browser in. `tests/` is on the path, so a test
imports these as `from support import ...`.
"""

import os
import re
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from bs4 import BeautifulSoup

# -- ports -------------------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nothing listens on now: for a server a test starts, or for a refused connection."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- mail --------------------------------------------------------------------------------------------


class Received(EmailMessage):
    """A message the SMTP server accepted: the parsed message, with its envelope and its bytes as sent."""

    mail_from: str = ""
    rcpt_tos: list[str] = []  # set on each message received; its parts keep the empty default
    raw: bytes = b""
    peer: tuple = ()  # the client's address and port: one for each connection

    @classmethod
    def parse(cls, mail_from: str, rcpt_tos: list[str], raw: bytes, peer: tuple = ()) -> "Received":
        message = message_from_bytes(raw, _class=cls, policy=policy.default)
        message.mail_from, message.rcpt_tos, message.raw = mail_from, list(rcpt_tos), raw
        message.peer = tuple(peer)
        return message

    @property
    def message(self) -> EmailMessage:
        """The message itself, for tests that say which part of it they read."""
        return self

    @property
    def text(self) -> str:
        return self.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.get_body(preferencelist=("html",)).get_content()

    @property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.html, "html.parser")

    @property
    def unsubscribe_url(self) -> str:
        """The address in List-Unsubscribe (folded onto its own line, as long headers are)."""
        value = self["List-Unsubscribe"].strip()
        assert value.startswith("<") and value.endswith(">"), value
        return value[1:-1]

    def links(self) -> set[str]:
        """Every address a reader can follow: anchors in the HTML part, URLs in the plain part."""
        anchors = {a["href"] for a in self.soup.find_all("a", href=True)}
        return anchors | set(re.findall(r"https?://\S+", self.text))


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and answers with the refusals a test sets first."""

    def __init__(self):
        self.received: list[Received] = []
        self.rcpt_replies: dict[str, str] = {}  # address -> refusal at RCPT, every time
        self.data_replies: list[str] = []  # refusals at DATA, one per message, in order

    def clear(self) -> None:
        """Forget what an earlier test received and set: the server outlives each test."""
        self.received.clear()
        self.rcpt_replies.clear()
        self.data_replies.clear()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(
            Received.parse(envelope.mail_from, envelope.rcpt_tos, envelope.original_content, session.peer)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.rcpt_tos]


# -- the browser -------------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CLIPDESK_CHROMIUM", "/usr/bin/chromium")
# With `headless=True` (--headless), and nothing the tests do not ask for: no sandbox (containers), no
# GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


def login(page, live_server, user) -> None:
    """Sign the browser in as `user` through a real session cookie."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
