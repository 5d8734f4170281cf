"""The Stripe Checkout provider at its edges: the API calls it makes, and webhooks signed as Stripe signs them."""

import json
import time

import pytest
import stripe
from django.urls import reverse

from clipdesk.donations.models import Donation, Payment, ProcessedEvent
from factories.donations import DonationFactory

pytestmark = pytest.mark.django_db

WEBHOOK = "/donate/webhook/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.CLIPDESK_BASE_URL = "https://clips.example"
    settings.CLIPDESK_SITE_NAME = "Clip Archive"


def stripe_donation(**fields) -> Donation:
    return DonationFactory(provider="stripe", **fields)


def deliver(client, event: dict, secret: str, *, timestamp: int | None = None, signature: str | None = None):
    """POST an event the way Stripe does: the raw JSON, signed in the Stripe-Signature header."""
    payload = json.dumps(event)
    header = signature or stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp
    )
    return client.post(
        WEBHOOK, payload, content_type="application/json", headers={"Stripe-Signature": header}
    )


def event(event_id: str, event_type: str, obj: dict) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "api_version": "2025-10-29",
        "data": {"object": obj},
    }


def checkout_completed(donation: Donation, **changes) -> dict:
    obj = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "client_reference_id": str(donation.reference),
        "metadata": {"donation": str(donation.reference)},
        "payment_intent": "pi_test_1",
        "amount_total": donation.amount_minor,
        "currency": donation.currency,
        "customer_details": {"email": "confirmed@example.org"},
    }
    obj.update(changes)
    return event("evt_checkout_1", "checkout.session.completed", obj)


def invoice_paid(donation: Donation, invoice_id: str, event_id: str, amount: int) -> dict:
    """An invoice.paid event as API versions from 2025 shape it (the subscription under `parent`)."""
    return event(
        event_id,
        "invoice.paid",
        {
            "id": invoice_id,
            "object": "invoice",
            "amount_paid": amount,
            "currency": donation.currency,
            "customer_email": donation.email,
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": "sub_test_1",
                    "metadata": {"donation": str(donation.reference)},
                },
            },
        },
    )


# The checkout session: what the provider asks Stripe for.


