"""Settings are parsed once, at start: a mistyped value stops the site from starting, naming the
variable, instead of answering 500 on the first public form that reads it."""

import os
import subprocess
import sys

import pytest
from django.core.checks import run_checks

from clipdesk.operations import checks

RATE_LIMITS = [
    "CLIPDESK_SUBSCRIBE_IP_LIMIT",
    "CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT",
    "CLIPDESK_REQUEST_IP_LIMIT",
    "CLIPDESK_REQUEST_ADDRESS_LIMIT",
    "CLIPDESK_REPORT_IP_LIMIT",
    "CLIPDESK_DONATE_IP_LIMIT",
    "CLIPDESK_DONATE_ADDRESS_LIMIT",
    "CLIPDESK_API_RATE_LIMIT",
]


def start(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh process with these environment variables, as a web server would."""
    env = {**os.environ, "CLIPDESK_VAR_DIR": str(tmp_path / "var"), **variables}
    command = [sys.executable, "-c", "import django; django.setup()"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", RATE_LIMITS)
def test_a_mistyped_rate_limit_stops_the_start_naming_it(tmp_path, name):
    done = start(tmp_path, **{name: "ten-per-hour"})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert f"{name} looks like" in done.stderr and "'ten-per-hour'" in done.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CLIPDESK_FEED_ITEMS", "fifty", "CLIPDESK_FEED_ITEMS must be a whole number"),
        ("CLIPDESK_MAIL_MAX_ATTEMPTS", "1.5", "CLIPDESK_MAIL_MAX_ATTEMPTS must be a whole number"),
        ("CLIPDESK_INGEST_STALE_SECONDS", "2m", "CLIPDESK_INGEST_STALE_SECONDS must be a number"),
        ("CLIPDESK_DIGEST_HOUR", "25", "CLIPDESK_DIGEST_HOUR must be an hour from 0 to 23"),
        ("CLIPDESK_DIGEST_WEEKDAY", "funday", "CLIPDESK_DIGEST_WEEKDAY must be a day of the week"),
        ("CLIPDESK_DONATION_AMOUNTS", "10,lots", "CLIPDESK_DONATION_AMOUNTS must be whole numbers"),
    ],
)
def test_other_mistyped_settings_stop_the_start_naming_them(tmp_path, name, value, expected):
    done = start(tmp_path, **{name: value})
    assert done.returncode != 0
    assert expected in done.stderr, done.stderr


def test_sound_settings_start(tmp_path):
    done = start(tmp_path, CLIPDESK_SUBSCRIBE_IP_LIMIT="100/m", CLIPDESK_DIGEST_WEEKDAY="Fri")
    assert done.returncode == 0, done.stderr


def test_a_rate_limit_set_after_start_is_named_by_a_system_check(settings):
    """A settings module of one's own, or an override, is not parsed by settings.py: the check
    (run before every command, `clipdesk serve` included) names it."""
    settings.CLIPDESK_REPORT_IP_LIMIT = "30 an hour"
    (message,) = checks.check_rate_limits(None)
    assert message.id == "clipdesk.E070"
    assert "CLIPDESK_REPORT_IP_LIMIT" in message.msg and "'30 an hour'" in message.msg
    assert "clipdesk.E070" in [m.id for m in run_checks()]
    settings.CLIPDESK_REPORT_IP_LIMIT = "30/h"
    assert checks.check_rate_limits(None) == []


def test_a_currency_the_donate_page_cannot_offer_is_named_by_a_system_check(settings):
    settings.CLIPDESK_DONATION_CURRENCIES = ["usd", "xyz"]
    (message,) = checks.check_donation_choices(None)
    assert message.id == "clipdesk.E071" and "['xyz']" in message.msg
    assert "clipdesk.E071" in [m.id for m in run_checks()]
    settings.CLIPDESK_DONATION_CURRENCIES = ["usd", "eur"]
    assert checks.check_donation_choices(None) == []
