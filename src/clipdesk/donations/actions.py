"""Named actions for donations: start a checkout, and apply the provider's events exactly once.

Donations are written only here. Donors are anonymous (no permission to check); the provider's
events are trusted once `receive_event` has verified their signature.
"""

import logging
import uuid
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clipdesk import ratelimits

from . import tasks
from .models import Donation, Payment, ProcessedEvent
from .providers import (
    Checkout,
    CheckoutRequest,
    EventKind,
    PaymentEvent,
    PaymentProvider,
    ProviderUnavailable,
    get_provider,
)

log = logging.getLogger(__name__)


def _save(donation: Donation) -> None:
    donation._history_user = None  # donors and providers, never staff
    donation.save()


# A retry of the same gift from the same address within this time goes back to the checkout opened
# for it, instead of recording another "checkout started" donation.
RETRY_SECONDS = 30 * 60


def _attempt_key(donation: Donation, ip: str | None) -> str | None:
    """The cache key of one visitor's one gift; a digest, so the cache holds no address or IP."""
    if not ip:
        return None
    fields = (donation.provider, ip, donation.email.lower(), donation.kind, donation.amount_minor)
    return f"donate-attempt:{ratelimits.digest('donate-attempt', '|'.join(map(str, (*fields, donation.currency))))}"


def _pending_retry(key: str | None, provider: PaymentProvider) -> Donation | None:
    reference = cache.get(key) if key else None
    if reference is None:
        return None
    return (
        Donation.objects.filter(reference=reference, provider=provider.name, status=Donation.Status.PENDING)
        .exclude(checkout_id="")
        .first()
    )


def _checkout_request(donation: Donation) -> CheckoutRequest:
    base = settings.CLIPDESK_BASE_URL
    return CheckoutRequest(
        reference=str(donation.reference),
        kind=donation.kind,
        amount_minor=donation.amount_minor,
        currency=donation.currency,
        email=donation.email,
        description=f"{donation.get_kind_display()} donation to {settings.CLIPDESK_SITE_NAME}",
        success_url=base + reverse("donations:thanks"),
        cancel_url=base + reverse("donations:cancelled"),
    )


def start_donation(
    *,
    kind: str,
    amount_minor: int,
    currency: str,
    email: str,
    ip: str | None = None,
    provider: PaymentProvider | None = None,
) -> tuple[Donation, Checkout]:
    """Record a pending donation and open the provider's checkout; send the donor to `checkout.url`.

    The same gift sent again from the same IP within RETRY_SECONDS, while its checkout is still
    pending, returns that donation and its checkout: a donor who comes back or presses again leaves
    no second record.

    Raises ValidationError for a field the model refuses, RateLimited past the limits per IP and per
    email address (CLIPDESK_DONATE_IP_LIMIT, default "10/h", counting every attempt;
    CLIPDESK_DONATE_ADDRESS_LIMIT, "5/d", counting new donations), and ProviderUnavailable when no
    checkout could be opened (a new donation is then kept as failed, for the record).
    """
    provider = provider or get_provider()
    donation = Donation(
        provider=provider.name, kind=kind, amount_minor=amount_minor, currency=currency, email=email.strip()
    )
    donation.full_clean()
    too_many = "You have started several donations already. Please try again later."
    ratelimits.hit("donate-ip", ip, settings.CLIPDESK_DONATE_IP_LIMIT, too_many)
    key = _attempt_key(donation, ip)
    pending = _pending_retry(key, provider)
    if pending is not None:
        # Outside any transaction, as below. The provider answers the same checkout (Stripe: the
        # same idempotency key), so nothing is written.
        return pending, provider.start_checkout(_checkout_request(pending))
    ratelimits.hit("donate-address", donation.email, settings.CLIPDESK_DONATE_ADDRESS_LIMIT, too_many)
    with transaction.atomic():
        _save(donation)
    # Outside any transaction: a slow provider must not hold the database.
    try:
        checkout = provider.start_checkout(_checkout_request(donation))
    except ProviderUnavailable:
        donation.status = Donation.Status.FAILED
        _save(donation)
        raise
    donation.checkout_id = checkout.id
    _save(donation)
    if key:
        cache.set(key, str(donation.reference), RETRY_SECONDS)
    return donation, checkout


