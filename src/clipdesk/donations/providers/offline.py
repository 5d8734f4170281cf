"""The offline provider, for the demo and for development: NO MONEY MOVES.

Its "checkout" is a page of this site (/donate/offline/<reference>/), labelled as a demo, where the
donor presses "complete" or "cancel". The page then delivers a signed event through the same path as
a real provider's webhook, so the demo exercises the whole donation flow: idempotent event handling,
the record of one-time and monthly donations, and the receipt (which says that no money moved).
"""

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from . import (
    Checkout,
    CheckoutRequest,
    EventKind,
    InvalidEvent,
    InvalidSignature,
    PaymentEvent,
    PaymentProvider,
)

SIGNATURE_HEADER = "X-Clipdesk-Offline-Signature"


class OfflineProvider:
    name = "offline"
    label = "the offline demo provider (no money moves)"
    is_live = False
    checkout_origins: tuple[str, ...] = ()  # the checkout is a page of this site

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        # Relative: an absolute URL from CLIPDESK_BASE_URL is another origin (which the donate form's
        # CSP refuses) whenever the browser reached the site by another address.
        path = reverse("donations:offline-checkout", args=[request.reference])
        return Checkout(id=f"offline_cs_{request.reference}", url=path)

    def sign(self, body: bytes) -> str:
        signature: str = salted_hmac("clipdesk.donations.offline", body, algorithm="sha256").hexdigest()
        return signature

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        if not constant_time_compare(headers.get(SIGNATURE_HEADER) or "", self.sign(body)):
            raise InvalidSignature("The offline event's signature does not match.")
        try:
            data = json.loads(body)
            return PaymentEvent(**{**data, "kind": EventKind(data["kind"])})
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidEvent(f"Unreadable offline event: {exc!r}") from exc

    def demo_delivery(
        self, *, reference: str, kind: str, amount_minor: int, currency: str, email: str, paid: bool
    ) -> tuple[bytes, dict[str, str]]:
        """The webhook body and headers the demo checkout page delivers when the donor decides.

        Event ids depend only on the donation and the outcome, so pressing the button twice has
        no second effect.
        """
        if paid:
            monthly = kind == "monthly"
            event = PaymentEvent(
                id=f"offline_evt_{reference}_paid",
                kind=EventKind.PAYMENT_RECEIVED,
                type="offline.paid",
                donation_reference=reference,
                subscription_id=f"offline_sub_{reference}" if monthly else "",
                payment_ref=f"offline_pay_{reference}_1",
                amount_minor=amount_minor,
                currency=currency,
                email=email,
            )
        else:
            event = PaymentEvent(
                id=f"offline_evt_{reference}_cancelled",
                kind=EventKind.CHECKOUT_ABANDONED,
                type="offline.cancelled",
                donation_reference=reference,
            )
        body = json.dumps(asdict(event)).encode()
        return body, {SIGNATURE_HEADER: self.sign(body)}


if TYPE_CHECKING:
    _provider: type[PaymentProvider] = OfflineProvider  # checked against the interface
