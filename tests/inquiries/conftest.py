import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

# What the "desk" role needs to work the desk; archive/roles.py grants it.
DESK_PERMISSIONS = [
    "view_inquiry",
    "change_inquiry",
    "view_inquirynote",
    "add_inquirynote",
    "view_translationreport",
    "change_translationreport",
]


@pytest.fixture
def roles(roles):
    """The staff roles, with the desk holding the request desk's permissions."""
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.filter(content_type__app_label="inquiries", codename__in=DESK_PERMISSIONS)
    assert perms.count() == len(DESK_PERMISSIONS)
    Group.objects.get(name="desk").permissions.add(*perms)
    return roles


@pytest.fixture(autouse=True)
def shared_cache(db, settings):
    """Rate limits counted in the database cache that every process of a deployment shares."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clipdesk_cache"}
    }
    call_command("createcachetable", verbosity=0)


class Inbox:
    """An SMTP server's message handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings) -> list:
    """Mail goes through Django's SMTP backend to a real server on loopback; returns what it received."""
    inbox, port = smtp_server
    inbox.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return inbox.messages
