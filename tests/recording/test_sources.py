"""Channel sources: added, changed, paused and resumed through `clipdesk channel`, the admin, and actions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from clipdesk.recording import actions
from clipdesk.recording.models import ChannelSource, Lease

pytestmark = pytest.mark.django_db


def channel(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("channel", *args, stdout=out)
    return out.getvalue()


def test_channel_add_guesses_the_kind_and_creates_the_channel():
    channel("add", "Al-Manar TV", "http://127.0.0.1:9/live/index.m3u8", "--time-zone", "Asia/Beirut")
    channel("add", "Sat One", "udp://127.0.0.1:5000")
    source = ChannelSource.objects.get(channel__name="Al-Manar TV")
    assert (source.kind, source.time_zone, source.paused) == ("hls", "Asia/Beirut", False)
    assert ChannelSource.objects.get(channel__name="Sat One").kind == "udp"
    assert Lease.objects.filter(source=source, holder="").exists()
    assert "al-manar-tv\thls" in channel("list")


def test_channel_set_pause_and_resume_keep_history():
    channel("add", "Sat One", "udp://127.0.0.1:5000")
    channel("set", "Sat One", "--url", "http://127.0.0.1:9/stream.ts")
    channel("pause", "sat-one")
    source = ChannelSource.objects.get()
    assert (source.kind, source.paused) == ("http-ts", True)
    assert "paused" in channel("list")
    channel("resume", "Sat One")
    source.refresh_from_db()
    assert not source.paused
    assert source.history.count() == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "A", "ftp://x/y"], "absolute path"),
        (["add", "A", "http://x/a.m3u8", "--time-zone", "Mars/Olympus"], "not a time zone"),
        (["add", "A", "http://x/a.m3u8", "--kind", "udp"], "starts with udp://"),
        (["pause", "Nobody"], "No channel"),
    ],
)
def test_bad_sources_are_refused_with_the_reason(args, message):
    with pytest.raises(CommandError, match=message):
        channel(*args)
    assert not ChannelSource.objects.exists()


def test_a_channel_has_one_source():
    channel("add", "A", "udp://127.0.0.1:5000")
    with pytest.raises(CommandError, match="has a source already"):
        channel("add", "A", "udp://127.0.0.1:5001")


def test_staff_without_the_permission_cannot_add_a_source(roles):
    with pytest.raises(PermissionDenied):
        actions.add_source(user=roles["monitor"], channel="A", url="udp://127.0.0.1:5000")


def test_the_admin_adds_and_changes_through_the_actions(admin_client):
    from clipdesk.archive.models import Channel

    tv = Channel.objects.create(name="TV", slug="tv")
    response = admin_client.post(
        "/staff/admin/recording/channelsource/add/",
        {"channel": tv.pk, "kind": "hls", "url": "udp://wrong", "time_zone": "UTC"},
    )
    assert response.status_code == 200 and "starts with http" in response.text
    admin_client.post(
        "/staff/admin/recording/channelsource/add/",
        {"channel": tv.pk, "kind": "hls", "url": "http://127.0.0.1:9/a.m3u8", "time_zone": "UTC"},
    )
    source = ChannelSource.objects.get()
    assert Lease.objects.filter(source=source).exists()
    admin_client.post(
        f"/staff/admin/recording/channelsource/{source.pk}/change/",
        {"kind": "hls", "url": "http://127.0.0.1:9/b.m3u8", "time_zone": "Europe/Paris", "paused": "on"},
    )
    source.refresh_from_db()
    assert (source.url, source.time_zone, source.paused) == (
        "http://127.0.0.1:9/b.m3u8",
        "Europe/Paris",
        True,
    )
    with pytest.raises(ValidationError):
        actions.change_source(source, user=None, holder="me")
