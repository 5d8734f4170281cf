"""The public pages: what they show, who sees what, redirects, 410s, query counts, CSP."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from clipdesk.archive import actions
from clipdesk.archive.models import Clip
from clipdesk.transcripts.importing import import_page
from factories.archive import ChannelFactory, ClipFactory, PersonFactory, TopicFactory
from factories.transcripts import SegmentFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.fixture
def sample_clip(sample_page_text) -> Clip:
    return import_page(sample_page_text, source="clip-8891.txt").clip


def test_clip_page_shows_everything_on_the_sample(client, sample_clip):
    response = client.get(sample_clip.get_absolute_url())
    assert response.status_code == 200
    page = soup(response)
    header = page.select_one("article.clip header")
    assert text_of(header.select_one(".clip-meta")) == "#8891 | 02:33"
    assert text_of(header.select_one(".clip-source")) == "Source: Al-Manar TV (Lebanon)"
    assert header.select_one(".clip-date time")["datetime"] == "2021-05-28"
    assert text_of(header.select_one(".clip-date")) == "Aired May 28, 2021"
    assert page.select_one("h1").get_text() == sample_clip.title
    assert text_of(page.select_one(".summary")).startswith("Lebanese journalist and Hizbullah Mouthpiece")

    turns = page.select(".transcript .turn")
    assert len(turns) == 9
    assert len(page.select(".transcript .line")) == 12
    speakers = [text_of(t.select_one(".speaker")) for t in turns]
    assert speakers == ["Ibrahim Al-Amine", "Host"] * 4 + ["Ibrahim Al-Amine"]
    link = turns[0].select_one(".speaker a")
    assert link["href"] == reverse("archive:person", args=["ibrahim-al-amine"])
    assert turns[1].select_one(".speaker a") is None  # Host is a role, not a person
    insertions = [s.get_text() for s in page.select(".transcript .insertion")]
    assert insertions == ["[During the recent fighting]", "[Hizbullah]"]
    assert "[Hizbullah delivered those things" in text_of(page.select_one("#line-8"))
    assert len(page.select(".transcript .elision")) == 2
    assert page.select_one(".transcript .original") is None  # imported pages have English only: one column

    missing = page.select_one(".summary .xref-missing")
    assert text_of(missing) == "MEMRI TV clip no 8575 (not in the archive)"
    cta = {a["href"] for a in page.select(".cta a")}
    assert cta == {"/subscribe/", "/requests/new/", "/donate/"}
    assert len(page.select(".transcript .line details.report form")) == 12
    assert page.select(".share-links a")


def test_cross_reference_links_when_the_clip_is_in_the_archive(client, sample_clip):
    target = actions.publish_clip(ClipFactory(title="Earlier interview"), user=None, number=8575)
    page = soup(client.get(sample_clip.get_absolute_url()))
    link = page.select_one(".summary a.xref")
    assert link["href"] == target.get_absolute_url() and link.get_text() == "MEMRI TV clip no 8575"
    assert page.select_one(".summary .xref-missing") is None


def test_bilingual_clip_shows_two_columns_with_direction(client):
    clip = ClipFactory()
    SegmentFactory(
        clip=clip, position=0, original_text="مرحبا [بكم]", original_language="ar", english_text="Welcome"
    )
    clip = actions.publish_clip(clip, user=None)
    page = soup(client.get(clip.get_absolute_url()))
    original = page.select_one(".transcript .original")
    assert original["lang"] == "ar" and original["dir"] == "rtl"
    assert original.select_one(".insertion").get_text() == "[بكم]"
    assert "bilingual" in page.select_one(".transcript")["class"]


def test_english_speech_shows_its_transcript_once(client):
    clip = ClipFactory()
    said = "And so, my fellow Americans"
    SegmentFactory(clip=clip, position=0, original_text=said, original_language="en", english_text=said)
    clip = actions.publish_clip(clip, user=None)
    page = soup(client.get(clip.get_absolute_url()))
    assert page.select_one(".transcript .original") is None
    assert "bilingual" not in page.select_one(".transcript")["class"]
    assert [p.get_text(" ", strip=True) for p in page.select(".transcript .english")] == [said]


def test_number_and_old_slugs_redirect_permanently(client, sample_clip):
    canonical = sample_clip.get_absolute_url()
    assert canonical == f"/clips/8891/{sample_clip.slug}/"
    for url in ("/clips/8891/", "/clips/8891/an-old-title/"):
        response = client.get(url)
        assert response.status_code == 301 and response["Location"] == canonical
        assert client.get(url + "?t=1:12")["Location"] == canonical + "?t=1:12"
    actions.update_clip(sample_clip, user=None, title="A corrected title")
    assert client.get(canonical).status_code == 200  # a title change waits for its correction
    from clipdesk.transcripts.actions import publish_correction
    from clipdesk.transcripts.models import Revision

    publish_correction(Revision.objects.pending().get(), user=None, note="Title corrected.")
    response = client.get(canonical)
    assert response.status_code == 301 and response["Location"] == "/clips/8891/a-corrected-title/"


def test_withdrawn_clip_answers_410(client, sample_clip):
    actions.withdraw_clip(sample_clip, user=None, reason="The speaker was misidentified.")
    response = client.get(f"/clips/8891/{sample_clip.slug}/")
    assert response.status_code == 410
    page = soup(response)
    assert "#8891" in text_of(page) and sample_clip.title in text_of(page)
    assert text_of(page.select_one(".withdrawn-reason")) == "The speaker was misidentified."
    assert page.select_one(".withdrawn-notice time")["datetime"] == dt.date.today().isoformat()
    assert page.select_one(".transcript") is None
    assert client.get("/clips/8891/").status_code == 301


def test_unpublished_clips_are_for_staff_only(client, roles):
    draft = ClipFactory()
    url = reverse("archive:clip-by-id", args=[draft.pk])
    assert url == f"/clips/id:{draft.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(roles["reader"])
    assert client.get(url).status_code == 404
    client.force_login(roles["translator"])
    response = client.get(url)
    assert response.status_code == 200 and soup(response).select_one(".staff-banner")
    assert draft.title not in client.get("/clips/").content.decode()


def test_published_clip_by_id_redirects_readers(client):
    clip = ClipFactory(published=True)
    response = client.get(f"/clips/id:{clip.pk}/")
    assert response.status_code == 301 and response["Location"] == clip.get_absolute_url()


def test_lists_show_published_clips_only(client):
    published = ClipFactory(published=True, title="Published clip")
    ClipFactory(title="Draft clip")
    withdrawn = ClipFactory(published=True, title="Withdrawn clip")
    actions.withdraw_clip(withdrawn, user=None, reason="r")
    for url in ("/", "/clips/", published.channel.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Published clip" in html and "Draft clip" not in html and "Withdrawn clip" not in html, url


def test_clip_list_filters(client):
    iran = ChannelFactory(name="IRINN", country="Iran")
    lebanon = ChannelFactory(name="Al-Manar TV", country="Lebanon")
    topic = TopicFactory(name="Hizbullah")
    person = PersonFactory(name="Hassan Nasrallah")
    ClipFactory(title="Alpha", channel=iran, aired_on=dt.date(2020, 1, 1), published=True)
    b = ClipFactory(title="Bravo", channel=lebanon, aired_on=dt.date(2021, 1, 1), published=True)
    b.topics.add(topic)
    SpeakerFactory(clip=b, person=person)
    c = ClipFactory(title="Charlie", channel=lebanon, aired_on=dt.date(2020, 6, 1), published=True)
    c.people.add(person)

    def titles(**params):
        page = soup(client.get("/clips/", params))
        return sorted(text_of(h) for h in page.select(".clip-card h2"))

    assert titles() == ["Alpha", "Bravo", "Charlie"]
    assert titles(channel=iran.slug) == ["Alpha"]
    assert titles(country="lebanon") == ["Bravo", "Charlie"]
    assert titles(topic=topic.slug) == ["Bravo"]
    assert titles(person=person.slug) == ["Bravo", "Charlie"]
    assert titles(year="2020") == ["Alpha", "Charlie"]
    assert titles(year="2020", country="Lebanon") == ["Charlie"]
    assert client.get("/clips/", {"channel": "nope"}).status_code == 404
    page = soup(client.get("/clips/", {"year": "2021"}))
    assert page.select_one("select[name=year] option[selected]").get_text() == "2021"
    assert {o.get_text() for o in page.select("select[name=country] option")} == {"All", "Iran", "Lebanon"}


def test_filters_that_match_nothing_say_so_with_a_way_to_clear_them(client):
    ClipFactory(
        title="Alpha", channel=ChannelFactory(country="Iran"), aired_on=dt.date(2020, 1, 1), published=True
    )
    page = soup(client.get("/clips/", {"year": "2021", "country": "Iran"}))
    empty = page.select_one(".empty")
    assert text_of(empty) == "No clips match these filters. Clear the filters"
    assert empty.a["href"] == "/clips/"


def test_filter_options_are_escaped_and_only_of_published_clips(client):
    odd = PersonFactory(name='<b>"Abu" & Sons</b>')
    hidden = PersonFactory(name="Only In A Draft")
    ClipFactory(title="Shown", published=True).people.add(odd)
    ClipFactory(title="Draft").people.add(hidden)
    response = client.get("/clips/", {"person": odd.slug})
    assert b"<b>" not in response.content
    page = soup(response)
    options = page.select("select[name=person] option")
    assert [o.get_text() for o in options] == ["All", '<b>"Abu" & Sons</b>']
    assert page.select_one("select[name=person] option[selected]")["value"] == odd.slug


def test_pagination_keeps_filters(client, settings):
    settings.CLIPDESK_PAGE_SIZE = 2
    channel = ChannelFactory()
    for day in range(1, 6):
        ClipFactory(channel=channel, aired_on=dt.date(2021, 1, day), published=True)
    page = soup(client.get("/clips/", {"channel": channel.slug}))
    assert len(page.select(".clip-card")) == 2
    assert text_of(page.select_one(".result-count")) == "5 clips"
    next_link = page.select_one(".pagination a[rel=next]")["href"]
    assert f"channel={channel.slug}" in next_link and "page=2" in next_link
    page3 = soup(client.get("/clips/", {"channel": channel.slug, "page": 3}))
    assert len(page3.select(".clip-card")) == 1
    assert client.get("/clips/", {"page": "999"}).status_code == 200


def test_person_channel_and_topic_pages(client, sample_clip):
    topic = TopicFactory(name="Lebanon-Israel")
    sample_clip.topics.add(topic)
    page = soup(client.get("/people/ibrahim-al-amine/"))
    assert page.select_one("h1").get_text() == "Ibrahim Al-Amine"
    assert "Also written: Al-Amine" in text_of(page)
    assert [a["href"] for a in page.select(".clip-card h3 a")] == [sample_clip.get_absolute_url()]
    page = soup(client.get(sample_clip.channel.get_absolute_url()))
    assert "Hizbullah" in text_of(page.select_one(".facts")) and page.select(".clip-card")
    page = soup(client.get(topic.get_absolute_url()))
    assert page.select_one(".clip-card h3").get_text(strip=True) == sample_clip.title
    for index in ("/people/", "/channels/", "/topics/"):
        assert "1 clip" in text_of(soup(client.get(index)).select_one(".index-list"))


def _make_listing(count: int) -> None:
    person = PersonFactory(slug="someone")
    for _ in range(count):
        clip = ClipFactory(published=True)
        clip.topics.add(TopicFactory())
        SpeakerFactory(clip=clip, person=person)


@pytest.mark.parametrize("url", ["/", "/clips/", "/people/someone/", "/people/", "/channels/", "/topics/"])
def test_list_pages_run_a_fixed_number_of_queries(client, django_assert_max_num_queries, url):
    _make_listing(3)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    _make_listing_more = 12
    for _ in range(_make_listing_more):
        ClipFactory(published=True).topics.add(TopicFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_strict_csp_and_no_inline_scripts_or_styles(client, sample_clip):
    for url in ("/", "/clips/", sample_clip.get_absolute_url(), "/people/ibrahim-al-amine/", "/donate/"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        page = soup(response)
        assert all(script.get("src") and not script.string for script in page.find_all("script")), url
        assert not page.find_all("style") and not page.find_all(attrs={"style": True}), url
        assert not any(attr.startswith("on") for tag in page.find_all(True) for attr in tag.attrs), url
        assert response["X-Content-Type-Options"] == "nosniff"


def test_user_text_is_escaped(client):
    clip = ClipFactory(title="<script>alert(1)</script>", summary="<img src=x onerror=alert(1)>")
    SegmentFactory(clip=clip, english_text="<b>bold</b> [<i>x</i>]")
    clip = actions.publish_clip(clip, user=None)
    html = client.get(clip.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;" in html


def test_calls_to_action_pages(client):
    for url in ("/subscribe/", "/requests/new/", "/donate/"):
        assert client.get(url).status_code == 200, url
