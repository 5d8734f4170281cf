import json
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
import stripe

WEBHOOK_SECRET = "whsec_test_clipdesk_0123456789"


@pytest.fixture(autouse=True)
def _shared_cache(shared_cache):
    """Every test here counts its rate limits in the shared database cache."""


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
