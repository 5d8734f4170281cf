"""Coverage: what was recorded and every gap, per hour of the channel's own zone, on the staff page,
from `clipdesk coverage`, in /healthz's background section and on the worklist."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clipdesk.recording.models import ChannelSource, Gap
from recording.streams import add, recorded

pytestmark = pytest.mark.django_db
BEIRUT = dt.timezone(dt.timedelta(hours=2))  # Asia/Beirut in winter


@pytest.fixture
def channel():
    source = add("http://127.0.0.1:9/live.m3u8", name="Al-Manar TV", time_zone="Asia/Beirut")
    ChannelSource.objects.filter(pk=source.pk).update(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    source.refresh_from_db()
    # 10:00 to 11:00 Beirut time on 5 January (08:00 to 09:00 UTC): recorded but for ten minutes.
    start = dt.datetime(2026, 1, 5, 10, 0, tzinfo=BEIRUT)
    for minute in range(60):
        if not 20 <= minute < 30:
            recorded(source, start + dt.timedelta(minutes=minute), 60, size=2**20)
    Gap.objects.create(
        source=source,
        start=start + dt.timedelta(minutes=20),
        end=start + dt.timedelta(minutes=30),
        reason="stall",
        detail="no new segment for 10 s",
    )
    return source


def test_the_command_shows_hours_and_gaps_in_the_channels_zone(channel):
    out = StringIO()
    call_command("coverage", "al-manar-tv", "--date", "2026-01-05", stdout=out)
    text = out.getvalue()
    day = next(line for line in text.splitlines() if line.startswith("2026-01-05"))
    assert day.split("  ", 1)[1] == "." * 10 + "+" + "." * 13  # the tenth hour of the local day
    assert "2026-01-05 10:20:00 to 2026-01-05 10:30:00  600 s  stall: no new segment for 10 s" in text
    assert "Uptime 3.5%: 0.83 h recorded of 24.00 h" in text
    assert "Stored: 0.05 GiB" in text


def test_a_week_and_a_fully_recorded_hour(channel):
    start = dt.datetime(2026, 1, 6, 0, 0, tzinfo=BEIRUT)
    for minute in range(60):
        recorded(channel, start + dt.timedelta(minutes=minute), 60)
    out = StringIO()
    call_command("coverage", "Al-Manar TV", "--period", "week", "--date", "2026-01-05", stdout=out)
    lines = {line[:10]: line[12:] for line in out.getvalue().splitlines() if line.startswith("2026-01")}
    assert len(lines) == 7 and lines["2026-01-06"].startswith("#.")


def test_the_staff_page(client, roles, channel):
    client.force_login(roles["monitor"])
    response = client.get("/staff/channels/al-manar-tv/coverage/?period=day&date=2026-01-05")
    assert response.status_code == 200
    page = response.text
    assert page.count('<td class="hour-partial"') == 1 and page.count('<td class="hour-gap"') == 23
    assert "10:00: 83% recorded; The stream stalled (no data)" in page
    assert "2026-01-05 08:20:00 UTC" in page and "no new segment for 10 s" in page
    assert "Asia/Beirut" in page
    listing = client.get("/staff/channels/").text
    assert "Al-Manar TV" in listing and "50.0\xa0MB" in listing
    assert "Free on the media disk" in listing and "the oldest recordings are being deleted" not in listing


def test_staff_are_warned_when_the_disk_is_under_the_floor(client, roles, channel, settings):
    settings.CLIPDESK_RECORDING_MIN_FREE_GB = 10**9  # an exabyte: more than any disk has free
    client.force_login(roles["monitor"])
    assert "the oldest recordings are being deleted" in client.get("/staff/channels/").text
    assert client.get("/staff/channels/al-manar-tv/coverage/?date=2026-13-01").status_code == 404
    assert client.get("/staff/channels/al-manar-tv/coverage/?period=year").status_code == 200


def test_a_channel_down_now_is_on_healthz_and_the_worklist_without_a_503(client, roles, channel):
    assert client.get("/healthz").json()["background"]["recording"] == {"ok": True, "channels": 1, "down": []}
    Gap.objects.create(
        source=channel, start=timezone.now(), reason="unreachable", detail="connection refused"
    )
    response = client.get("/healthz")
    assert response.status_code in {200, 503}  # decided by the database and the storage alone
    assert response.json()["background"]["recording"] == {
        "ok": False,
        "detail": "1 channel(s) down",
        "channels": 1,
        "down": ["al-manar-tv"],
    }
    client.force_login(roles["monitor"])
    worklist = client.get("/staff/work/").text
    assert "Channels down now" in worklist and "Al-Manar TV</a>: unreachable" in worklist
    ChannelSource.objects.filter(pk=channel.pk).update(paused=True)  # paused is not down
    assert client.get("/healthz").json()["background"]["recording"]["down"] == []
