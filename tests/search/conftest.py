"""Fixtures for the search tests: an index of its own per test, and clips published for real.

The archive announces publications after commit; tests run inside a transaction, so `published`
runs the commit callbacks (and with them the indexing job, which Huey runs at once in tests).
"""

import datetime as dt

import pytest

from clipdesk.archive import actions as archive_actions
from clipdesk.archive.models import Channel, Person, PersonAlias, Topic, make_slug
from clipdesk.transcripts.models import Segment, Speaker
from factories.archive import ClipFactory


@pytest.fixture(autouse=True)
def _own_search_dir(search_dir):
    """Every test here indexes into a search index of its own (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def fresh_names():
    """People and aliases of an earlier test are rolled back without a signal: forget them."""
    from clipdesk.search import names

    names.cache.forget()
    yield
    names.cache.forget()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block enqueued after commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make_channel(name: str, country: str = "Lebanon", language: str = "ar") -> Channel:
    return Channel.objects.get_or_create(
        slug=make_slug(name), defaults={"name": name, "country": country, "language": language}
    )[0]


def make_person(name: str, *aliases: str, kind: str = Person.Kind.PERSON) -> Person:
    person = Person.objects.get_or_create(slug=make_slug(name), defaults={"name": name, "kind": kind})[0]
    for alias in aliases:
        PersonAlias.objects.get_or_create(person=person, name=alias)
    return person


@pytest.fixture
def make_clip(db, committed):
    """A clip with lines: make_clip("Title", [("Speaker", "English", "original"), ...], publish=True, ...).

    Lines are given as (speaker label or None, English text, original text); each line starts 10 s
    after the one before, unless `timed=False`.
    """

    def make(
        title: str,
        lines=(),
        *,
        summary: str = "A summary.",
        channel: Channel | None = None,
        language: str = "ar",
        topics=(),
        people=(),
        aired_on=dt.date(2021, 5, 28),
        publish: bool = True,
        speakers: dict | None = None,
        timed: bool = True,
    ):
        with committed():  # what staff write commits, and drafts are indexed when it does
            clip = _create(
                title, lines, summary, channel, language, topics, people, aired_on, speakers, timed
            )
        if publish:
            with committed():
                clip = archive_actions.publish_clip(clip, user=None)
        return clip

    def _create(title, lines, summary, channel, language, topics, people, aired_on, speakers, timed):
        clip = ClipFactory(
            title=title, summary=summary, aired_on=aired_on, channel=channel or make_channel("Al-Manar TV")
        )
        clip.topics.set(
            [Topic.objects.get_or_create(slug=make_slug(t), defaults={"name": t})[0] for t in topics]
        )
        clip.people.set(people)
        by_label: dict[str, Speaker] = {}
        for position, (label, english, original) in enumerate(lines):
            speaker = None
            if label:
                if label not in by_label:
                    person = (speakers or {}).get(label)
                    by_label[label] = Speaker.objects.create(
                        clip=clip, label=label, person=person, position=len(by_label)
                    )
                speaker = by_label[label]
            Segment.objects.create(
                clip=clip,
                position=position,
                start_ms=position * 10_000 if timed else None,
                end_ms=position * 10_000 + 9_000 if timed else None,
                speaker=speaker,
                english_text=english,
                original_text=original,
                original_language=language,
            )
        return clip

    return make
