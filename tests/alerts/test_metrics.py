"""/metrics: Prometheus text for staff or a scraper with the configured bearer token, nobody else."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.conftest import make_line

pytestmark = pytest.mark.django_db


def test_metrics_are_for_staff_or_the_token_only(client, roles, settings):
    settings.CLIPDESK_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403  # no token configured
    client.force_login(roles["reader"])
    assert client.get("/metrics").status_code == 403
    client.logout()
    settings.CLIPDESK_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    client.force_login(roles["monitor"])
    assert client.get("/metrics").status_code == 200
    assert client.post("/metrics").status_code == 405


def test_metrics_report_lag_gaps_alerts_and_outboxes(client, roles, source, monitor):
    from clipdesk.alerts import actions
    from clipdesk.recording.models import Gap

    now = timezone.now()
    make_line(source, now - dt.timedelta(seconds=40), "truce", language="en", seconds=4)
    Gap.objects.create(source=source, start=now - dt.timedelta(minutes=5), reason=Gap.Reason.values[0])
    watched = actions.create_watchlist(user=monitor, name="W", email="m@example.org", email_minutes=5)
    actions.add_watch_term(watched, user=monitor, kind="term", value="ceasefire")
    from alerts.conftest import store

    store(source, (now - dt.timedelta(seconds=20), "ceasefire", {"language": "en"}))
    actions.batch_alert_emails()
    client.force_login(roles["admin"])
    response = client.get("/metrics")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    lag = next(
        line
        for line in text.splitlines()
        if line.startswith('clipdesk_live_lag_seconds{channel="al-manar-tv"}')
    )
    assert 10 <= float(lag.split()[-1]) < 300
    assert 'clipdesk_recording_open_gaps{channel="al-manar-tv"} 1.0' in text
    assert "clipdesk_alerts_total 1.0" in text
    assert 'clipdesk_mail_outbox{outbox="alerts"} 1.0' in text
    assert 'clipdesk_mail_outbox{outbox="subscriptions"} 0.0' in text
    assert 'clipdesk_live_lagging{channel="al-manar-tv"} 0.0' in text
    assert "clipdesk_queue_depth " in text and 'clipdesk_alert_latency_seconds{quantile="0.95"}' in text


def test_the_lag_is_the_live_transcriptions_own_when_it_has_state(client, roles, source):
    from clipdesk.alerts.models import LiveChannel
    from recording.streams import recorded

    now = timezone.now()
    recorded(source, now - dt.timedelta(seconds=96), 96)
    LiveChannel.objects.create(source=source, watermark=now - dt.timedelta(seconds=30), lagging_since=now)
    client.force_login(roles["admin"])
    text = client.get("/metrics").content.decode()
    assert 'clipdesk_live_lag_seconds{channel="al-manar-tv"} 30.0' in text
    assert 'clipdesk_live_lagging{channel="al-manar-tv"} 1.0' in text
