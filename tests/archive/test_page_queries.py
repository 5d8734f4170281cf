"""Query counts of the public pages, pinned: a page runs the same queries for a short clip and a long
one, for three clips listed and for thirty, so a query per line, per speaker or per card fails here.

The bounds are what the pages run today; a change that needs another query raises them on purpose.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clipdesk.archive import actions as archive_actions
from clipdesk.archive.addresses import cached_reverse, reverse_numbers
from clipdesk.archive.models import Clip, ClipReference, Person
from clipdesk.transcripts import actions
from clipdesk.transcripts.models import Segment, Speaker
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db

# clip and channel; lines with speakers and people; references; the clips they name; media;
# corrections, their edits and the edits' lines; topics; people; where a recording was cut; the versions
# of the cache tags the page is filed under (caching.tags), read in one query
CLIP_PAGE_QUERIES = 12
# the filter options (channels, countries, topics, people, years); the count; the page of clips, their
# topics and media; the versions of its cache tags; and the row of each channel, topic or person chosen
LIST_PAGE_QUERIES = 10


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


def make_clip(lines: int, speakers: int, extras: int, user, *, number: int) -> Clip:
    """A published clip with `lines` lines among `speakers` speakers (each a person), and `extras` of
    each of: topics, linked people, references (one to a clip in the archive), published corrections."""
    clip = ClipFactory(summary="See MEMRI TV clip no 1.", channel=ChannelFactory())
    clip.topics.set([TopicFactory() for _ in range(extras)])
    clip.people.set([PersonFactory() for _ in range(extras)])
    voices = [
        Speaker.objects.create(clip=clip, label=f"Voice {i}", person=PersonFactory(), position=i)
        for i in range(speakers)
    ]
    Segment.objects.bulk_create(
        Segment(
            clip=clip,
            position=i,
            start_ms=i * 5000,
            end_ms=i * 5000 + 4000,
            speaker=voices[i % speakers],
            original_text=f"نص [{i}] ...",
            original_language="ar",
            english_text=f"Line {i} [insertion] ...",
            words=[[i * 5000, i * 5000 + 400, "نص", 0.9]],
        )
        for i in range(lines)
    )
    for i in range(extras):
        ClipReference.objects.create(clip=clip, number=1 + i, text=f"MEMRI TV clip no {1 + i}")
    clip = archive_actions.publish_clip(clip, user=None, number=number)
    for i in range(extras):
        line = clip.segments.get(position=i)
        actions.edit_segment(line.pk, user=user, version=line.version, english_text=f"Line {i}, corrected.")
        actions.publish_correction(clip.revisions.pending().get(), user=user, note=f"Correction {i}.")
    return clip


def test_the_clip_page_runs_the_same_queries_for_a_short_clip_and_a_long_one(client, roles):
    ClipFactory(published=True)  # clip no 1, named by every clip's references
    short = make_clip(lines=2, speakers=1, extras=1, user=roles["publisher"], number=100)
    long = make_clip(lines=60, speakers=6, extras=4, user=roles["publisher"], number=200)

    few = queries(client, short.get_absolute_url())
    many = queries(client, long.get_absolute_url())

    assert len(many) == len(few) <= CLIP_PAGE_QUERIES, "\n".join(many)
    # what a reader never sees is not read: the speech pipeline's words of each line
    segment_query = next(q for q in many if 'FROM "transcripts_segment"' in q)
    assert '"words"' not in segment_query


def test_a_staff_preview_of_a_draft_runs_no_more_queries(client, roles):
    clip = ClipFactory(channel=ChannelFactory())
    Segment.objects.create(clip=clip, position=0, english_text="Draft words.")
    client.force_login(roles["editor"])
    url = f"/clips/id:{clip.pk}/"
    client.get(url)  # the session and its user, read once
    for i in range(1, 40):
        Segment.objects.create(clip=clip, position=i, english_text=f"More words {i}.")
    first, again = queries(client, url), queries(client, url)
    assert len(first) == len(again)
    assert "Draft words." in client.get(url).content.decode()


def _listing(count: int, person: Person) -> None:
    for _ in range(count):
        clip = ClipFactory(published=True, aired_on=dt.date(2020, 3, 1))
        clip.topics.add(TopicFactory(slug=f"t-{clip.pk}"), TopicFactory())
        Speaker.objects.create(clip=clip, label="Someone", person=person)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page=2",
        "?channel={channel}",
        "?country=Lebanon",
        "?topic={topic}",
        "?person=someone",
        "?year=2020",
        "?channel={channel}&year=2020&person=someone",
    ],
)
def test_the_list_page_runs_the_same_queries_for_any_number_of_clips(client, settings, query):
    settings.CLIPDESK_PAGE_SIZE = 5
    person = PersonFactory(slug="someone")
    _listing(6, person)
    first = Clip.objects.published().order_by("pk").first()
    url = "/clips/" + query.format(channel=first.channel.slug, topic=f"t-{first.pk}")
    few = queries(client, url)
    _listing(30, person)
    many = queries(client, url)
    chosen_rows = sum(f"{name}=" in query for name in ("channel", "topic", "person"))
    assert len(many) == len(few) <= LIST_PAGE_QUERIES + chosen_rows, "\n".join(many)


def test_filter_options_name_only_what_published_clips_have(client):
    """The options read each small table asking whether a published clip has the row: check them
    against the clips themselves, with drafts' names and years that must stay out."""
    spoken, linked, draft_only = PersonFactory(name="Spoken"), PersonFactory(name="Linked"), PersonFactory()
    clip = ClipFactory(aired_on=dt.date(2019, 1, 2), channel=ChannelFactory(country="Iran"))
    Speaker.objects.create(clip=clip, label="Spoken", person=spoken)
    clip.people.add(linked)
    clip.topics.add(TopicFactory(name="Published topic"))
    archive_actions.publish_clip(clip, user=None)
    draft = ClipFactory(aired_on=dt.date(1999, 1, 2), channel=ChannelFactory(country="Hidden land"))
    Speaker.objects.create(clip=draft, label="Hidden", person=draft_only)
    draft.topics.add(TopicFactory(name="Draft topic"))
    ClipFactory(published=True, aired_on=None)  # no air date: no year

    page = client.get("/clips/").content.decode()
    options = {
        name: page.split(f'name="{name}"')[1].split("</select>")[0]
        for name in ("channel", "country", "topic", "person", "year")
    }
    assert "Spoken" in options["person"] and "Linked" in options["person"]
    assert draft_only.name not in options["person"]
    assert "Iran" in options["country"] and "Hidden land" not in options["country"]
    assert "Published topic" in options["topic"] and "Draft topic" not in options["topic"]
    assert clip.channel.name in options["channel"] and draft.channel.name not in options["channel"]
    assert options["year"].count("<option") == 2 and '"2019"' in options["year"]  # with "All"
    assert Person.objects.featured_in(Clip.objects.published()).count() == Person.objects.public().count()


