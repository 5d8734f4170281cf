import datetime as dt

import pytest

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
