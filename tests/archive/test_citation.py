import datetime as dt

import pytest
from django.utils.html import escape

from clipdesk.archive import actions
from clipdesk.archive.citation import Citation, format_time

pytestmark = pytest.mark.django_db


def test_format_time():
    assert [format_time(ms) for ms in (0, 9_999, 72_000, 3_723_000)] == ["0:00", "0:09", "1:12", "1:02:03"]


def test_line_citation(timed_clip, settings):
    settings.CLIPDESK_PUBLISHER = "Monitor Desk"
    settings.CLIPDESK_BASE_URL = "https://clips.example.org"
    timed_clip.channel.name, timed_clip.channel.country = "Al-Manar TV", "Lebanon"
    timed_clip.channel.save()
    clip = actions.publish_clip(timed_clip, user=None, number=8891)
    segment = clip.segments.get(position=1)
    citation = Citation.for_segment(segment)
    url = "https://clips.example.org/clips/8891/bilingual-interview/?t=1#line-2"
    assert citation.url == url
    assert citation.plain() == (
        f'"Thank you [all] for having me." Ali Hassan, Al-Manar TV (Lebanon), May 28, 2021, at 0:01. '
        f"Monitor Desk clip #8891: Bilingual interview. {url}"
    )


def test_clip_citation_styles(timed_clip, settings):
    settings.CLIPDESK_PUBLISHER = "Monitor Desk"
    clip = actions.publish_clip(timed_clip, user=None, number=12)
    citation = Citation.for_clip(clip, accessed=dt.date(2026, 1, 2))
    assert citation.apa().startswith(
        "Monitor Desk. (2021, May 28). Bilingual interview [Video; Monitor Desk clip #12,"
    )
    assert "Accessed January 2, 2026." in citation.chicago()
    bib = citation.bibtex()
    assert bib.startswith("@misc{monitordesk12,\n") and "  year = {2021}" in bib and "  month = {may}" in bib


def test_line_permalink_page(client, timed_clip):
    clip = actions.publish_clip(timed_clip, user=None, number=5)
    response = client.get("/clips/5/lines/2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thank you" in html and "شكرا" in html
    assert Citation.for_segment(clip.segments.get(position=1)).plain().replace('"', "&quot;") in html
    assert client.get("/clips/5/lines/99/").status_code == 404


def test_excerpt_citation_spans_its_lines_and_plays_from_start_to_end(timed_clip, settings):
    settings.CLIPDESK_PUBLISHER = "Monitor Desk"
    settings.CLIPDESK_BASE_URL = "https://clips.example.org"
    timed_clip.channel.name, timed_clip.channel.country = "Al-Manar TV", "Lebanon"
    timed_clip.channel.save()
    clip = actions.publish_clip(timed_clip, user=None, number=8891)
    citation = Citation.for_excerpt(list(clip.segments.filter(position__in=[1, 2]).order_by("position")))
    url = "https://clips.example.org/clips/8891/bilingual-interview/?t=1&end=6#line-2"
    assert citation.url == url
    assert citation.plain() == (
        '"Thank you [all] for having me. What happened?" Ali Hassan and Host, Al-Manar TV (Lebanon), '
        f"May 28, 2021, at 0:01\u20130:06. Monitor Desk clip #8891: Bilingual interview. {url}"
    )


def test_excerpt_page_quotes_exactly_those_lines_with_their_citation(client, timed_clip):
    clip = actions.publish_clip(timed_clip, user=None, number=5)
    response = client.get("/clips/5/lines/2-3/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thank you" in html and "What happened?" in html and "شكرا" in html and "ماذا حدث" in html
    assert "Welcome." not in html and "Nothing..." not in html
    citation = Citation.for_excerpt([clip.segments.get(position=1), clip.segments.get(position=2)])
    assert escape(citation.plain()) in html
    assert citation.url.endswith("/clips/5/bilingual-interview/?t=1&end=6#line-2")
    assert f'href="{escape(citation.url)}">Play this excerpt' in html
    for bad in ("/clips/5/lines/3-2/", "/clips/5/lines/2-99/", "/clips/5/lines/0-2/"):
        assert client.get(bad).status_code == 404, bad


def test_the_excerpt_form_leads_to_the_excerpt_page(client, timed_clip):
    actions.publish_clip(timed_clip, user=None, number=5)
    page = client.get("/clips/5/bilingual-interview/").content.decode()
    assert 'action="/clips/5/lines/"' in page and 'name="from"' in page and 'name="to"' in page
    assert client.get("/clips/5/lines/?from=2&to=3").url == "/clips/5/lines/2-3/"
    assert client.get("/clips/5/lines/?from=3&to=3").url == "/clips/5/lines/3/"
    assert client.get("/clips/5/lines/?from=3&to=2").url == "/clips/5/lines/2-3/"  # either order
    assert client.get("/clips/5/lines/?from=x&to=2").status_code == 400