def test_air_years_are_the_years_of_the_clips_newest_first():
    for year, month in ((2003, 5), (2021, 1), (2021, 12), (1999, 7)):
        ClipFactory(published=True, aired_on=dt.date(year, month, 28))
    ClipFactory(aired_on=dt.date(1980, 1, 1))  # a draft
    ClipFactory(published=True, aired_on=None)
    assert Clip.objects.published().air_years() == [2021, 2003, 1999]
    expected = [d.year for d in Clip.objects.published().dates("aired_on", "year", order="DESC")]
    assert Clip.objects.published().air_years() == expected


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("transcripts:line", (8891, 12)),
        ("transcripts:line", (1, 0)),
        ("transcripts:lines", (8891, 3, 5)),
        ("inquiries:report", (42, 7)),
        ("archive:embed", (8891,)),
    ],
)
def test_numbered_addresses_are_what_reverse_gives(name, args):
    from django.urls import reverse

    assert reverse_numbers(name, *args) == reverse(name, args=args)
    assert cached_reverse(name, *args) == reverse(name, args=args)


def test_kept_addresses_in_templates_are_what_url_gives():
    """`{% kept_url %}`, for the links of every page's header and footer, with and without a script prefix."""
    from django.template import Context, Template
    from django.urls import set_script_prefix

    names = [
        "archive:home",
        "archive:clip-list",
        "search:search",
        "transcripts:corrections",
        "donations:donate",
    ]
    for prefix in ("/", "/archive/"):
        set_script_prefix(prefix)
        try:
            for name in names:
                kept = Template(f"{{% load addresses %}}{{% kept_url '{name}' %}}").render(Context())
                assert kept == Template(f"{{% url '{name}' %}}").render(Context()), (prefix, name)
        finally:
            set_script_prefix("/")


def test_numbered_addresses_refuse_what_reverse_refuses():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse_numbers("transcripts:line", -1, 2)  # the <int:> converter takes no sign
    with pytest.raises(NoReverseMatch):
        reverse_numbers("transcripts:line", True, 2)  # a bool is no number here
    # not a pattern of numbers alone: reverse() itself makes the address, quoting as it does
    assert reverse_numbers("archive:clip", 1, "a slug") == "/clips/1/a%20slug/"


def test_kept_addresses_follow_the_url_configuration(settings):
    person = PersonFactory(slug="ibrahim")
    assert person.get_absolute_url() == "/people/ibrahim/"
    from django.urls import set_script_prefix

    set_script_prefix("/archive/")
    try:
        assert person.get_absolute_url() == "/archive/people/ibrahim/"
        assert reverse_numbers("transcripts:line", 5, 6) == "/archive/clips/5/lines/6/"
    finally:
        set_script_prefix("/")
    assert person.get_absolute_url() == "/people/ibrahim/"


def test_templates_are_compiled_once_per_process():
    """Django's cached loader holds each compiled template (its default when TEMPLATES names no
    loaders): a page is not parsed again for every request."""
    from django.template import engines

    loader = engines["django"].engine.template_loaders[0]
    assert type(loader).__module__ == "django.template.loaders.cached"
    first = loader.get_template("archive/clip_detail.html")
    assert loader.get_template("archive/clip_detail.html") is first
