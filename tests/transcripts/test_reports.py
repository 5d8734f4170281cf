"""Readers report a translation error on a line; the report reaches the desk's queue."""

import pytest
from bs4 import BeautifulSoup

from clipdesk.archive import actions
from clipdesk.inquiries.models import TranslationReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def clip(timed_clip):
    return actions.publish_clip(timed_clip, user=None, number=321)


def test_a_report_joins_the_desk_queue_with_its_line(client, clip, roles):
    response = client.post("/clips/321/lines/2/report/", {"note": "'all' is not in the Arabic.", "email": ""})
    page = BeautifulSoup(response.content, "html.parser")
    # The answer is a page of its own (the clip page is cached, the same for every reader), with the way back.
    assert "your report was sent" in page.select_one(".messages").get_text()
    assert page.find("a", string="Back to line 2")["href"].endswith(f"{clip.get_absolute_url()}#line-2")
    report = TranslationReport.objects.get()
    assert report.segment == clip.segments.get(position=1) and report.note == "'all' is not in the Arabic."
    client.force_login(roles["desk"])
    assert "is not in the Arabic." in client.get("/staff/work/").content.decode()


def test_bad_reports_are_refused_with_a_reason(client, clip):
    response = client.post("/clips/321/lines/2/report/", {"note": "", "email": "not-an-address"})
    assert response.status_code == 400
    assert "was not sent" in response.content.decode()
    assert not TranslationReport.objects.exists()


def test_the_honeypot_keeps_bots_out_quietly(client, clip):
    client.post("/clips/321/lines/1/report/", {"note": "Buy now", "website": "http://spam.example"})
    assert not TranslationReport.objects.exists()


def test_only_published_lines_can_be_reported(client, timed_clip):
    assert client.post("/clips/321/lines/1/report/", {"note": "x"}).status_code == 404
    clip = actions.publish_clip(timed_clip, user=None, number=321)
    assert client.post("/clips/321/lines/99/report/", {"note": "x"}).status_code == 404
    assert client.get("/clips/321/lines/1/report/").status_code == 200  # the form, on a page of its own
    assert client.put("/clips/321/lines/1/report/").status_code == 405
    assert clip.number == 321
