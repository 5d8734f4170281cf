"""Stripe Checkout through the `stripe` library: one-time payments and monthly subscriptions.

Settings: CLIPDESK_STRIPE_SECRET_KEY (the API key) and CLIPDESK_STRIPE_WEBHOOK_SECRET (the endpoint's
signing secret, `whsec_...`). Point a Stripe webhook endpoint at /donate/webhook/ with the events
checkout.session.completed, checkout.session.async_payment_succeeded,
checkout.session.async_payment_failed, checkout.session.expired, invoice.paid and
customer.subscription.deleted.
"""

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import (
    Checkout,
    CheckoutRequest,
    EventKind,
    InvalidEvent,
    InvalidSignature,
    PaymentEvent,
    PaymentProvider,
    ProviderUnavailable,
)

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams, SessionCreateParamsLineItemPriceData

SIGNATURE_TOLERANCE = 300  # seconds: Stripe's default; older deliveries are refused as replays


class StripeCheckout:
    name = "stripe"
    label = "Stripe"
    is_live = True
    checkout_origins: tuple[str, ...] = ("https://checkout.stripe.com",)  # where Checkout Session URLs point

    def __init__(
        self,
        *,
        api_key: str | None = None,
        webhook_secret: str | None = None,
        http_client: stripe.HTTPClient | None = None,
    ):
        self.api_key = api_key or settings.CLIPDESK_STRIPE_SECRET_KEY
        self.webhook_secret = webhook_secret or settings.CLIPDESK_STRIPE_WEBHOOK_SECRET
        self.http_client = http_client

    def _client(self) -> stripe.StripeClient:
        if not self.api_key:
            raise ImproperlyConfigured("The Stripe provider needs CLIPDESK_STRIPE_SECRET_KEY.")
        return stripe.StripeClient(self.api_key, http_client=self.http_client, max_network_retries=1)

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        monthly = request.kind == "monthly"
        price_data: SessionCreateParamsLineItemPriceData = {
            "currency": request.currency,
            "unit_amount": request.amount_minor,
            "product_data": {"name": request.description},
        }
        metadata = {"donation": request.reference}
        params: SessionCreateParams = {
            "mode": "subscription" if monthly else "payment",
            "line_items": [{"quantity": 1, "price_data": price_data}],
            "client_reference_id": request.reference,
            "customer_email": request.email,
            "metadata": metadata,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        if monthly:
            price_data["recurring"] = {"interval": "month"}
            # Invoices and the subscription carry the reference too, so renewals find the donation.
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["submit_type"] = "donate"
            params["payment_intent_data"] = {"metadata": metadata}
        try:
            session = self._client().v1.checkout.sessions.create(
                params=params,
                # A retried request for the same donation must not open a second session.
                options={"idempotency_key": f"clipdesk-donation-{request.reference}"},
            )
        except stripe.StripeError as exc:
            raise ProviderUnavailable(exc.user_message or str(exc)) from exc
        if session.url is None:  # only an embedded checkout has none, and this one is hosted
            raise ProviderUnavailable("Stripe opened a checkout without an address to send the donor to.")
        return Checkout(id=session.id, url=session.url)

    def parse_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        if not self.webhook_secret:
            raise ImproperlyConfigured("The Stripe provider needs CLIPDESK_STRIPE_WEBHOOK_SECRET.")
        try:
            # Stripe signs UTF-8 JSON; its library decodes the body first, and would raise on any other.
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEvent(f"The body is not UTF-8 (byte {exc.start}).") from exc
        try:
            stripe.WebhookSignature.verify_header(
                text, headers.get("Stripe-Signature"), self.webhook_secret, SIGNATURE_TOLERANCE
            )
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature(str(exc)) from exc
        try:
            return translate(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            raise InvalidEvent(f"Unreadable Stripe event: {exc!r}") from exc


def translate(event: dict[str, Any]) -> PaymentEvent:
    """A Stripe event as a PaymentEvent. Raises KeyError or TypeError for a malformed one."""
    event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
    metadata = obj.get("metadata") or {}
    if event_type in {"checkout.session.completed", "checkout.session.async_payment_succeeded"}:
        reference = obj.get("client_reference_id") or metadata.get("donation")
        email = (obj.get("customer_details") or {}).get("email") or obj.get("customer_email") or ""
        if obj.get("mode") == "payment" and obj.get("payment_status") == "paid":
            return PaymentEvent(
                event_id,
                EventKind.PAYMENT_RECEIVED,
                event_type,
                donation_reference=reference,
                payment_ref=obj.get("payment_intent") or obj["id"],
                amount_minor=int(obj["amount_total"]),
                currency=obj["currency"],
                email=email,
            )
        # A subscription's payments arrive as invoice.paid; a delayed payment method's as
        # async_payment_succeeded. Completing the checkout only confirms the pledge.
        return PaymentEvent(
            event_id,
            EventKind.CHECKOUT_COMPLETED,
            event_type,
            donation_reference=reference,
            subscription_id=obj.get("subscription") or "",
            email=email,
        )
    if event_type in {"checkout.session.expired", "checkout.session.async_payment_failed"}:
        reference = obj.get("client_reference_id") or metadata.get("donation")
        return PaymentEvent(event_id, EventKind.CHECKOUT_ABANDONED, event_type, donation_reference=reference)
    if event_type == "invoice.paid":
        # API versions from 2025 on put the subscription under parent.subscription_details.
        details = (
            (obj.get("parent") or {}).get("subscription_details") or obj.get("subscription_details") or {}
        )
        return PaymentEvent(
            event_id,
            EventKind.PAYMENT_RECEIVED,
            event_type,
            donation_reference=(details.get("metadata") or {}).get("donation"),
            subscription_id=details.get("subscription") or obj.get("subscription") or "",
            payment_ref=obj["id"],
            amount_minor=int(obj["amount_paid"]),
            currency=obj["currency"],
            email=obj.get("customer_email") or "",
        )
    if event_type == "customer.subscription.deleted":
        return PaymentEvent(
            event_id,
            EventKind.PLEDGE_CANCELLED,
            event_type,
            donation_reference=metadata.get("donation"),
            subscription_id=obj["id"],
        )
    return PaymentEvent(event_id, EventKind.OTHER, event_type)


if TYPE_CHECKING:
    _provider: type[PaymentProvider] = StripeCheckout  # checked against the interface
