"""Donating in a browser: the donate form reaches the provider's checkout despite the strict CSP."""

import pytest

from browser.fake_checkout import serve
from clipdesk.donations.models import Donation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _shared_cache(shared_cache):
    """Rate limits counted as in production."""


def donate(page, url: str) -> None:
    page.goto(url + "/donate/")
    page.fill("input[name=email]", "ana@example.org")
    page.click(".donate-form button[type=submit]")


def test_the_form_reaches_a_checkout_on_the_providers_origin(page, live_server, settings, screenshot):
    with serve() as origin:
        settings.CLIPDESK_PAYMENT_PROVIDER = "browser.fake_checkout.FakeCheckout"
        donate(page, live_server.url)
        page.wait_for_url(f"{origin}/pay/*", timeout=5_000)
        assert page.text_content("h1") == "Fake checkout"
        screenshot(page, "donate-fake-checkout")
    assert Donation.objects.get().provider == "fake"
    assert page.console_errors == []


def test_the_demo_checkout_opens_whatever_address_the_browser_used(page, live_server, settings, screenshot):
    settings.CLIPDESK_PAYMENT_PROVIDER = "clipdesk.donations.providers.offline.OfflineProvider"
    browser_url = live_server.url.replace("://localhost:", "://127.0.0.1:")
    settings.CLIPDESK_BASE_URL = live_server.url  # the site is configured as localhost
    assert browser_url != settings.CLIPDESK_BASE_URL
    donate(page, browser_url)
    donation_page = f"{browser_url}/donate/offline/*/"
    page.wait_for_url(donation_page, timeout=5_000)
    screenshot(page, "donate-offline-checkout")
    page.click("button[value=pay]")
    page.wait_for_url(f"{browser_url}/donate/thanks/")
    assert Donation.objects.get().status == "completed"
    assert page.console_errors == []
