import email
import json
import socket
from email import policy
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import stripe
from aiosmtpd.controller import Controller
from django.core.management import call_command

WEBHOOK_SECRET = "whsec_test_clipdesk_0123456789"


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


class StripeAPI:
    """Stands in for Stripe's servers at the HTTP edge: records each request, answers with a session."""

    webhook_secret = WEBHOOK_SECRET

    def __init__(self):
        self.requests: list[SimpleNamespace] = []
        self.error: Exception | None = None

    def request_with_retries(self, client, method, url, headers, post_data=None, *args, **kwargs):
        self.requests.append(
            SimpleNamespace(
                method=method, url=url, headers=dict(headers), form=dict(parse_qsl(post_data or ""))
            )
        )
        if self.error is not None:
            raise self.error
        number = len(self.requests)
        session = {
            "id": f"cs_test_{number}",
            "object": "checkout.session",
            "url": f"https://checkout.stripe.com/c/pay/cs_test_{number}",
        }
        return json.dumps(session), 200, {"Request-Id": f"req_{number}"}


@pytest.fixture
def stripe_api(monkeypatch, settings) -> StripeAPI:
    """The Stripe provider configured, its HTTP client answered by a recorder instead of the network."""
    api = StripeAPI()
    monkeypatch.setattr(
        stripe.HTTPClient,
        "request_with_retries",
        lambda client, *args, **kwargs: api.request_with_retries(client, *args, **kwargs),
    )
    settings.CLIPDESK_PAYMENT_PROVIDER = "clipdesk.donations.providers.stripe_checkout.StripeCheckout"
    settings.CLIPDESK_STRIPE_SECRET_KEY = "sk_test_clipdesk"
    settings.CLIPDESK_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return api
