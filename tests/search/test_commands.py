"""clipdesk reindex and clipdesk search."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from clipdesk.search.services import get_backend, search

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def clips(make_clip):
    return [
        make_clip("Peace talks in Beirut", [("Hassan Nasrallah", "We will not negotiate.", "لن نتفاوض")]),
        make_clip("Secret draft", [("Host", "Draft words about peace.", "")], publish=False),
    ]


def test_reindex_rebuilds_from_the_database(clips, search_dir, settings):
    if "tantivy" in get_backend().__class__.__module__:
        shutil.rmtree(search_dir)  # the index is derived data: lose it, and rebuild it
    else:
        from clipdesk.search.models import SearchDocument

        SearchDocument.objects.all().delete()
    assert [r.clip for r in search("negotiate").clips] == []
    assert run("reindex", "--no-progress").startswith("Indexed 2 clips")
    assert [r.clip for r in search("negotiate").clips] == [clips[0]]
    assert run("reindex").startswith("Indexed 2 clips")  # with the progress bar, on stderr


def test_search_prints_clips_and_lines(clips):
    out = run("search", "negotiate")
    assert "1 clip, page 1" in out
    assert f"#{clips[0].number} Peace talks in Beirut" in out
    assert "00:00 Hassan Nasrallah: We will not negotiate." in out
    assert "Secret draft" not in run("search", "peace")
    assert "Secret draft" in run("search", "peace", "--drafts")


def test_search_json(clips):
    payload = json.loads(run("search", "negotiate", "--json"))
    assert payload["total"] == 1 and payload["notes"] == []
    [found] = payload["clips"]
    assert found["number"] == clips[0].number and found["title"] == "Peace talks in Beirut"
    [line] = found["lines"]
    assert line["english_html"] == "We will not <mark>negotiate</mark>."
    assert line["url"].endswith(f"{clips[0].get_absolute_url()}?t=0")
    assert {f["value"] for f in payload["facets"]["channel"]} == {"al-manar-tv"}


def test_search_notes_and_sort(clips):
    payload = json.loads(run("search", '"peace', "--json", "--sort", "date"))
    assert payload["sort"] == "date" and payload["notes"]
    assert "note: A quotation mark is not closed" in run("search", '"peace')