def test_a_one_time_gift_opens_a_checkout_session_in_payment_mode(client, stripe_api):
    response = client.post(
        "/donate/", {"kind": "one_time", "amount": "50", "currency": "usd", "email": "kim@example.org"}
    )
    donation = Donation.objects.get()
    assert (
        response.status_code == 303 and response["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    )
    assert (donation.provider, donation.checkout_id, donation.status) == ("stripe", "cs_test_1", "pending")

    (call,) = stripe_api.requests
    assert (call.method, call.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert call.headers["Authorization"] == "Bearer sk_test_clipdesk"
    assert call.headers["Idempotency-Key"] == f"clipdesk-donation-{donation.reference}"
    assert call.form == {
        "mode": "payment",
        "submit_type": "donate",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "5000",
        "line_items[0][price_data][product_data][name]": "One-time donation to Clip Archive",
        "client_reference_id": str(donation.reference),
        "customer_email": "kim@example.org",
        "metadata[donation]": str(donation.reference),
        "payment_intent_data[metadata][donation]": str(donation.reference),
        "success_url": "https://clips.example/donate/thanks/",
        "cancel_url": "https://clips.example/donate/cancelled/",
    }


def test_a_monthly_gift_opens_a_subscription_checkout(client, stripe_api):
    client.post(
        "/donate/",
        {
            "kind": "monthly",
            "amount": "other",
            "other_amount": "7.25",
            "currency": "gbp",
            "email": "kim@example.org",
        },
    )
    donation = Donation.objects.get()
    (call,) = stripe_api.requests
    assert call.form["mode"] == "subscription"
    assert call.form["line_items[0][price_data][unit_amount]"] == "725"
    assert call.form["line_items[0][price_data][currency]"] == "gbp"
    assert call.form["line_items[0][price_data][recurring][interval]"] == "month"
    assert call.form["subscription_data[metadata][donation]"] == str(donation.reference)
    assert "submit_type" not in call.form and "payment_intent_data[metadata][donation]" not in call.form


def form_action(response) -> list[str]:
    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    return directives["form-action"].split()


def test_the_donate_form_may_go_to_stripe_checkout_and_no_other_form_may(client, stripe_api):
    assert form_action(client.get("/donate/")) == ["'self'", "https://checkout.stripe.com"]
    refused = client.post("/donate/", {"kind": "one_time", "amount": "50", "currency": "usd", "email": "x"})
    assert refused.status_code == 400 and "https://checkout.stripe.com" in form_action(refused)
    assert form_action(client.get("/donate/thanks/")) == ["'self'"]
    assert form_action(client.get("/requests/new/")) == ["'self'"]


def test_a_retry_opens_the_same_stripe_session(client, stripe_api):
    data = {"kind": "one_time", "amount": "50", "currency": "usd", "email": "kim@example.org"}
    client.post("/donate/", data, REMOTE_ADDR="192.0.2.9")
    client.post("/donate/", data, REMOTE_ADDR="192.0.2.9")
    donation = Donation.objects.get()
    # Stripe answers a repeated idempotency key with the session it opened the first time.
    keys = [call.headers["Idempotency-Key"] for call in stripe_api.requests]
    assert keys == [f"clipdesk-donation-{donation.reference}"] * 2
    assert stripe_api.requests[0].form == stripe_api.requests[1].form


def test_stripe_out_of_reach_is_said_plainly_and_kept_on_record(client, stripe_api):
    stripe_api.error = stripe.APIConnectionError("Network is unreachable", should_retry=False)
    response = client.post(
        "/donate/", {"kind": "one_time", "amount": "25", "currency": "usd", "email": "kim@example.org"}
    )
    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()
    assert 'value="kim@example.org"' in response.content.decode()
    assert Donation.objects.get().status == "failed"


# Webhooks: the signature.


def test_a_signed_checkout_completed_records_the_gift_and_emails_the_receipt(
    client, stripe_api, mailbox, django_capture_on_commit_callbacks
):
    donation = stripe_donation(amount_minor=5000, currency="usd", email="typed@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, checkout_completed(donation), stripe_api.webhook_secret)
    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == "completed" and donation.email == "confirmed@example.org"
    payment = Payment.objects.get()
    assert (payment.provider, payment.provider_ref, payment.amount_minor) == ("stripe", "pi_test_1", 5000)
    (receipt,) = mailbox
    assert receipt["To"] == "confirmed@example.org"
    body = receipt.get_body(preferencelist=("plain",)).get_content()
    assert "50.00 USD" in body and "DEMO" not in body
    assert ProcessedEvent.objects.get().event_id == "evt_checkout_1"


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "t=1700000000,v1=" + "0" * 64,  # bad
        "garbage",  # unreadable
        "t=123",  # no v1 signature
    ],
)
def test_bad_or_missing_signatures_are_rejected_and_change_nothing(client, stripe_api, signature, mailbox):
    donation = stripe_donation()
    payload = json.dumps(checkout_completed(donation))
    headers = {"Stripe-Signature": signature} if signature else {}
    response = client.post(WEBHOOK, payload, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert not ProcessedEvent.objects.exists() and not Payment.objects.exists() and mailbox == []
    assert Donation.objects.get().status == "pending"


def test_a_signature_made_with_another_secret_is_rejected(client, stripe_api):
    donation = stripe_donation()
    assert deliver(client, checkout_completed(donation), "whsec_someone_else").status_code == 400
    assert not Payment.objects.exists()


def test_a_tampered_body_is_rejected(client, stripe_api):
    donation = stripe_donation()
    genuine = json.dumps(checkout_completed(donation))
    header = stripe.WebhookSignature.generate_signature_header(genuine, stripe_api.webhook_secret)
    tampered = genuine.replace('"amount_total": 2500', '"amount_total": 1')
    assert tampered != genuine
    response = client.post(
        WEBHOOK, tampered, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400 and not Payment.objects.exists()


def test_an_old_delivery_is_refused_as_a_replay(client, stripe_api):
    donation = stripe_donation()
    stale = int(time.time()) - 3600
    assert (
        deliver(client, checkout_completed(donation), stripe_api.webhook_secret, timestamp=stale).status_code
        == 400
    )
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["2500", "1e400"], ids=["no data", "infinite amount"])
def test_a_signed_but_unreadable_event_is_rejected(client, stripe_api, amount):
    payload = json.dumps({"id": "evt_x", "type": "checkout.session.completed"})  # no data
    if amount != "2500":
        donation = stripe_donation()
        payload = json.dumps(checkout_completed(donation)).replace(
            '"amount_total": 2500', f'"amount_total": {amount}'
        )
        assert amount in payload
    header = stripe.WebhookSignature.generate_signature_header(payload, stripe_api.webhook_secret)
    response = client.post(
        WEBHOOK, payload, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400 and not ProcessedEvent.objects.exists()


@pytest.mark.parametrize(
    "body", [b"\xff\xfe{}", b'{"id": "evt_\xe9"}', b"\x80" * 100], ids=["bom", "latin-1", "junk"]
)
def test_a_body_that_is_not_utf8_is_refused_not_crashed(stripe_api, body):
    """Stripe sends UTF-8 JSON; its library decodes the body before checking the signature."""
    from django.test import Client

    header = stripe.WebhookSignature.generate_signature_header("{}", stripe_api.webhook_secret)
    response = Client(raise_request_exception=False).post(
        WEBHOOK, body, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 400 and b"Refused" in response.content
    assert not ProcessedEvent.objects.exists()


def test_the_webhook_answers_only_posts(client, stripe_api):
    assert client.get(WEBHOOK).status_code == 405


# Webhooks: idempotency and the kinds of event.


def test_the_same_event_twice_has_no_second_effect(
    client, stripe_api, mailbox, django_capture_on_commit_callbacks
):
    donation = stripe_donation()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(client, checkout_completed(donation), stripe_api.webhook_secret).status_code == 200
    assert Payment.objects.count() == 1 and len(mailbox) == 1
    assert ProcessedEvent.objects.filter(provider="stripe", event_id="evt_checkout_1").count() == 1
    assert donation.history.count() == 2  # created, then paid: nothing from the repeat


def test_a_monthly_pledge_records_each_month(client, stripe_api, mailbox, django_capture_on_commit_callbacks):
    donation = stripe_donation(kind="monthly", amount_minor=1000, currency="eur")
    secret = stripe_api.webhook_secret
    completed = checkout_completed(
        donation, mode="subscription", subscription="sub_test_1", payment_intent=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, completed, secret)
        deliver(client, invoice_paid(donation, "in_1", "evt_inv_1", 1000), secret)
        deliver(client, invoice_paid(donation, "in_2", "evt_inv_2", 1000), secret)
        deliver(client, invoice_paid(donation, "in_2", "evt_inv_2", 1000), secret)  # a retried delivery
    donation.refresh_from_db()
    assert (donation.status, donation.subscription_id) == ("active", "sub_test_1")
    assert sorted(Payment.objects.values_list("provider_ref", flat=True)) == ["in_1", "in_2"]
    assert len(mailbox) == 2
    assert all("monthly donation" in m.get_body(preferencelist=("plain",)).get_content() for m in mailbox)

    cancelled = event(
        "evt_sub_deleted",
        "customer.subscription.deleted",
        {"id": "sub_test_1", "object": "subscription", "metadata": {"donation": str(donation.reference)}},
    )
    assert deliver(client, cancelled, secret).status_code == 200
    donation.refresh_from_db()
    assert donation.status == "cancelled"


def test_a_renewal_found_by_its_subscription_in_the_older_invoice_shape(client, stripe_api):
    donation = stripe_donation(kind="monthly", status="active", subscription_id="sub_legacy")
    legacy = event(
        "evt_inv_legacy",
        "invoice.paid",
        {
            "id": "in_legacy",
            "object": "invoice",
            "amount_paid": 2500,
            "currency": "usd",
            "subscription": "sub_legacy",
        },
    )
    assert deliver(client, legacy, stripe_api.webhook_secret).status_code == 200
    assert Payment.objects.get().donation == donation


def test_an_expired_checkout_is_abandoned(client, stripe_api):
    donation = stripe_donation()
    expired = event(
        "evt_expired",
        "checkout.session.expired",
        {"id": "cs_1", "client_reference_id": str(donation.reference)},
    )
    assert deliver(client, expired, stripe_api.webhook_secret).status_code == 200
    donation.refresh_from_db()
    assert donation.status == "abandoned"


def test_a_delayed_payment_is_recorded_when_it_succeeds(client, stripe_api):
    donation = stripe_donation()
    secret = stripe_api.webhook_secret
    deliver(client, checkout_completed(donation, payment_status="unpaid"), secret)
    donation.refresh_from_db()
    assert donation.status == "pending" and not Payment.objects.exists()
    succeeded = checkout_completed(donation)
    succeeded.update(id="evt_async_ok", type="checkout.session.async_payment_succeeded")
    deliver(client, succeeded, secret)
    donation.refresh_from_db()
    assert donation.status == "completed" and Payment.objects.count() == 1


def test_events_about_other_payments_are_acknowledged_and_ignored(client, stripe_api):
    stripe_donation()
    other = event(
        "evt_other",
        "checkout.session.completed",
        {
            "id": "cs_9",
            "mode": "payment",
            "payment_status": "paid",
            "client_reference_id": "not-ours",
            "payment_intent": "pi_9",
            "amount_total": 100,
            "currency": "usd",
        },
    )
    unrelated = event("evt_charge", "charge.refunded", {"id": "ch_1"})
    assert deliver(client, other, stripe_api.webhook_secret).status_code == 200
    assert deliver(client, unrelated, stripe_api.webhook_secret).status_code == 200
    assert not Payment.objects.exists()
    assert set(ProcessedEvent.objects.values_list("event_id", flat=True)) == {"evt_other", "evt_charge"}


def test_another_providers_donation_is_not_touched(client, stripe_api):
    offline = DonationFactory(provider="offline")
    assert deliver(client, checkout_completed(offline), stripe_api.webhook_secret).status_code == 200
    assert not Payment.objects.exists()
    offline.refresh_from_db()
    assert offline.status == "pending"


def test_the_thanks_and_cancelled_pages(client):
    assert "receipt" in client.get(reverse("donations:thanks")).content.decode()
    assert "Nothing was charged" in client.get(reverse("donations:cancelled")).content.decode()
