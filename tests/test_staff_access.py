"""Every staff URL, tried as anonymous and as a signed-in reader: neither ever gets in or changes anything.

Roles are checked per page and per action in each app's tests; this guard makes sure no staff URL is
left without a gate. A new staff URL fails `test_every_staff_url_is_listed` until it is listed here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

STAFF_PREFIXES = ("staff/", "desk/")
PUBLIC_STAFF_PATHS = {"staff/login/", "staff/logout/"}


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("staff/admin/"):
                continue  # the admin guards itself; tested through its own pages
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def staff_routes() -> set[str]:
    return {
        r.lstrip("^") for r in _patterns() if r.lstrip("^").startswith(STAFF_PREFIXES)
    } - PUBLIC_STAFF_PATHS


@pytest.fixture
def urls(timed_clip):
    from clipdesk.archive import actions
    from factories.inquiries import InquiryFactory, TranslationReportFactory

    segment = timed_clip.segments.first()
    clip = actions.publish_clip(timed_clip, user=None)
    report = TranslationReportFactory(segment=segment, clip=clip)
    inquiry = InquiryFactory()
    from factories.ingest import IngestJobFactory

    job = IngestJobFactory()
    from clipdesk.recording.actions import add_source

    channel = add_source(user=None, channel=clip.channel, url="http://127.0.0.1:9/live.m3u8").channel.slug
    pk = clip.pk
    return {
        "staff/work/": "/staff/work/",
        "staff/quality/": "/staff/quality/",
        "staff/two-factor/": "/staff/two-factor/",
        "staff/verify/": "/staff/verify/",
        "staff/clips/<staffid:pk>/edit/": f"/staff/clips/id:{pk}/edit/",
        "staff/clips/<staffid:pk>/workflow/": f"/staff/clips/id:{pk}/workflow/",
        "staff/clips/<staffid:pk>/correction/": f"/staff/clips/id:{pk}/correction/",
        "staff/clips/<staffid:pk>/subtitles/": f"/staff/clips/id:{pk}/subtitles/",
        "staff/clips/<staffid:pk>/media/": f"/staff/clips/id:{pk}/media/",
        "staff/clips/<staffid:pk>/speakers/": f"/staff/clips/id:{pk}/speakers/",
        "staff/clips/<staffid:pk>/undo/": f"/staff/clips/id:{pk}/undo/",
        "staff/clips/<staffid:pk>/replace/": f"/staff/clips/id:{pk}/replace/",
        "staff/media/<int:pk>/peaks.json": "/staff/media/1/peaks.json",
        "staff/segments/<int:pk>/": f"/staff/segments/{segment.pk}/",
        "staff/segments/<int:pk>/split/": f"/staff/segments/{segment.pk}/split/",
        "staff/segments/<int:pk>/merge/": f"/staff/segments/{segment.pk}/merge/",
        "staff/segments/<int:pk>/checked/": f"/staff/segments/{segment.pk}/checked/",
        "staff/ingest/": "/staff/ingest/",
        "staff/ingest/<int:pk>/": f"/staff/ingest/{job.pk}/",
        "staff/ingest/<int:pk>/status.json": f"/staff/ingest/{job.pk}/status.json",
        "staff/ingest/<int:pk>/retry/": f"/staff/ingest/{job.pk}/retry/",
        "staff/ingest/<int:pk>/cancel/": f"/staff/ingest/{job.pk}/cancel/",
        "staff/ingest/<int:pk>/rerun/": f"/staff/ingest/{job.pk}/rerun/",
        "staff/uploads/": "/staff/uploads/",
        "staff/uploads/<uuid:upload_id>/": "/staff/uploads/4b1c2a9e-0000-4000-8000-000000000000/",
        "staff/channels/": "/staff/channels/",
        "staff/channels/<slug:slug>/coverage/": f"/staff/channels/{channel}/coverage/",
        "staff/channels/<slug:slug>/timeline/": f"/staff/channels/{channel}/timeline/",
        "staff/channels/<slug:slug>/recording.m3u8": f"/staff/channels/{channel}/recording.m3u8",
        "staff/channels/<slug:slug>/cut/": f"/staff/channels/{channel}/cut/",
        "staff/recordings/<int:pk>.ts": "/staff/recordings/1.ts",
        "staff/alerts/": "/staff/alerts/",
        "staff/alerts/feed.json": "/staff/alerts/feed.json",
        "staff/alerts/search/": "/staff/alerts/search/?q=truce",
        "staff/alerts/watchlists/": "/staff/alerts/watchlists/",
        "staff/alerts/watchlists/<int:pk>/": "/staff/alerts/watchlists/1/",
        "staff/alerts/watchlists/<int:pk>/terms/": "/staff/alerts/watchlists/1/terms/",
        "staff/alerts/watchlists/<int:pk>/terms/<int:term>/remove/": "/staff/alerts/watchlists/1/terms/1/remove/",
        "staff/alerts/watchlists/<int:pk>/delete/": "/staff/alerts/watchlists/1/delete/",
        "staff/channels/<slug:slug>/not-transcribed/<int:pk>/retry/": f"/staff/channels/{channel}/not-transcribed/1/retry/",
        "desk/": "/desk/",
        "desk/requests/<int:pk>/": f"/desk/requests/{inquiry.pk}/",
        "desk/reports/<int:pk>/": f"/desk/reports/{report.pk}/",
    }


def test_every_staff_url_is_listed(urls):
    assert staff_routes() == set(urls)


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_nobody_outside_staff_gets_in(client, roles, urls, timed_clip, who):
    from clipdesk.archive.models import Clip

    if who == "reader":
        client.force_login(roles["reader"])
    before = Clip.objects.get(pk=timed_clip.pk).history.count()
    for route, url in urls.items():
        for method in ("get", "post"):
            response = getattr(client, method)(
                url, {"step": "withdraw", "reason": "x", "version": "1", "at": "2"}
            )
            assert response.status_code in (302, 403, 405), (who, method, route, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/staff/login/"), (who, route)
    assert Clip.objects.get(pk=timed_clip.pk).status == Clip.Status.PUBLISHED
    assert Clip.objects.get(pk=timed_clip.pk).history.count() == before


@pytest.mark.parametrize("role", ["monitor", "translator", "editor", "publisher", "desk", "admin"])
def test_every_role_can_open_the_staff_pages_it_needs(client, roles, urls, role):
    client.force_login(roles[role])
    assert client.get(urls["staff/work/"]).status_code == 200
    assert client.get(urls["staff/clips/<staffid:pk>/edit/"]).status_code == 200
    desk = client.get(urls["desk/"]).status_code
    assert desk == (200 if role in ("desk", "admin") else 403), (role, desk)
    watching = role in ("monitor", "editor", "publisher", "admin")
    for route in (
        "staff/alerts/",
        "staff/alerts/watchlists/",
        "staff/alerts/search/",
        "staff/channels/<slug:slug>/timeline/",
    ):
        status = client.get(urls[route]).status_code
        assert status == (200 if watching else 403), (role, route, status)
