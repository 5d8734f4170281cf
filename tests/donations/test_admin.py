"""Donations in the staff admin: who sees them, the totals, the CSV export, and no email addresses listed."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from clipdesk.donations.models import Donation
from factories.donations import DonationFactory, PaymentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:donations_donation_changelist")


@pytest.fixture
def donations():
    once = PaymentFactory(
        donation__amount_minor=2500, donation__currency="usd", donation__email="one@example.org"
    )
    monthly = DonationFactory(
        kind="monthly", status="active", amount_minor=1000, currency="usd", email="m@example.org"
    )
    PaymentFactory(donation=monthly, amount_minor=1000, currency="usd")
    PaymentFactory(donation=monthly, amount_minor=1000, currency="usd")
    euro = PaymentFactory(
        donation__amount_minor=5000, donation__currency="eur", donation__email="eu@example.org"
    )
    pending = DonationFactory(amount_minor=9900, currency="usd", email="p@example.org")
    return {"once": once.donation, "monthly": monthly, "euro": euro.donation, "pending": pending}


def test_only_staff_allowed_to_view_donations_see_them(client, roles, donations):
    pages = [CHANGELIST, reverse("admin:donations_donation_change", args=[donations["once"].pk])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    for name, user in roles.items():
        client.force_login(user)
        for url in pages:
            status = client.get(url).status_code
            expected = 200 if name == "admin" else 302 if name == "reader" else 403
            assert status == expected, (name, url)


def test_the_list_shows_totals_per_currency_and_no_email_addresses(client, roles, donations):
    client.force_login(roles["admin"])
    response = client.get(CHANGELIST)
    page = BeautifulSoup(response.content, "html.parser")
    rows = [[td.get_text() for td in tr.select("td")] for tr in page.select(".donation-totals tbody tr")]
    assert rows == [["EUR", "50.00 EUR", "1", "0.00 EUR"], ["USD", "45.00 USD", "3", "10.00 USD"]]
    assert "@" not in page.select_one("#changelist").get_text()


def test_totals_follow_the_filters(client, roles, donations):
    client.force_login(roles["admin"])
    page = BeautifulSoup(client.get(CHANGELIST, {"kind__exact": "monthly"}).content, "html.parser")
    rows = [[td.get_text() for td in tr.select("td")] for tr in page.select(".donation-totals tbody tr")]
    assert rows == [["USD", "20.00 USD", "2", "10.00 USD"]]


def test_csv_export_of_the_selected_donations(client, roles, donations):
    client.force_login(roles["admin"])
    chosen = [donations["monthly"].pk, donations["pending"].pk]
    response = client.post(CHANGELIST, {"action": "export_csv", ACTION_CHECKBOX_NAME: chosen})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="donations-')
    content = response.content.decode()
    assert "@" not in content
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [
        (r["kind"], r["status"], r["amount"], r["currency"], r["received"], r["payments"]) for r in rows
    ] == [
        ("monthly", "active", "10.00", "USD", "20.00", "2"),
        ("one_time", "pending", "99.00", "USD", "0.00", "0"),
    ]
    assert rows[0]["reference"] == str(donations["monthly"].reference)


def test_donations_are_read_only_in_the_admin(client, roles, donations):
    client.force_login(roles["admin"])
    donation = donations["once"]
    assert client.get(reverse("admin:donations_donation_add")).status_code == 403
    page = client.get(reverse("admin:donations_donation_change", args=[donation.pk]))
    assert b'name="_save"' not in page.content
    assert "one@example.org" in page.content.decode()  # a donation's own page shows its donor's address
    client.post(reverse("admin:donations_donation_change", args=[donation.pk]), {"email": "x@example.org"})
    assert Donation.objects.get(pk=donation.pk).email == "one@example.org"
    assert (
        client.post(
            reverse("admin:donations_donation_delete", args=[donation.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
