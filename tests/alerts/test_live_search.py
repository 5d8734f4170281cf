"""Searching the recordings: the live lines of every channel, in the archive's query language, with
filters; results open the timeline at their moment. Staff only: no public surface ever shows a line
of a raw recording."""

import datetime as dt

import pytest

from alerts.conftest import AIR, store
from clipdesk.alerts import livesearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(source, other_source):
    first = store(
        source,
        (AIR, "وَقْفُ إطلاقِ النّار في غزة", {"english": "A ceasefire in Gaza"}),
        (
            AIR + dt.timedelta(seconds=10),
            "قال أحمد إن المفاوضات مستمرة",
            {"english": "Ahmad said the talks go on"},
        ),
    )
    second = store(
        other_source,
        (AIR + dt.timedelta(hours=1), "آتش‌بس در غزه", {"language": "fa", "english": "Ceasefire in Gaza"}),
        (AIR + dt.timedelta(days=1), "The ceasefire talks resumed", {"language": "en"}),
    )
    return first + second


def found(query="", **filters):
    return [r.line.text for r in livesearch.search(query, **filters).results]


def test_words_are_found_in_either_language_normalized(lines):
    assert found("ceasefire") == [lines[3].text, lines[2].text, lines[0].text]  # newest first
    assert found("النار") == [lines[0].text]  # without the diacritics the line was written with
    assert found("احمد") == [lines[1].text]  # أحمد folds to احمد
    assert found('"talks go on"') == [lines[1].text]
    assert found("ceasefire -Gaza") == [lines[3].text]
    assert found("negotiat* OR talks") == [lines[3].text, lines[1].text]
    assert found("nothing-like-this") == []


def test_filters_for_channel_language_day_and_hour(lines, source):
    assert found("ceasefire", sources=[source.pk]) == [lines[0].text]
    assert found('ceasefire channel:"Iran International"') == [lines[3].text, lines[2].text]
    assert found("ceasefire channel:Nowhere") == []
    assert found("ceasefire", languages=["fa"]) == [lines[2].text]
    assert found("ceasefire lang:ar") == [lines[0].text]
    assert found("ceasefire", day=AIR.date()) == [lines[2].text, lines[0].text]
    assert found("ceasefire", day=AIR.date(), hour=10) == [lines[2].text]
    assert found("", day=AIR.date() + dt.timedelta(days=1)) == [lines[3].text]
    assert found("ceasefire", sort="relevance")  # ranked, not only dated


def test_results_open_the_timeline_at_their_moment(lines, client, roles):
    client.force_login(roles["monitor"])
    page = client.get("/staff/alerts/search/", {"q": "ceasefire", "lang": "ar"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "/staff/channels/al-manar-tv/timeline/?t=2026-03-02T09:00:00Z" in html
    assert "<mark>ceasefire</mark>" in html
    for bad in (
        {"lang": "not a language"},
        {"hour": "25"},
        {"date": "yesterday"},
        {"page": "0"},
        {"channel": "x"},
    ):
        assert client.get("/staff/alerts/search/", {"q": "ceasefire", **bad}).status_code == 400


def test_the_public_never_sees_a_line_of_a_recording(source, client, timed_clip, tmp_path):
    from django.core.management import call_command

    from clipdesk.archive import actions

    actions.publish_clip(timed_clip, user=None)
    word = "zorblatquix"
    said = f"the word {word}"
    store(source, (AIR, f"كلمة {word}", {"english": said}))
    assert found(word)  # staff find it
    channel = source.channel.slug
    for url in (
        f"/search/?q={word}",
        f"/api/search?q={word}",
        "/api/clips",
        f"/api/channels/{channel}",
        "/feeds/clips.rss",
        "/feeds/clips.atom",
        f"/feeds/channels/{channel}.rss",
        "/",
        "/clips/",
        f"/channels/{channel}/",
        f"/staff/alerts/search/?q={word}",  # staff only: anonymous readers are sent to sign in
        "/staff/alerts/feed.json",
        f"/staff/channels/{channel}/timeline/",
    ):
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        # A search page repeats the query; the line itself, in either language, must be nowhere.
        assert said.encode() not in body and f"كلمة {word}".encode() not in body, url
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"export.{fmt}"
        call_command("export_archive", "--format", fmt, "--output", str(out))
        assert word not in out.read_text(encoding="utf-8"), fmt


def test_live_index_rebuilds_the_embedded_index_from_the_table(lines, live_index_in_tmp):
    import shutil

    from django.core.management import CommandError, call_command

    shutil.rmtree(live_index_in_tmp, ignore_errors=True)
    livesearch._backends.clear()
    if livesearch.backend_path() == livesearch.POSTGRES:
        assert found("ceasefire")  # nothing to rebuild: the table is the index
        return
    assert found("ceasefire") == []
    call_command("live_index", "--no-progress", "--since", "2026-03-01", "--until", "2026-03-05")
    assert len(found("ceasefire")) == 3
    with pytest.raises(CommandError, match="is not a date"):
        call_command("live_index", "--since", "March")


def test_postgresql_indexes_the_text_of_every_partition():
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE alerts_liveline_test_day PARTITION OF alerts_liveline FOR VALUES FROM ('2030-01-01') TO ('2030-01-02')"
        )
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE pg_get_indexdef(i.indexrelid) LIKE '%%alerts_fold%%' "
            "AND i.indisvalid ORDER BY 1"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert "alerts_liveline_fts" in names  # on the partitioned table
    assert "alerts_liveline_default_fts" in names  # made concurrently, attached
    assert any(n.startswith("alerts_liveline_test_day") for n in names)  # a new day's partition inherits it
