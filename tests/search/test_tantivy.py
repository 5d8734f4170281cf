"""The embedded engine on its own: no database, no Django."""

import datetime as dt
import subprocess
import sys
import threading

import pytest

from clipdesk.search.analysis import build_query
from clipdesk.search.backends.tantivy import IndexBusy, TantivyBackend
from clipdesk.search.interfaces import STAFF, ClipDocument, SearchRequest, SegmentDocument
from clipdesk.search.querylang import parse


def clip(clip_id: int, title: str, *lines: str, status: str = "published") -> ClipDocument:
    return ClipDocument(
        clip_id=clip_id,
        number=clip_id if status == "published" else None,
        status=status,
        title=title,
        summary="",
        channel="al-manar-tv",
        channel_name="Al-Manar TV",
        country="Lebanon",
        topics=(),
        people=(),
        names=(),
        aired_on=dt.date(2021, 5, clip_id),
        segments=tuple(
            SegmentDocument(clip_id * 100 + i, i, i * 1000, text, "", "ar", "Host")
            for i, text in enumerate(lines)
        ),
    )


def found(backend: TantivyBackend, query: str, **kwargs) -> list[int]:
    built, _ = build_query(parse(query))
    return [hit.clip_id for hit in backend.search(SearchRequest(built, **kwargs)).clips]


def test_the_core_does_not_need_django():
    code = (
        "import sys\n"
        "import clipdesk.search.backends.tantivy, clipdesk.search.normalize, clipdesk.search.querylang\n"
        "import clipdesk.search.analysis, clipdesk.search.highlight, clipdesk.search.interfaces\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_analyzers_are_registered_again_when_the_index_is_reopened(tmp_path):
    TantivyBackend(tmp_path).index_clip(clip(1, "Peace talks", "They were talking."))
    reopened = TantivyBackend(tmp_path)  # another process, or the same one after a restart
    assert found(reopened, "talk") == [1]
    reopened.index_clip(clip(2, "More talks", "Still talking."))  # writes need the analyzers too
    assert sorted(found(reopened, "talking")) == [1, 2]


def test_searching_before_anything_was_indexed_creates_nothing(tmp_path):
    backend = TantivyBackend(tmp_path / "search")
    assert found(backend, "peace") == []
    backend.remove_clip(1)
    assert not (tmp_path / "search").exists()


def test_a_writer_waits_for_another_to_finish(tmp_path):
    first = TantivyBackend(tmp_path)
    first.index_clip(clip(1, "Peace"))
    second = TantivyBackend(tmp_path, lock_timeout=30)
    holding = first._writer(15_000_000)  # as another process would hold it
    started, done = threading.Event(), threading.Event()

    def write():
        started.set()
        second.index_clip(clip(2, "Talks"))
        done.set()

    thread = threading.Thread(target=write)
    thread.start()
    started.wait()
    assert not done.is_set()
    holding.commit()
    holding.wait_merging_threads()  # releases the lock
    thread.join(timeout=30)
    assert done.is_set()
    assert found(second, "talks") == [2]


def test_a_writer_gives_up_after_its_timeout(tmp_path):
    first = TantivyBackend(tmp_path)
    first.index_clip(clip(1, "Peace"))
    holding = first._writer(15_000_000)
    try:
        with pytest.raises(IndexBusy):
            TantivyBackend(tmp_path, lock_timeout=0.2).index_clip(clip(2, "Talks"))
    finally:
        holding.rollback()
        holding.wait_merging_threads()


def test_a_failed_rebuild_leaves_the_old_index(tmp_path):
    backend = TantivyBackend(tmp_path)
    backend.index_clip(clip(1, "Peace"))

    def clips():
        yield clip(2, "Talks")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(clips())
    assert found(backend, "peace") == [1] and found(backend, "talks") == []
    assert backend.rebuild([clip(2, "Talks")], progress=lambda n: None) == 1
    assert found(backend, "peace") == [] and found(backend, "talks") == [2]


def test_unpublished_clips_live_in_fields_of_their_own(tmp_path):
    backend = TantivyBackend(tmp_path)
    backend.index_clip(clip(1, "Peace", "peace"))
    backend.index_clip(clip(2, "Peace draft", "peace", status="draft"))
    backend.index_clip(clip(3, "Peace in review", "peace", status="review"))
    assert found(backend, "peace") == [1]
    assert sorted(found(backend, "peace", statuses=STAFF)) == [1, 2, 3]
    assert found(backend, "peace", statuses=frozenset({"review"})) == [3]
    assert sorted(found(backend, "-war", statuses=STAFF)) == [1, 2, 3]
    assert backend.indexed([1, 2, 3]) == {1} and backend.indexed([1, 2, 3], STAFF) == {1, 2, 3}


def test_many_matching_lines_do_not_crowd_out_clips(tmp_path):
    backend = TantivyBackend(tmp_path)
    backend.rebuild(
        [clip(1, "Talks", *["talks talks talks"] * 200)]
        + [clip(i, f"Clip {i}", "talks") for i in range(2, 30)]
    )
    built, _ = build_query(parse("talks"))
    first = backend.search(SearchRequest(built, limit=20, lines_per_clip=3))
    assert first.clips[0].clip_id == 1 and len(first.clips[0].segment_ids) == 3
    assert len(first.clips) == 20 and first.has_more
    rest = backend.search(SearchRequest(built, offset=20, limit=20))
    assert len(rest.clips) == 9 and not rest.has_more
    assert {h.clip_id for h in first.clips + rest.clips} == set(range(1, 30))
    assert all(h.segment_ids for h in first.clips + rest.clips)
    lines = backend.search(SearchRequest(build_query(parse("speaker:host talks"))[0], limit=5))
    assert len(lines.clips) == 5 and lines.has_more


def test_arabic_original_is_searched_plain(tmp_path):
    backend = TantivyBackend(tmp_path)
    arabic = ClipDocument(
        1, 1, "published", "Title", "", "c", "C", "", (), (), (), None,
        (SegmentDocument(1, 0, 0, "English.", "والكُتُب", "ar", ""),),
    )  # fmt: skip
    backend.index_clip(arabic)
    assert found(backend, "والكتب") == [1] and found(backend, "والك*") == [1]
