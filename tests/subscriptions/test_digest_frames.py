"""A digest's frame is rendered once for each frequency and number of clips, and each subscriber's own
values (links, clips) are filled in afterwards: byte for byte what rendering the templates for every
digest writes, awkward values included."""

import pytest
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe

from clipdesk.subscriptions import emails
from factories.archive import ClipFactory
from factories.subscriptions import SubscriberFactory, publish

pytestmark = pytest.mark.django_db

AWKWARD = 'Tom & Jerry\'s <b>"clips"</b> {{ site_name }}'


def digests(frequencies=("daily", "weekly")):
    """Digests of one and of three clips, for subscribers of each frequency."""
    clips = [
        publish(ClipFactory(title="<script>alert('x')</script> & more", summary='A < B && C > D "quoted"')),
        publish(
            ClipFactory(title="{{ manage_url }} {% now 'Y' %}", summary="Ünïcödé — “quotes” \u2018too\u2019")
        ),
        publish(ClipFactory(title="Plain title", summary="")),
    ]
    made = []
    for n, frequency in enumerate(frequencies):
        for count in (1, 3):
            subscriber = SubscriberFactory(email=f"r{n}.{count}@example.org", frequency=frequency)
            message = emails.digest(
                subscriber.pk,
                subscriber.email,
                [c.pk for c in clips[:count]],
                first_sequence=1,
                last_sequence=count,
                now=timezone.now(),
            )
            made.append((message, subscriber))
    return made


def written(renderer, made) -> list[bytes]:
    return [renderer.email(m, s).message().as_bytes(linesep="\r\n") for m, s in made]


@pytest.mark.parametrize("base_url", ["https://clips.example.org", "https://clips.example.org/a&b=<c>'d\""])
def test_filled_in_frames_are_the_templates_rendered_for_each_digest(settings, monkeypatch, base_url):
    settings.CLIPDESK_SITE_NAME = AWKWARD
    settings.CLIPDESK_BASE_URL = base_url
    made = digests()
    filled = written(emails.DigestRenderer(), made)
    monkeypatch.setattr(emails.Frames, "_split", lambda self, context: None)  # render every time
    rendered = written(emails.DigestRenderer(), made)
    assert filled == rendered
    assert any(b"&amp;" in message for message in filled)


def test_a_frame_that_changes_a_value_is_rendered_for_each_digest():
    html = engines["django"].from_string("<a href='{{ manage_url|upper }}'>{{ count }}</a>{{ entries_html }}")
    text = engines["django"].from_string("{{ unsubscribe_url }} {{ entries_text|truncatechars:20 }}")
    frames = emails.Frames(html, text)
    for n in (1, 2):
        context = {
            "count": 2,
            "manage_url": f"https://x.example/m&{n}",
            "unsubscribe_url": f"https://x.example/u<{n}>",
            "entries_html": mark_safe(f"<p>{n}</p>"),
            "entries_text": "x" * n,
        }
        assert frames.render(context) == [html.render(context), text.render(context)]


def test_the_frame_is_rendered_once_for_each_frequency_and_number_of_clips(settings, monkeypatch):
    made = digests() * 2
    renderer = emails.DigestRenderer()
    rendered = []
    real = emails.Frames._split
    monkeypatch.setattr(
        emails.Frames, "_split", lambda self, context: rendered.append(1) or real(self, context)
    )
    written(renderer, made)
    assert len(rendered) == 4  # daily and weekly, one clip and three
