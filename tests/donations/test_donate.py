"""The donate page and the offline demo provider, end to end: form, checkout, event, record, receipt."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from clipdesk.donations.models import Donation, Payment, ProcessedEvent

pytestmark = pytest.mark.django_db

URL = "/donate/"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def valid(**changes) -> dict:
    data = {
        "kind": "one_time",
        "amount": "25",
        "other_amount": "",
        "currency": "eur",
        "email": "ana@example.org",
    }
    data.update(changes)
    return data


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(autouse=True)
def site(settings):
    settings.CLIPDESK_BASE_URL = "http://testserver"
    settings.CLIPDESK_PAYMENT_PROVIDER = "clipdesk.donations.providers.offline.OfflineProvider"


def test_the_donate_route_is_named():
    assert reverse("donations:donate") == URL


def test_the_page_offers_once_or_monthly_presets_custom_and_currencies(client, settings):
    settings.CLIPDESK_DONATION_AMOUNTS = "5,20,100"
    settings.CLIPDESK_DONATION_CURRENCIES = ["usd", "gbp"]
    page = soup(client.get(URL))
    assert {i["value"] for i in page.select("input[name=kind]")} == {"one_time", "monthly"}
    assert [i["value"] for i in page.select("input[name=amount]")] == ["5", "20", "100", "other"]
    assert page.select_one("input[name=amount][checked]")["value"] == "20"
    assert page.select_one("input[name=other_amount]")["type"] == "number"
    assert [o["value"] for o in page.select("select[name=currency] option")] == ["usd", "gbp"]
    assert page.select_one("[name=website]").find_parent("div", attrs={"hidden": True}) is not None
    assert "No money moves" in page.select_one(".demo-banner").get_text()


def test_the_page_keeps_the_strict_csp(client):
    response = client.get(URL)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    page = soup(response)
    assert not page.find_all("script", string=True) and not page.find_all("style")
    assert not page.find_all(attrs={"style": True})


def test_a_preset_one_time_gift_goes_to_the_checkout(client):
    response = client.post(URL, valid(), REMOTE_ADDR="192.0.2.5")
    donation = Donation.objects.get()
    assert response.status_code == 303
    # Relative: the form's CSP (form-action 'self') allows it whatever address the browser used.
    assert response["Location"] == f"/donate/offline/{donation.reference}/"
    assert (donation.kind, donation.amount_minor, donation.currency, donation.email) == (
        "one_time",
        2500,
        "eur",
        "ana@example.org",
    )
    assert (donation.status, donation.provider, donation.checkout_id) == (
        "pending",
        "offline",
        f"offline_cs_{donation.reference}",
    )


def test_the_offline_provider_needs_no_other_form_action(client):
    assert "form-action 'self';" in client.get(URL)["Content-Security-Policy"] + ";"


def test_a_retry_of_the_same_gift_reuses_its_pending_checkout(client):
    first = client.post(URL, valid(), REMOTE_ADDR="192.0.2.7")
    again = client.post(URL, valid(email=" ana@example.org"), REMOTE_ADDR="192.0.2.7")
    donation = Donation.objects.get()
    assert again.status_code == 303 and again["Location"] == first["Location"]
    assert donation.history.count() == 2  # created, then given its checkout: nothing for the retry

    client.post(URL, valid(amount="50"), REMOTE_ADDR="192.0.2.7")  # another gift
    client.post(URL, valid(), REMOTE_ADDR="192.0.2.8")  # another visitor
    assert Donation.objects.count() == 3
    donation.status = Donation.Status.ABANDONED
    donation.save()
    client.post(URL, valid(), REMOTE_ADDR="192.0.2.7")  # the checkout it had is over
    assert Donation.objects.count() == 4


def test_a_custom_monthly_amount(client):
    client.post(URL, valid(kind="monthly", amount="other", other_amount="12.50", currency="gbp"))
    donation = Donation.objects.get()
    assert (donation.kind, donation.amount_minor, donation.currency) == ("monthly", 1250, "gbp")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "yearly"}, "kind", "Select a valid choice"),
        ({"amount": "7"}, "amount", "Select a valid choice"),
        ({"amount": "other", "other_amount": ""}, "other_amount", "Enter the amount"),
        ({"amount": "other", "other_amount": "0.50"}, "other_amount", "greater than or equal to 1"),
        ({"amount": "other", "other_amount": "20000"}, "other_amount", "less than or equal to 10000"),
        ({"amount": "other", "other_amount": "3.333"}, "other_amount", "no more than 2 decimal places"),
        ({"amount": "other", "other_amount": "lots"}, "other_amount", "Enter a number"),
        ({"currency": "jpy"}, "currency", "Select a valid choice"),
        ({"email": "ana"}, "email", "Enter a valid email address"),
    ],
)
def test_each_field_is_validated_and_the_typed_values_are_kept(client, changes, field, message):
    response = client.post(URL, valid(**changes))
    assert response.status_code == 400
    assert not Donation.objects.exists()
    page = soup(response)
    assert message in page.select_one(f"#id_{field}_error").get_text()
    assert "not started" in page.select_one("[role=alert]").get_text()
    if field != "email":
        assert page.select_one("[name=email]")["value"] == "ana@example.org"
    if field != "currency":
        assert page.select_one("select[name=currency] option[selected]")["value"] == "eur"


def test_the_honeypot_stores_nothing(client):
    response = client.post(URL, valid(website="buy pills"))
    assert response.status_code == 302 and response["Location"] == reverse("donations:thanks")
    assert not Donation.objects.exists()


def test_donations_are_rate_limited_per_ip_and_per_email(client, settings):
    settings.CLIPDESK_DONATE_IP_LIMIT = "2/h"
    settings.CLIPDESK_DONATE_ADDRESS_LIMIT = "1/d"
    assert client.post(URL, valid(email="a@example.org"), REMOTE_ADDR="198.51.100.1").status_code == 303
    refused = client.post(URL, valid(email="a@example.org"), REMOTE_ADDR="198.51.100.2")
    assert refused.status_code == 429  # the same address again
    assert client.post(URL, valid(email="b@example.org"), REMOTE_ADDR="198.51.100.1").status_code == 303
    refused = client.post(URL, valid(email="c@example.org"), REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429  # the same IP a third time
    assert "try again later" in soup(refused).select_one("[role=alert]").get_text()
    assert Donation.objects.count() == 2


def test_the_offline_demo_records_the_gift_and_emails_a_labelled_receipt(
    client, mailbox, django_capture_on_commit_callbacks
):
    client.post(URL, valid(amount="other", other_amount="1234.50"))
    donation = Donation.objects.get()
    checkout = client.get(reverse("donations:offline-checkout", args=[donation.reference]))
    assert "No money moves" in soup(checkout).select_one(".demo-banner").get_text()
    assert "ana@example.org" not in checkout.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("donations:offline-checkout", args=[donation.reference]), {"outcome": "pay"}
        )
    assert response["Location"] == reverse("donations:thanks")
    donation.refresh_from_db()
    assert donation.status == "completed"
    payment = Payment.objects.get()
    assert (payment.amount_minor, payment.currency, payment.donation) == (123450, "eur", donation)
    (receipt,) = mailbox
    assert receipt["To"] == "ana@example.org"
    assert "receipt" in receipt["Subject"].lower()
    body = text_of(receipt)
    assert "DEMO RECEIPT" in body and "No money moved" in body
    assert "1,234.50 EUR" in body and str(donation.reference) in body
    payment.refresh_from_db()
    assert payment.receipt_sent_at is not None

    # Pressing the button again, or replaying the event, has no second effect.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("donations:offline-checkout", args=[donation.reference]), {"outcome": "pay"})
    assert Payment.objects.count() == 1 and len(mailbox) == 1 and ProcessedEvent.objects.count() == 1


def test_a_monthly_demo_pledge_becomes_active(client, mailbox, django_capture_on_commit_callbacks):
    client.post(URL, valid(kind="monthly", amount="10"))
    donation = Donation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("donations:offline-checkout", args=[donation.reference]), {"outcome": "pay"})
    donation.refresh_from_db()
    assert (donation.status, donation.subscription_id) == ("active", f"offline_sub_{donation.reference}")
    assert "monthly donation" in text_of(mailbox[0])


def test_cancelling_the_demo_checkout(client, mailbox, django_capture_on_commit_callbacks):
    client.post(URL, valid())
    donation = Donation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("donations:offline-checkout", args=[donation.reference]), {"outcome": "cancel"}
        )
    assert response["Location"] == reverse("donations:cancelled")
    donation.refresh_from_db()
    assert donation.status == "abandoned" and not Payment.objects.exists() and mailbox == []


def test_the_demo_checkout_exists_only_with_the_offline_provider(client, settings):
    client.post(URL, valid())
    donation = Donation.objects.get()
    settings.CLIPDESK_PAYMENT_PROVIDER = "clipdesk.donations.providers.stripe_checkout.StripeCheckout"
    url = reverse("donations:offline-checkout", args=[donation.reference])
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "pay"}).status_code == 404
    assert Donation.objects.get().status == "pending"


def test_offline_events_need_their_signature(client):
    from clipdesk.donations.providers.offline import OfflineProvider

    client.post(URL, valid())
    donation = Donation.objects.get()
    body, headers = OfflineProvider().demo_delivery(
        reference=str(donation.reference),
        kind="one_time",
        amount_minor=2500,
        currency="eur",
        email="",
        paid=True,
    )
    webhook = reverse("donations:webhook")
    assert client.post(webhook, body, content_type="application/json").status_code == 400
    forged = {"headers": {"X-Clipdesk-Offline-Signature": "0" * 64}}
    assert client.post(webhook, body, content_type="application/json", **forged).status_code == 400
    assert not Payment.objects.exists()
    signed = {"headers": headers}
    assert client.post(webhook, body, content_type="application/json", **signed).status_code == 200
    assert Payment.objects.count() == 1
