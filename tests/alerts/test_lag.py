"""Lag: how far each channel's transcript is behind the air, shown on the staff pages, and one
warning and one email to the admins (a real SMTP server on loopback) per incident."""

import datetime as dt

import pytest

from clipdesk.alerts import actions
from clipdesk.alerts.models import LiveChannel
from recording.streams import add, recorded

pytestmark = pytest.mark.django_db
AIR = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_lag_over_the_threshold_mails_the_admins_once_per_incident(
    settings, mailbox, caplog, django_capture_on_commit_callbacks
):
    settings.CLIPDESK_LIVE_LAG_ALERT_SECONDS = 30
    settings.ADMINS = [("", "ops@example.org")]
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    live = LiveChannel.objects.create(source=source, watermark=AIR)
    for second in range(0, 24, 6):
        recorded(source, AIR + dt.timedelta(seconds=second), 6)
    assert actions.refresh_lag(source.pk) == 24.0 and not mailbox
    recorded(source, AIR + dt.timedelta(seconds=24), 12)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.refresh_lag(source.pk) == 36.0
    assert len(mailbox) == 1
    message = mailbox[0]
    assert message["To"] == "ops@example.org"
    assert "Live TV is 36 s behind" in message["Subject"]
    assert "/staff/channels/live-tv/timeline/" in message.get_payload()
    assert "36 s behind the air" in caplog.text
    recorded(source, AIR + dt.timedelta(seconds=36), 12)
    with django_capture_on_commit_callbacks(execute=True):
        actions.refresh_lag(source.pk)
    assert len(mailbox) == 1  # the same incident
    LiveChannel.objects.filter(pk=live.pk).update(watermark=AIR + dt.timedelta(seconds=40))
    assert actions.refresh_lag(source.pk) == 8.0
    assert LiveChannel.objects.get(pk=live.pk).lagging_since is None  # recovered
    recorded(source, AIR + dt.timedelta(seconds=48), 30)
    with django_capture_on_commit_callbacks(execute=True):
        actions.refresh_lag(source.pk)
    assert len(mailbox) == 2  # a new incident


def test_the_lag_is_on_the_channel_list_coverage_timeline_and_worklist(client, roles, settings):
    settings.CLIPDESK_LIVE_LAG_ALERT_SECONDS = 30
    source = add("http://127.0.0.1:9/live.m3u8", name="Live TV")
    LiveChannel.objects.create(source=source, watermark=AIR)
    recorded(source, AIR, 45)
    actions.refresh_lag(source.pk)
    client.force_login(roles["monitor"])
    for url in (
        "/staff/channels/",
        "/staff/channels/live-tv/coverage/",
        "/staff/channels/live-tv/timeline/?date=2026-03-02&hour=9",
        "/staff/work/",
    ):
        page = client.get(url).content.decode()
        assert "45 s behind" in page, url
    assert "the workers cannot keep up" in client.get("/staff/channels/").content.decode()
