"""A real SMTP server on loopback (aiosmtpd) that can also refuse, and a database cache shared like
the one production uses."""

import logging
import re
import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cached_property
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from django.core.management import call_command

BASE_URL = "https://clips.example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @cached_property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    def __getitem__(self, header: str) -> str:
        return self.message[header]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

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


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and answers with queued refusals first."""

    received: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)  # address -> refusal at RCPT, every time
    data_replies: list[str] = field(default_factory=list)  # refusals at DATA, one per message, in order

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            return self.data_replies.pop(0)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received if address in m.rcpt_tos]


@pytest.fixture
def smtp(settings):
    """Mail goes through Django's SMTP backend to this server; the test reads what it received."""
    # The server thread logs every connection, some after the test's output streams have closed.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield mailbox
    controller.stop()
    server_log.setLevel(level)


@pytest.fixture
def smtp_down(settings, smtp):
    """Point the backend at a loopback port where nothing listens; call it to bring the server back."""
    working = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()

    def back_up():
        settings.EMAIL_PORT = working

    return back_up


@pytest.fixture(autouse=True)
def site(settings, db):
    """Absolute links on a known base URL, and the database cache every process would share."""
    settings.CLIPDESK_BASE_URL = BASE_URL
    settings.DEFAULT_FROM_EMAIL = "digests@clips.example.org"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clipdesk_cache"}
    }
    call_command("createcachetable", verbosity=0)


def path_of(url: str) -> str:
    """The site-relative path of an absolute link on the test site."""
    assert url.startswith(BASE_URL + "/"), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
