"""The search page at /search/."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from clipdesk.archive.models import Clip
from clipdesk.search import render
from clipdesk.search.render import clip_html
from clipdesk.search.services import search
from clipdesk.transcripts.models import Segment

from .conftest import make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def clips(make_clip):
    manar, press = make_channel("Al-Manar TV", "Lebanon"), make_channel("Press TV", "Iran", "fa")
    return {
        "talks": make_clip(
            "Peace talks in Beirut",
            [
                ("Host", "Welcome.", ""),
                ("Hassan Nasrallah", "We will not negotiate <script>alert(1)</script>.", "لن نتفاوض"),
            ],
            channel=manar,
            topics=["Lebanon"],
        ),
        "drones": make_clip(
            "Drones on show", [("Reporter", "The drones flew; peace was far.", "")], channel=press
        ),
        "draft": make_clip(
            "Secret peace draft", [("Host", "Not yet public: peace.", "")], channel=manar, publish=False
        ),
    }


def page(client, query: str = "", **params):
    response = client.get("/search/", {"q": query, **params} if query or params else {})
    assert response.status_code == 200
    return response, BeautifulSoup(response.content, "html.parser")


def test_results_are_grouped_by_clip_with_highlighted_lines(client, clips):
    response, soup = page(client, "negotiate")
    assert [t.name for t in response.templates][:2] == ["search/search.html", "base.html"]
    [result] = soup.select(".search-result")
    title = result.select_one("h3 a")
    assert title.text == "Peace talks in Beirut"
    assert title["href"] == clips["talks"].get_absolute_url()
    assert f"#{clips['talks'].number}" in result.select_one(".clip-number").text
    assert "Al-Manar TV (Lebanon)" in result.text and "May 28, 2021" in result.text
    [line] = result.select(".lines li")
    assert line.select_one(".speaker").text == "Hassan Nasrallah:"
    assert line.select_one("a.moment")["href"] == f"{clips['talks'].get_absolute_url()}?t=10"
    assert line.select_one("a.moment").text == "00:10"
    assert [m.text for m in line.select("mark")] == ["negotiate"]


def test_a_result_shows_its_clip_through_one_fragment_as_the_model_would(client, clips):
    """One clip card: the page shows each result's clip through `search/_clip.html`, and the card
    shows the light row the search reads exactly as it would show the `Clip` model itself."""
    render._kept_clip_html.cache_clear()  # kept by an earlier test with the same ids and values
    response, soup = page(client, "peace")
    assert "search/_clip.html" in [t.name for t in response.templates]
    assert len(soup.select(".search-result")) == 2
    results = search("peace OR negotiate", include_unpublished=True).clips
    assert {r.listing.pk for r in results} == {c.pk for c in clips.values()}
    for result in results:
        as_listing = clip_html(result.listing, result.url)
        assert as_listing == clip_html(result.clip, result.clip.get_absolute_url())
    draft = next(r for r in results if r.listing.pk == clips["draft"].pk)
    card = BeautifulSoup(clip_html(draft.listing, draft.url), "html.parser")
    assert card.select_one(".clip-number").text == f"id:{clips['draft'].pk}"
    assert card.select_one(".clip-status").text == "Draft"
    assert card.select_one("h3 a")["href"] == clips["draft"].get_absolute_url()


def test_a_kept_clip_heading_is_never_an_old_one(client, clips):
    """Headings are kept per clip, keyed by what they show: a changed title or number is another."""
    _, soup = page(client, "negotiate")
    assert soup.select_one(".search-result h3").text == "Peace talks in Beirut"
    Clip.objects.filter(pk=clips["talks"].pk).update(title="Talks in Beirut", number=9001)
    Segment.objects.filter(clip=clips["talks"], speaker__label="Hassan Nasrallah").update(
        start_ms=20_000, end_ms=25_000
    )
    _, soup = page(client, "negotiate")
    [result] = soup.select(".search-result")
    assert result.select_one("h3 a").text == "Talks in Beirut"
    assert result.select_one("h3 a")["href"] == "/clips/9001/peace-talks-in-beirut/"
    assert result.select_one(".clip-number").text == "#9001"
    assert result.select_one("a.moment")["href"] == "/clips/9001/peace-talks-in-beirut/?t=20"


def test_a_result_without_matching_lines_shows_its_summary_cut_as_clip_pages_cut_it(client, make_clip):
    words = [f"word{n}" for n in range(50)]
    clip = make_clip("Parade & drills", [("Host", "Nothing to see.", "")], summary=" ".join(words))
    _, soup = page(client, "parade")
    [result] = soup.select(".search-result")
    assert result.select_one("h3 a").text == "Parade & drills"
    assert not result.select(".lines")
    assert result.select_one(".summary").text == " ".join(words[:40]) + "…"  # as `truncatewords:40`
    assert result.select_one("h3 a")["href"] == clip.get_absolute_url()


def test_user_text_is_escaped(client, clips):
    response, soup = page(client, "negotiate OR <b>bold</b>")
    assert b"<script>alert(1)</script>" not in response.content
    assert "<script>alert(1)</script>" in soup.select_one(".lines li .english").text
    assert soup.select_one("#search-q")["value"] == "negotiate OR <b>bold</b>"
    assert not soup.select("main b")


def test_no_inline_scripts_styles_or_handlers(client, clips):
    response, soup = page(client, "peace", channel="al-manar-tv")
    assert not [s for s in soup.find_all("script") if not s.get("src")]
    assert not soup.find_all("style")
    for tag in soup.find_all(True):
        assert "style" not in tag.attrs
        assert not [a for a in tag.attrs if a.startswith("on")], tag
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_search_box_is_labelled(client, clips):
    _, soup = page(client)
    box = soup.select_one('form[role=search] input[name="q"]')
    assert soup.select_one(f'label[for="{box["id"]}"]')
    assert not soup.select(".search-result") and not soup.select(".facets")


def test_facets_with_counts_kept_in_the_url(client, clips):
    _, soup = page(client, "peace")
    channel = {a.text: a for a in soup.select(".facets section a")}
    assert channel["Al-Manar TV"].find_next_sibling("span").text == "1"
    href = channel["Press TV"]["href"]
    assert parse_qs(urlsplit(href).query) == {"q": ["peace"], "channel": ["press-tv"]}
    # Following the link keeps the query and the facet, and offers to take the facet out again.
    _, soup = page(client, "peace", channel="press-tv")
    assert [a.text for a in soup.select(".search-result h3 a")] == ["Drones on show"]
    [chosen] = soup.select(".chosen a")
    assert parse_qs(urlsplit(chosen["href"]).query) == {"q": ["peace"]}
    hidden = {i["name"]: i["value"] for i in soup.select("form[role=search] input[type=hidden]")}
    assert hidden == {"channel": "press-tv"}


def test_year_and_date_range(client, clips):
    _, soup = page(client, "peace")
    [year] = [a for a in soup.select(".facets a") if a.text == "2021"]
    assert parse_qs(urlsplit(year["href"]).query) == {
        "q": ["peace"],
        "from": ["2021-01-01"],
        "to": ["2021-12-31"],
    }
    _, soup = page(client, "peace", **{"from": "2022-01-01"})
    assert not soup.select(".search-result")
    assert soup.select_one("input[name=from]")["value"] == "2022-01-01"


def test_sort_links_and_pagination(client, clips, settings):
    settings.CLIPDESK_PAGE_SIZE = 1
    _, soup = page(client, "peace")
    assert soup.select_one(".result-count").text.startswith("2 clips")
    next_link = soup.select_one("a[rel=next]")
    assert parse_qs(urlsplit(next_link["href"]).query) == {"q": ["peace"], "page": ["2"]}
    _, second = page(client, "peace", page="2")
    assert second.select_one("a[rel=prev]") and not second.select_one("a[rel=next]")
    sort = {a.text: a["href"] for a in soup.select(".sort a")}
    assert parse_qs(urlsplit(sort["Newest first"]).query) == {"q": ["peace"], "sort": ["date"]}


@pytest.mark.parametrize(
    "params",
    [
        {"q": '"unclosed (OR -', "page": "x"},
        {"q": "peace", "from": "yesterday", "to": "2021-13-45", "sort": "sideways"},
        {"q": "peace", "page": "99999999999999999999"},
        {"q": "peace", "page": "²"},  # str.isdigit() says yes, int() says no
        {"q": "peace", "page": "9" * 5000},  # more digits than int() reads
        {"q": "lang:?? speaker: *", "channel": ["x" * 300, "y"]},
        {"q": "\x00\ufffd" * 50},
        {"q": "peace", "channel": "al-manar\x00tv", "topic": "\x00"},
    ],
)
def test_no_query_gives_a_server_error(client, clips, params):
    response = client.get("/search/", params)
    assert response.status_code == 200


def test_notes_explain_what_was_ignored(client, clips):
    _, soup = page(client, '"peace', **{"from": "yesterday"})
    notes = soup.select_one(".search-notes").text
    assert "quotation mark" in notes and "'yesterday' is not a date" in notes
    assert soup.select(".search-result")
    _, soup = page(client, "peace", page="²")
    assert "'²' is not a page number; this is the first page." in soup.select_one(".search-notes").text


def test_the_drafts_checkbox_is_for_staff_only(client, clips, roles):
    _, soup = page(client, "peace", drafts="1")
    assert not soup.select("input[name=drafts]")
    assert "Secret peace draft" not in soup.text
    client.force_login(roles["reader"])
    _, soup = page(client, "peace", drafts="1")
    assert not soup.select("input[name=drafts]") and "Secret peace draft" not in soup.text
    client.force_login(roles["editor"])
    _, soup = page(client, "peace")
    assert soup.select("input[name=drafts]") and "Secret peace draft" not in soup.text
    _, soup = page(client, "peace", drafts="1")
    assert soup.select_one("input[name=drafts]").has_attr("checked")
    assert "Secret peace draft" in soup.text
    assert re.search(r"\bDraft\b", soup.select_one(".clip-status").text)


def test_the_page_reads_a_bounded_number_of_queries(client, clips, django_assert_max_num_queries):
    client.get("/search/", {"q": "talks"})  # names and labels are read once per process, not per search
    # The clips and their lines; on PostgreSQL also the search, the best lines and the facet counts.
    with django_assert_max_num_queries(5):
        client.get("/search/", {"q": "peace", "channel": "al-manar-tv"})


def test_the_page_never_writes_the_index(client, search_dir, settings, db):
    # No index yet: the page answers with no results and creates nothing; only the worker writes.
    settings.CLIPDESK_SEARCH_BACKEND = "clipdesk.search.backends.tantivy.TantivyBackend"
    _, soup = page(client, "peace")
    assert "0 clips" in soup.select_one(".result-count").text
    assert not search_dir.exists()


def test_an_empty_search_shows_how_to_search_and_ways_to_browse(client, clips):
    _, html = page(client)
    assert html.select_one("details.search-help").has_attr("open")
    examples = [a["href"] for a in html.select(".search-examples a")]
    assert len(examples) >= 4 and "?q=%22peace%20talks%22" in examples
    browse = {a["href"] for a in html.select(".search-browse a")}
    assert browse == {"/clips/", "/channels/", "/topics/", "/people/"}
    assert not html.select(".no-results")


def test_no_results_suggest_a_spelling_and_other_ways(client, clips):
    _, html = page(client, "negociate", channel="al-manar-tv")
    box = html.select_one(".no-results")
    assert (
        " ".join(box.select_one(".empty").get_text().split())
        == "No clips match this search with these filters."
    )
    did_you_mean = box.select_one(".did-you-mean a")
    assert did_you_mean.get_text() == "negotiate"
    assert parse_qs(urlsplit(did_you_mean["href"]).query) == {"q": ["negotiate"], "channel": ["al-manar-tv"]}
    clear = box.select_one(".search-tips a")
    assert clear.get_text() == "Search without the filters"
    assert parse_qs(urlsplit(clear["href"]).query) == {"q": ["negociate"]}
    followed = BeautifulSoup(client.get("/search/" + did_you_mean["href"]).content, "html.parser")
    assert followed.select(".search-result")


def test_filters_that_match_nothing_say_so_with_a_way_to_clear_them(client, clips):
    _, html = page(client, "", channel="al-manar-tv", **{"from": "1990-01-01", "to": "1990-12-31"})
    box = html.select_one(".no-results")
    assert box.select_one(".empty").get_text() == "No clips match these filters."
    assert "No clips yet" not in html.get_text()
    clear = box.select_one(".search-tips a")
    assert (clear.get_text(), clear["href"]) == ("Clear the filters", "?q=")
