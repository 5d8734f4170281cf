"""No URL answers 500, whatever its query string, headers or JSON body; and HEAD is answered wherever GET is.

Every URL pattern of the site (the Django admin aside: it is Django's own, and guards its own input) is
filled with the ids, numbers and slugs of a small archive, or with odd values, and asked for with query
parameters the views read, valued with what broke them before: digits that are not ASCII ("²"), numbers
of thousands of digits, negative and empty values. Requests go through a client that answers as
production does (an exception becomes a 500 response rather than a test error), as a reader and as staff.
"""

import datetime as dt
import json
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # int() refuses more than 4,300 digits
ODD = ["", "²", "٣", "-1", "0", "1e400", "NaN", "1:12", "2021", "99999", HUGE, "\x00", " 7 ", "%", "id:1"]
# The query parameters each page reads; every other page is tried with all of them.
KEYS_READ = {
    "clips/": ["year", "page", "channel", "country", "topic", "person"],
    "clips/<int:number>/<str:slug>/": ["t"],
    "clips/<staffid:pk>/": ["t"],
    "embed/<int:number>/": ["t", "end"],
    "search/": ["q", "page", "from", "to", "sort", "drafts", "channel", "topic", "person", "lang"],
    "oembed": ["url", "format", "maxwidth", "maxheight"],
    "api/clips": ["year", "page", "page_size", "include", "language", "channel", "topic", "person"],
    "api/search": ["q", "year", "page", "page_size", "include", "sort", "channel"],
    "staff/work/": ["status", "assignee", "mine"],
}
# What a parameter needs beside it to be read at all.
BASE_QUERY = {"oembed": {"url": "http://testserver/clips/8891/"}}
ALL_KEYS = sorted({key for keys in KEYS_READ.values() for key in keys} | {"frequency", "next", "country"})
ODD_RANGES = [
    f"bytes={HUGE}-",
    f"bytes=-{HUGE}",
    f"bytes=0-{HUGE}",
    "bytes=²-",
    "bytes=٣-",
    "bytes=5-1",
    "bytes=-0",
]
HEADERS = ["Accept", "If-None-Match", "If-Modified-Since", "Accept-Language", "Authorization"]
JSON_ENDPOINTS = ["staff/segments/<int:pk>/", "donate/webhook/"]


def routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("staff/admin/"):
                yield from routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


ROUTES = sorted(set(routes()))


@pytest.fixture
def archive(timed_clip, roles, settings, tmp_path, video):
    """A published clip with media, its people, topic and references; a draft; requests, jobs and reports.

    Returns, for each path parameter, the values that name something real, the first one best.
    """
    from clipdesk.archive import actions
    from clipdesk.media.actions import attach_media
    from clipdesk.uploads.models import Upload
    from factories.archive import ClipFactory, PersonFactory, TopicFactory
    from factories.donations import DonationFactory
    from factories.ingest import IngestJobFactory
    from factories.inquiries import InquiryFactory, TranslationReportFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    person, topic = PersonFactory(name="Ali Hassan"), TopicFactory(name="Elections")
    timed_clip.people.add(person)
    timed_clip.topics.add(topic)
    asset = attach_media(timed_clip, video, user=None, source="test")
    clip = actions.publish_clip(timed_clip, user=None, number=8891)
    draft = ClipFactory(title="A draft")
    segment = clip.segments.first()
    report = TranslationReportFactory(segment=segment, clip=clip)
    inquiry = InquiryFactory()
    job = IngestJobFactory()
    upload = Upload.objects.create(
        owner=roles["admin"], length=10, expires_at=job.created_at + dt.timedelta(days=1)
    )
    return {
        "number": [clip.number, 10**30],
        "pk": {
            "media/": [asset.pk, 0],
            "staff/media/": [asset.pk, 0],
            "staff/segments/": [segment.pk, 0],
            "staff/ingest/": [job.pk, 0],
            "api/ingest/": [job.pk, 0],
            "staff/recordings/": [1, 0],
            "staff/alerts/": [1, 0],
            "staff/channels/": [1, 0],  # a "not transcribed" span of a channel's live transcript
            "desk/requests/": [inquiry.pk, 0],
            "desk/reports/": [report.pk, 0],
        },
        "staffid": [f"id:{clip.pk}", f"id:{draft.pk}", "id:" + "9" * 30],
        "line": [1, 2, 99],
        "term": [1, 0],
        "slug": [clip.slug, person.slug, topic.slug, clip.channel.slug, "no-such-thing"],
        "language": ["en", "ar", "x"],
        "fmt": ["vtt", "srt", "txt"],
        "token": [inquiry.status_token, "not-a-token"],
        "reference": [str(DonationFactory(provider="offline").reference)],
        "ref": [str(clip.number), f"id:{clip.pk}", "²"],
        "upload_id": [str(upload.pk), "4b1c2a9e-0000-4000-8000-000000000000"],
    }


@pytest.fixture(scope="session")
def video(tmp_path_factory):
    from factories.media import make_video

    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=1)


def fill(route: str, values: dict, pick) -> str:
    """The route with each `<converter:name>` replaced by pick(candidates for that name)."""

    def one(match):
        converter, name = match.group(1) or "str", match.group(2)
        candidates = values.get("staffid" if converter == "staffid" else name) or values["slug"]
        if isinstance(candidates, dict):  # ids of different models: the one this route names
            candidates = next(ids for prefix, ids in candidates.items() if route.startswith(prefix))
        return quote(str(pick(candidates)), safe=":")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


