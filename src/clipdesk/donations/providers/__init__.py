"""The payment provider interface. Donations talk to a provider only through this.

A provider opens a hosted checkout for a pending donation and turns the provider's webhook
deliveries into `PaymentEvent`s, after verifying that the provider sent them. The one in use is
named by dotted path in settings.CLIPDESK_PAYMENT_PROVIDER:

- `clipdesk.donations.providers.stripe_checkout.StripeCheckout`: Stripe Checkout, real money;
- `clipdesk.donations.providers.offline.OfflineProvider`: the demo, no money moves (the default).
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class InvalidSignature(Exception):
    """The delivery is not signed by the provider (bad, missing or stale signature)."""


class InvalidEvent(Exception):
    """The delivery is signed but cannot be understood."""


class ProviderUnavailable(Exception):
    """The provider could not open a checkout (unreachable, refused, misconfigured)."""


class EventKind(enum.StrEnum):
    CHECKOUT_COMPLETED = "checkout_completed"  # the donor finished checkout; payment may follow
    PAYMENT_RECEIVED = "payment_received"  # money arrived: a one-time gift or one month of a pledge
    PLEDGE_CANCELLED = "pledge_cancelled"  # a monthly donation ended
    CHECKOUT_ABANDONED = "checkout_abandoned"  # the checkout expired or its payment failed
    OTHER = "other"  # anything else the provider sends: recorded, no effect


@dataclass(frozen=True)
class CheckoutRequest:
    reference: str  # the donation's reference, echoed back in the provider's events
    kind: str  # "one_time" or "monthly"
    amount_minor: int  # in the currency's minor unit (cents)
    currency: str  # ISO 4217, lower case
    email: str
    description: str
    success_url: str
    cancel_url: str


@dataclass(frozen=True)
class Checkout:
    id: str  # the provider's id of the checkout session
    url: str  # where to send the donor


@dataclass(frozen=True)
class PaymentEvent:
    id: str  # the provider's event id: the key that makes handling idempotent
    kind: EventKind
    type: str  # the provider's own name for the event, kept for the record
    donation_reference: str | None = None
    subscription_id: str = ""
    payment_ref: str = ""  # the provider's id of the payment (payment intent, invoice)
    amount_minor: int | None = None
    currency: str = ""
    email: str = ""


class PaymentProvider(Protocol):
    name: str  # stored with each donation and payment
    label: str  # shown to donors: who takes the payment
    is_live: bool  # False for a provider where no money moves
    # The origins ("https://checkout.example") its checkout URLs are on, other than this site. The donate
    # page's Content-Security-Policy lets its form go there (form-action follows redirects); a
    # checkout on this site is a relative URL, which 'self' allows whatever address the browser used.
    checkout_origins: tuple[str, ...]

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        """Open a hosted checkout. Raises ProviderUnavailable.

        Asked again for the same reference and details, it answers the same checkout: a donor's retry
        sends them back to the checkout already opened for them.
        """
        ...

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Verify a webhook delivery and translate it. Raises InvalidSignature or InvalidEvent."""
        ...


def get_provider() -> PaymentProvider:
    provider: PaymentProvider = import_string(settings.CLIPDESK_PAYMENT_PROVIDER)()
    return provider