def receive_event(
    body: bytes, headers: Mapping[str, str], *, provider: PaymentProvider | None = None
) -> ProcessedEvent | None:
    """Verify a webhook delivery with the provider and apply it (see apply_event).

    Raises InvalidSignature for a bad or missing signature and InvalidEvent for a signed delivery
    that cannot be read; nothing is recorded then.
    """
    provider = provider or get_provider()
    return apply_event(provider.parse_event(body, headers), provider=provider.name)


def _donation_for(event: PaymentEvent, provider: str) -> Donation | None:
    donations = Donation.objects.select_for_update().filter(provider=provider)
    try:
        reference = uuid.UUID(event.donation_reference or "")
    except ValueError:
        reference = None
    if reference:
        return donations.filter(reference=reference).first()
    if event.subscription_id:
        return donations.filter(subscription_id=event.subscription_id).first()
    return None


def apply_event(event: PaymentEvent, *, provider: str) -> ProcessedEvent | None:
    """Apply one verified provider event, once: the same event again returns None and changes nothing.

    The event id is stored under a unique constraint in the same transaction as its effects, so a
    failure leaves no trace and the provider's retry is handled afresh.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProcessedEvent.objects.create(provider=provider, event_id=event.id, type=event.type)
        except IntegrityError:
            log.info("%s event %s was handled already", provider, event.id)
            return None
        if event.kind == EventKind.OTHER:
            return record
        donation = _donation_for(event, provider)
        if donation is None:
            log.warning("%s event %s (%s) names no donation of ours", provider, event.id, event.type)
            return record
        _HANDLERS[event.kind](donation, event, provider)
    return record


def _payment_received(donation: Donation, event: PaymentEvent, provider: str) -> None:
    if not event.amount_minor or event.amount_minor <= 0:
        return  # a free trial or a fully discounted invoice: nothing was given
    payment, created = Payment.objects.get_or_create(
        provider=provider,
        provider_ref=event.payment_ref or event.id,
        defaults={
            "donation": donation,
            "amount_minor": event.amount_minor,
            "currency": event.currency.lower(),
            "paid_at": timezone.now(),
        },
    )
    if created:
        transaction.on_commit(lambda: tasks.send_receipt(payment.pk), robust=True)
    if donation.kind == Donation.Kind.MONTHLY:
        if donation.status != Donation.Status.CANCELLED:
            donation.status = Donation.Status.ACTIVE
    else:
        donation.status = Donation.Status.COMPLETED
    _update(donation, event)


def _checkout_completed(donation: Donation, event: PaymentEvent, provider: str) -> None:
    if donation.kind == Donation.Kind.MONTHLY and donation.status == Donation.Status.PENDING:
        donation.status = Donation.Status.ACTIVE
    _update(donation, event)


def _pledge_cancelled(donation: Donation, event: PaymentEvent, provider: str) -> None:
    if donation.kind == Donation.Kind.MONTHLY:
        donation.status = Donation.Status.CANCELLED
        _update(donation, event)


def _checkout_abandoned(donation: Donation, event: PaymentEvent, provider: str) -> None:
    if donation.status == Donation.Status.PENDING:
        donation.status = Donation.Status.ABANDONED
        _update(donation, event)


def _update(donation: Donation, event: PaymentEvent) -> None:
    if event.subscription_id and not donation.subscription_id:
        donation.subscription_id = event.subscription_id
    # An erased donor's address is not taken back from a later event about the same donation.
    if event.email and event.email != donation.email and donation.erased_at is None:
        try:
            Donation._meta.get_field("email").clean(event.email, donation)
            donation.email = event.email  # the address the donor confirmed at checkout
        except ValidationError:
            pass
    _save(donation)


_HANDLERS = {
    EventKind.PAYMENT_RECEIVED: _payment_received,
    EventKind.CHECKOUT_COMPLETED: _checkout_completed,
    EventKind.PLEDGE_CANCELLED: _pledge_cancelled,
    EventKind.CHECKOUT_ABANDONED: _checkout_abandoned,
}