def user_client(roles, who: str) -> Client:
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login(roles[who])
    return client


def assert_answered(response, route):
    response.close()
    # Two deliberate answers of the 5xx class: the health check's 503 when a service is down, and
    # oEmbed's 501 for a format other than json, as its specification asks.
    allowed = {"healthz": {503}, "oembed": {501}}.get(route.split("?")[0], set())
    assert response.status_code < 500 or response.status_code in allowed, (route, response.status_code)


text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
values = st.one_of(st.sampled_from(ODD), st.integers(-(10**30), 10**30).map(str), text)
# What a WSGI server can hand over: header values are Latin-1.
header_values = st.one_of(
    st.sampled_from(["*/*", "application/json", '"x"', "W/*", "Bearer x", "Bearer " + HUGE, "yesterday"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=30),
)
ranges = st.one_of(
    st.none(),
    st.sampled_from(ODD_RANGES),
    st.from_regex(r"bytes=[0-9²]{0,25}-[0-9]{0,25}", fullmatch=True),
    header_values,
)
# JSON values nested two levels deep, spelled out: Hypothesis's st.recursive warns (as an error here) that
# an extend built from a lists-or-dictionaries union "doesn't use its argument".
json_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from([10**400])
)
json_nested = st.lists(json_leaves, max_size=3) | st.dictionaries(
    st.text(max_size=12), json_leaves, max_size=4
)
json_values = (
    json_leaves
    | json_nested
    | st.lists(json_nested, max_size=2)
    | st.dictionaries(st.text(max_size=12), json_nested, max_size=3)
)
json_objects = st.dictionaries(
    st.sampled_from(
        [
            "version",
            "english_text",
            "original_text",
            "original_language",
            "speaker_id",
            "start_ms",
            "end_ms",
            "id",
            "type",
            "data",
        ]
    ),
    json_values,
    max_size=4,
)
FUZZ = hypothesis_settings(
    hypothesis_settings.get_profile("ci"),
    max_examples=20,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("route", ROUTES)
@FUZZ
@given(data=st.data())
def test_no_query_or_header_makes_a_server_error(archive, roles, route, data):
    who = data.draw(st.sampled_from(["anonymous", "admin"]), label="who")
    path = fill(route, archive, lambda candidates: data.draw(st.sampled_from(candidates)))
    # A few keys at a time: with many, the first the view refuses (an unknown channel: 404) hides the rest.
    keys = data.draw(st.lists(st.sampled_from(KEYS_READ.get(route, ALL_KEYS)), max_size=3, unique=True))
    query = {**BASE_QUERY.get(route, {}), **{key: data.draw(values, label=key) for key in keys}}
    headers = data.draw(st.dictionaries(st.sampled_from(HEADERS), header_values, max_size=2), label="headers")
    if (range_ := data.draw(ranges, label="Range")) is not None:
        headers["Range"] = range_
    assert_answered(user_client(roles, who).get(path, query, headers=headers), route)


@pytest.mark.parametrize("route", sorted(KEYS_READ))
def test_each_parameter_a_page_reads_with_each_odd_value(archive, roles, route):
    """The sweep that random examples may miss: every parameter alone, with every value that broke one."""
    client = user_client(roles, "admin")
    path = fill(route, archive, lambda candidates: candidates[0])
    for key in KEYS_READ[route]:
        for value in ODD:
            assert_answered(client.get(path, {**BASE_QUERY.get(route, {}), key: value}), f"{route}?{key}")


@pytest.mark.parametrize("route", ["media/assets/<int:pk>/file", "media/assets/<int:pk>/poster"])
@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_each_odd_range_is_answered(archive, roles, route, who):
    client = user_client(roles, who)
    path = fill(route, archive, lambda candidates: candidates[0])
    for value in ODD_RANGES:
        assert_answered(client.get(path, headers={"Range": value}), route)


@pytest.mark.parametrize("route", JSON_ENDPOINTS)
@FUZZ
@given(data=st.data())
def test_no_json_body_makes_a_server_error(archive, roles, settings, route, data):
    # The Stripe provider, whose library reads the body before the signature is checked.
    settings.CLIPDESK_PAYMENT_PROVIDER = "clipdesk.donations.providers.stripe_checkout.StripeCheckout"
    settings.CLIPDESK_STRIPE_WEBHOOK_SECRET = "whsec_test"
    path = fill(route, archive, lambda candidates: candidates[0])
    body = data.draw(st.one_of(json_objects, json_values), label="body")
    raw = data.draw(st.one_of(st.just(None), st.binary(max_size=20)), label="raw")
    payload = raw if raw is not None else json.dumps(body)
    for who in ("anonymous", "admin"):
        response = user_client(roles, who).post(path, payload, content_type="application/json")
        assert_answered(response, route)


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_head_is_answered_wherever_get_is(archive, roles, who):
    """Same status and headers as GET, no body: link checkers, feed readers and monitors send HEAD."""
    client = user_client(roles, who)
    answered = 0
    for route in ROUTES:
        path = fill(route, archive, lambda candidates: candidates[0])
        get = client.get(path)
        get.close()
        if get.status_code == 405:
            continue
        head = client.head(path)
        head.close()
        assert head.status_code == get.status_code, (route, get.status_code, head.status_code)
        body = b"".join(head.streaming_content) if head.streaming else head.content
        assert body == b"", route
        assert head.get("Content-Type") == get.get("Content-Type"), route
        answered += 1
    assert answered > 40  # most of the site answers GET
