"""Watching the air follows the role matrix: each page and action of the watchlists, the alert feed,
the recordings' search and the timeline needs its permission (403 without it, never a 500 or a
redirect), the roles that monitor hold them, and a monitor sees only their own watchlists and alerts
while the admin role sees every monitor's."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from alerts.conftest import AIR, store
from clipdesk.accounts.roles import ROLES
from clipdesk.alerts import actions
from clipdesk.alerts.models import Alert, NotTranscribed, Watchlist, WatchTerm
from factories.archive import UserFactory
from recording.streams import recorded

pytestmark = pytest.mark.django_db

WATCH = {
    "recording.view_segment",
    "alerts.view_liveline",
    "alerts.view_watchlist",
    "alerts.add_watchlist",
    "alerts.change_watchlist",
    "alerts.delete_watchlist",
    "alerts.view_alert",
    "alerts.view_nottranscribed",
    "alerts.change_nottranscribed",
}
MOMENT = "2026-03-02T09:00:00Z"

# (name, method, address, data, the permissions it needs, the answer with them)
CASES = [
    ("feed", "get", "/staff/alerts/", {}, {"alerts.view_alert"}, 200),
    ("feed json", "get", "/staff/alerts/feed.json", {}, {"alerts.view_alert"}, 200),
    ("search", "get", "/staff/alerts/search/", {"q": "truce"}, {"alerts.view_liveline"}, 200),
    ("watchlists", "get", "/staff/alerts/watchlists/", {}, {"alerts.view_watchlist"}, 200),
    (
        "make a watchlist",
        "post",
        "/staff/alerts/watchlists/",
        {"name": "New", "email_minutes": "5"},
        {"alerts.view_watchlist", "alerts.add_watchlist"},
        302,
    ),
    ("a watchlist", "get", "/staff/alerts/watchlists/{list}/", {}, {"alerts.view_watchlist"}, 200),
    (
        "change a watchlist",
        "post",
        "/staff/alerts/watchlists/{list}/",
        {"name": "Renamed", "email_minutes": "5", "active": "on"},
        {"alerts.view_watchlist", "alerts.change_watchlist"},
        302,
    ),
    (
        "add a term",
        "post",
        "/staff/alerts/watchlists/{list}/terms/",
        {"kind": "term", "value": "ceasefire"},
        {"alerts.change_watchlist"},
        302,
    ),
    (
        "remove a term",
        "post",
        "/staff/alerts/watchlists/{list}/terms/{term}/remove/",
        {},
        {"alerts.change_watchlist"},
        302,
    ),
    (
        "delete a watchlist",
        "post",
        "/staff/alerts/watchlists/{list}/delete/",
        {},
        {"alerts.delete_watchlist"},
        302,
    ),
    (
        "retry a span",
        "post",
        "/staff/channels/al-manar-tv/not-transcribed/{span}/retry/",
        {},
        {"alerts.change_nottranscribed"},
        302,
    ),
    (
        "timeline",
        "get",
        "/staff/channels/al-manar-tv/timeline/",
        {"t": MOMENT},
        {"recording.view_segment"},
        200,
    ),
    (
        "playlist",
        "get",
        "/staff/channels/al-manar-tv/recording.m3u8",
        {"start": "2026-03-02T09:00:00+00:00", "end": "2026-03-02T10:00:00+00:00"},
        {"recording.view_segment"},
        200,
    ),
    ("a recording", "get", "/staff/recordings/{segment}.ts", {}, {"recording.view_segment"}, 200),
    (
        "cut a clip",
        "post",
        "/staff/channels/al-manar-tv/cut/",
        {"start": "2026-03-02T09:00:01Z", "end": "2026-03-02T09:00:05Z"},
        {"recording.view_segment", "media.add_mediaasset", "archive.add_clip"},
        302,
    ),
]


def holding(username: str, perms):
    user = UserFactory(username=username, is_staff=True, email=f"{username}@example.org")
    for dotted in perms:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def own(user, source) -> dict:
    """The ids in the addresses: a watchlist of `user` with a term, a span not transcribed, a recording."""
    watchlist = Watchlist.objects.create(owner=user, name="Truce")
    term = WatchTerm.objects.create(watchlist=watchlist, kind=WatchTerm.Kind.TERM, value="truce")
    span = NotTranscribed.objects.get_or_create(
        source=source, start=AIR, end=AIR + dt.timedelta(seconds=20), defaults={"reason": "x"}
    )[0]
    segment = source.segments.first() or recorded(source, AIR, 6, stored=True)
    return {"list": watchlist.pk, "term": term.pk, "span": span.pk, "segment": segment.pk}


@pytest.mark.parametrize(
    ("name", "method", "address", "data", "needs", "allowed"), CASES, ids=[c[0] for c in CASES]
)
def test_each_page_and_action_needs_its_permission(
    client, source, name, method, address, data, needs, allowed
):
    without = holding("without", WATCH - needs)  # every other permission of watching
    client.force_login(without)
    refused = getattr(client, method)(address.format(**own(without, source)), data)
    assert refused.status_code == 403, (name, refused.status_code)
    assert Watchlist.objects.filter(owner=without, name="Truce", terms__value="truce").exists()
    assert Watchlist.objects.count() == 1
    assert NotTranscribed.objects.get().status == NotTranscribed.Status.FAILED

    with_ = holding("with", needs)
    client.force_login(with_)
    url = address.format(**own(with_, source))
    response = getattr(client, method)(url, data)
    assert response.status_code == allowed, (name, response.status_code)
    if response.streaming:
        response.close()  # a recording is served from its open file
    if allowed == 302:
        assert not response["Location"].startswith("/staff/login/"), name


def test_cutting_from_the_timeline_also_needs_the_ingest_permissions(client, source, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    recorded(source, AIR, 6, stored=True)
    client.force_login(holding("viewer", {"recording.view_segment"}))
    response = client.post(
        "/staff/channels/al-manar-tv/cut/", {"start": "2026-03-02T09:00:01Z", "end": "2026-03-02T09:00:05Z"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["monitor", "translator", "editor", "publisher", "desk", "admin"])
def test_the_roles_that_monitor_watch_the_air(client, roles, source, role):
    client.force_login(roles[role])
    watching = role in ("monitor", "editor", "publisher", "admin")
    for url in (
        "/staff/alerts/",
        "/staff/alerts/feed.json",
        "/staff/alerts/search/?q=truce",
        "/staff/alerts/watchlists/",
        "/staff/channels/al-manar-tv/timeline/",
    ):
        assert client.get(url).status_code == (200 if watching else 403), (role, url)
    if role != "admin":  # the admin role holds every permission ("*")
        assert "alerts.oversee_watchlist" not in ROLES[role]


def test_the_feed_offers_a_clip_only_to_those_who_may_cut(client, source, roles):
    def feed_of(user):
        watchlist = actions.create_watchlist(user=user, name=f"Truce of {user}")
        actions.add_watch_term(watchlist, user=user, kind=WatchTerm.Kind.TERM, value="truce")
        return watchlist

    monitor, editor = feed_of(roles["monitor"]), feed_of(roles["editor"])
    store(source, (AIR, "the truce holds", {"language": "en"}))
    assert Alert.objects.filter(watchlist__in=[monitor, editor]).count() == 2
    client.force_login(roles["monitor"])
    assert "Make a clip here" in client.get("/staff/alerts/").content.decode()
    assert client.get("/staff/alerts/feed.json").json()["alerts"][0]["clip_url"]
    client.force_login(roles["editor"])  # editors attach no media: no cutting
    page = client.get("/staff/alerts/").content.decode()
    assert "the truce holds" in page and "Make a clip here" not in page
    assert client.get("/staff/alerts/feed.json").json()["alerts"][0]["clip_url"] == ""


def test_the_admin_role_sees_and_changes_every_monitors_watchlists(client, roles, monitor, source):
    watched = actions.create_watchlist(user=monitor, name="Truce")
    actions.add_watch_term(watched, user=monitor, kind=WatchTerm.Kind.TERM, value="truce")
    store(source, (AIR, "the truce holds", {"language": "en"}))
    other = roles["monitor"]
    client.force_login(other)
    assert b"Truce" not in client.get("/staff/alerts/watchlists/").content
    assert client.post(f"/staff/alerts/watchlists/{watched.pk}/delete/").status_code == 404
    with pytest.raises(PermissionDenied):
        actions.delete_watchlist(watched, user=other)

    admin = roles["admin"]
    assert not admin.is_superuser
    client.force_login(admin)
    listing = client.get("/staff/alerts/watchlists/").content.decode()
    assert "Truce" in listing and "monitor1" in listing
    page = client.get(f"/staff/alerts/watchlists/{watched.pk}/").content.decode()
    assert "<strong>truce</strong>" in page and "This watchlist is monitor1's." in page
    assert (
        client.post(
            f"/staff/alerts/watchlists/{watched.pk}/terms/", {"kind": "term", "value": "war"}
        ).status_code
        == 302
    )
    assert set(watched.terms.values_list("value", flat=True)) == {"truce", "war"}
    # Their own feed stays their own; every alert is in the admin's list of alerts.
    assert client.get("/staff/alerts/feed.json").json() == {"alerts": []}
    assert client.get("/staff/admin/alerts/alert/").context["cl"].result_count == 1
